"""slip and letters through the real command line: page sizes, extractable text, JSON, roles."""
from __future__ import annotations

import json

import pdfplumber
import pytest

from .cli_env import AT, cli_env, run

MM = 72 / 25.4


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    data = tmp_path_factory.mktemp("print-cli")
    env = cli_env(data)
    assert run(env, "init", "--org", "示例车行", "--counter", "1号柜台").returncode == 0
    r = run(env, "demo", "--vehicles", "400", "--seed", "3", "--at", AT)
    assert r.returncode == 0, r.stderr
    run(env, "settings", "set", "counter_phone", "020-12345678")
    return env


def _plate_with(env, status: str) -> str:
    for q in "王张李刘陈杨赵黄周吴":
        out = json.loads(run(env, "lookup", q, "--json", "--at", AT).stdout)
        for m in out["matches"]:
            if m["status"] == status:
                return m["plate"]
    pytest.skip(f"no {status} vehicle among common surnames")


@pytest.mark.parametrize("paper,width_mm", [("a4", 210), ("a5", 148), ("80mm", 80), ("58mm", 58)])
def test_slip_on_each_paper_is_one_page_of_the_right_width_with_the_plate_in_text(env, tmp_path, paper, width_mm):
    plate = _plate_with(env, "DUE")
    pdf = tmp_path / f"slip-{paper}.pdf"
    r = run(env, "slip", plate, "--pdf", str(pdf), "--paper", paper, "--at", AT)
    assert r.returncode == 0, r.stderr
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == 1
        page = doc.pages[0]
        assert page.width == pytest.approx(width_mm * MM, abs=0.6)
        text = page.extract_text()
    assert plate in text.replace(" ", "")  # the slip is handed to the owner: plate in full
    assert "020-12345678" in text.replace(" ", "")


def test_slip_needs_exactly_one_match(env, tmp_path):
    r = run(env, "slip", "王", "--pdf", str(tmp_path / "x.pdf"), "--at", AT)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "王*" in r.stderr  # masked candidates listed
    assert not (tmp_path / "x.pdf").exists()


def test_letters_json_shape_pages_equal_letters_and_masked_skips(env, tmp_path):
    pdf = tmp_path / "letters.pdf"
    r = run(env, "letters", "--due-within", "60", "--include-lapsed", "--order", "due", "--pdf", str(pdf),
            "--json", "--at", AT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"letters", "pages", "paper", "order", "skipped"}
    assert out["paper"] == "a4" and out["order"] == "due" and out["letters"] > 0
    assert out["pages"] == out["letters"]
    for s in out["skipped"]:
        assert set(s) == {"plate", "reason"} and "***" in s["plate"]
        assert s["reason"] in {"no_consent", "no_address", "sold", "scrapped"}
    with pdfplumber.open(pdf) as doc:
        assert len(doc.pages) == out["pages"]
        first = doc.pages[0].extract_text()
    assert "当日24时止" in first and "020-12345678" in first.replace(" ", "")


def test_letters_need_a_supervisor(env, tmp_path):
    clerk_env = dict(env, RENEWDESK_NEW_STAFF_PASSWORD="clerk-pw-2")
    assert run(clerk_env, "staff", "add", "clerk2", "--role", "clerk").returncode == 0
    r = run(dict(env, RENEWDESK_STAFF_PASSWORD="clerk-pw-2"), "letters", "--due-within", "30", "--pdf",
            str(tmp_path / "l.pdf"), "--as", "clerk2", "--at", AT)
    assert r.returncode == 4 and "权限" in r.stderr
    assert not (tmp_path / "l.pdf").exists()


def test_letters_with_none_in_the_window_write_one_page_that_says_so(env, tmp_path):
    # No vehicle in the window wrote a BLANK one-page PDF while the JSON said "pages": 0.
    pdf = tmp_path / "none.pdf"
    r = run(env, "letters", "--due-within", "0", "--pdf", str(pdf), "--json", "--at", "2035-06-01T10:00")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"letters", "pages", "paper", "order", "skipped"}  # the contract's shape
    assert out["letters"] == 0
    with pdfplumber.open(pdf) as doc:
        assert out["pages"] == len(doc.pages) == 1
        page = doc.pages[0]
        text = "".join(page.extract_text().split())
        assert min(c["size"] for c in page.chars) >= 16 - 0.01  # large print like every document
    assert "没有需要寄出的提醒信" in text
    assert "今天到期" in text and "2035年6月1日10:00" in text and "示例车行" in text
