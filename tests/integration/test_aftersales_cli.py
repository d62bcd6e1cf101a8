"""After-sales through the real command line: guide PDFs, the directory, complaints, SMS lists."""
from __future__ import annotations

import json

import pdfplumber
import pytest

from .cli_env import AT, cli_env, run


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("aftersales-cli")
    env = cli_env(data)
    assert run(env, "init", "--org", "示例车行", "--counter", "1号柜台").returncode == 0
    r = run(env, "demo", "--vehicles", "200", "--seed", "5", "--at", AT)
    assert r.returncode == 0, r.stderr
    assert run(env, "settings", "set", "counter_phone", "020-12345678").returncode == 0
    return env


@pytest.fixture(scope="module")
def plate(env) -> str:
    out = json.loads(run(env, "lookup", "王", "--json", "--at", AT).stdout)
    return out["matches"][0]["plate"]


def test_guide_writes_a_pdf_with_the_plate_and_the_counter_phone(env, plate, tmp_path):
    pdf = tmp_path / "g.pdf"
    r = run(env, "guide", plate, "--accident", "single", "--pdf", str(pdf), "--at", AT)
    assert r.returncode == 0, r.stderr
    with pdfplumber.open(pdf) as doc:
        text = "".join(p.extract_text() for p in doc.pages).replace(" ", "")
    assert plate in text and "020-12345678" in text and "☐" in text


def test_guide_bad_input_is_one_line_exit_2(env, plate, tmp_path):
    r = run(env, "guide", plate, "--accident", "flood", "--pdf", str(tmp_path / "x.pdf"))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    r = run(env, "guide", plate, "--accident", "glass", "--pdf", str(tmp_path / "nope" / "x.pdf"))
    assert r.returncode == 2 and "目录不存在" in r.stderr and "Traceback" not in r.stderr


def test_directory_lists_json_and_an_admin_edit_confirms(env):
    out = json.loads(run(env, "insurers", "--json").stdout)
    picc = next(e for e in out["insurers"] if e["key"] == "picc")
    assert picc["claims_phone"] == "95518" and picc["confirmed"] is False
    r = run(env, "insurers", "set", "picc", "--claims-phone", "95518", "--confirm")
    assert r.returncode == 0, r.stderr
    out = json.loads(run(env, "insurers", "--json").stdout)
    assert next(e for e in out["insurers"] if e["key"] == "picc")["confirmed"] is True
    r = run(env, "insurers", "set", "picc", "--claims-phone", "九五五一八")
    assert r.returncode == 2 and "电话" in r.stderr


def test_complaint_lifecycle_through_the_cli_with_the_supervisor_gate(env, plate):
    r = run(env, "complaints", "--open", "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"complaints": []}
    r = run(env, "complaint", "add", plate, "--category", "claim", "--due", "2026-12-05", "--note", "理赔款未到",
            "--at", AT, "--json")
    assert r.returncode == 0, r.stderr
    cid = json.loads(r.stdout)["id"]
    rows = json.loads(run(env, "complaints", "--open", "--json", "--at", "2026-12-09T10:00:00").stdout)["complaints"]
    assert rows == [{"id": cid, "plate": plate, "category": "claim", "state": "open", "owner": "admin",
                     "due": "2026-12-05", "overdue": True}]
    assert run(env, "complaint", "move", cid, "--to", "resolved").returncode == 0
    env_clerk = dict(env, RENEWDESK_NEW_STAFF_PASSWORD="clerk-pw-1")
    assert run(env_clerk, "staff", "add", "clerk1", "--role", "clerk").returncode == 0
    r = run(dict(env, RENEWDESK_STAFF_PASSWORD="clerk-pw-1"), "complaint", "move", cid[:10], "--to", "closed",
            "--as", "clerk1")
    assert r.returncode == 4 and "主管" in r.stderr
    assert run(env, "complaint", "move", cid, "--to", "closed", "--note", "已回访").returncode == 0
    assert json.loads(run(env, "complaints", "--open", "--json").stdout) == {"complaints": []}
    r = run(env, "complaint", "add", plate, "--category", "weather", "--due", "2026-12-05", "--note", "x", "--at", AT)
    assert r.returncode == 2 and "类别" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_sms_list_through_the_cli_masked_by_default_full_for_the_admin(env, tmp_path):
    out = tmp_path / "sms.csv"
    r = run(env, "sms", "--due-within", "30", "--include-lapsed", "--csv", str(out), "--at", AT, "--json")
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert j["rows"] == len(lines) - 1 > 0 and j["full"] is False
    assert all("****" in ln.split(",")[0] for ln in lines[1:])
    r = run(env, "sms", "--due-within", "30", "--xlsx", str(tmp_path / "full.xlsx"), "--full", "--at", AT)
    assert r.returncode == 0, r.stderr
    r = run(env, "sms", "--due-within", "30", "--pdf", str(tmp_path / "x.pdf"))
    assert r.returncode == 2
    r = run(env, "sms", "--due-within", "30", "--csv", str(tmp_path / "x.txt"), "--at", AT)
    assert r.returncode == 2 and ".csv" in r.stderr
