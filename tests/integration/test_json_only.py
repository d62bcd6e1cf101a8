"""DESIGN §7: with --json, stdout holds only the JSON — also for the commands that only have words to say."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from desktop.cli import main
from desktop.store.keyring_port import NoKeyring
from desktop.store.store import open_store

AT = "2026-12-01T10:00:00"


@pytest.fixture
def env(monkeypatch, tmp_path):
    for k in ("RENEWDESK_DATA_DIR", "RENEWDESK_STAFF_PASSWORD", "RENEWDESK_PASSPHRASE"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", "json-only-pass-1")
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", "json-only-admin-1")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    return tmp_path / "data"


def _json(capsys, *argv: str):
    code = main(list(argv))
    out = capsys.readouterr().out
    return code, json.loads(out)  # fails the test when anything but JSON reached stdout


def test_init_demo_record_backup_print_only_json(env, capsys, tmp_path):
    code, init = _json(capsys, "init", "--data-dir", str(env), "--json")
    assert code == 0 and init["admin"] == "admin"
    code, demo = _json(capsys, "demo", "--data-dir", str(env), "--vehicles", "30", "--at", AT, "--json")
    assert code == 0 and demo["vehicles"] == 30 and demo["created"] is False and demo["staff"] == []
    store = open_store(env, lambda: "json-only-pass-1", NoKeyring())
    with store.engine.connect() as c:
        plate = c.execute(text("SELECT plate FROM vehicle WHERE plate IS NOT NULL LIMIT 1")).scalar_one()
    store.engine.dispose()
    code, rec = _json(capsys, "record", plate, "--data-dir", str(env), "--at", AT, "--outcome", "unreachable",
                      "--json")
    assert code == 0 and rec["plate"] == plate and rec["outcome"] == "unreachable"
    code, backup = _json(capsys, "backup", str(tmp_path / "b.rdbak"), "--data-dir", str(env), "--json")
    assert code == 0 and backup["ok"] is True and "b.rdbak" in backup["messages"][0]


def test_new_demo_store_lists_its_staff_in_the_json(env, capsys):
    code, demo = _json(capsys, "demo", "--data-dir", str(env), "--vehicles", "5", "--at", AT, "--json")
    assert code == 0 and demo["created"] is True
    assert {s["name"] for s in demo["staff"]} == {"clerk", "supervisor"}
    assert all(len(s["password"]) >= 8 for s in demo["staff"])


def test_an_error_under_json_leaves_stdout_empty(env, capsys):
    assert main(["init", "--data-dir", str(env), "--json"]) == 0
    capsys.readouterr()
    code = main(["init", "--data-dir", str(env), "--json"])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == "" and "init" in captured.err


def test_a_command_that_prints_its_json_then_fails_keeps_the_json(env, capsys):
    assert main(["init", "--data-dir", str(env), "--json"]) == 0
    capsys.readouterr()
    (env / "audit.head").write_text("tampered", encoding="utf-8")
    code = main(["audit", "verify", "--data-dir", str(env), "--json"])
    out = capsys.readouterr().out
    assert code == 5 and json.loads(out)["ok"] is False
