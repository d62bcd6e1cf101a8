"""DESIGN §7: a refused command says so in ONE line on stderr, even when it echoes a typed line break."""
from __future__ import annotations

import pytest

from desktop.cli import main, one_line


@pytest.mark.parametrize("raw", ["\n", "x\ny", "\r\x00", "\u2028"])
def test_an_echoed_control_character_never_breaks_the_line(raw, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", "one-line-pass-1")
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", "one-line-admin-1")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    assert main(["init", "--data-dir", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["lookup", "0", "--data-dir", str(tmp_path), "--at", raw]) == 2
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1 and "\r" not in err and "--at" in err


def test_printable_text_is_left_alone():
    assert one_line("请写成 2026-12-31 这样的格式") == "请写成 2026-12-31 这样的格式"
