"""`renewdesk worklist|contact|assign|report` through the real console script (issue 13)."""
from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook

from tests.integration.cli_env import AT, cli_env, run


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("renewal") / "data"
    env = cli_env(d)
    assert run(env, "init", "--org", "示例车行").returncode == 0
    p = run(env, "demo", "--vehicles", "300", "--seed", "3", "--at", AT)
    assert p.returncode == 0, p.stderr
    p = run(dict(env, RENEWDESK_NEW_STAFF_PASSWORD="clerk-pw-1"), "staff", "add", "li", "--role", "clerk")
    assert p.returncode == 0, p.stderr
    return d


def worklist(data, tab, *extra, **env):
    p = run(cli_env(data, **env), "worklist", tab, "--json", "--at", AT, *extra)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def test_every_tab_answers_with_the_issue_shape_and_masked_owners(data):
    keys = {"plate", "owner", "status", "days_left", "last_contact", "next_date", "assigned_to"}
    seen = 0
    for tab in ("today", "week", "overdue", "lapsing", "lapsed", "visits", "done"):
        j = worklist(data, tab)
        assert j["tab"] == tab and j["count"] == len(j["rows"])
        for r in j["rows"]:
            assert set(r) == keys
            assert r["owner"] is None or "*" in r["owner"]
        seen += j["count"]
    assert seen > 0


def test_contact_moves_a_vehicle_off_today_and_the_cap_refuses_a_second_call(data):
    today = worklist(data, "today")["rows"] or worklist(data, "overdue")["rows"]
    plate = today[0]["plate"]
    env = cli_env(data)
    p = run(env, "contact", plate, "--channel", "phone", "--result", "will_renew", "--note", "下周再说", "--at", AT)
    assert p.returncode == 0 and "已记录联系" in p.stdout, p.stderr
    assert plate not in {r["plate"] for r in worklist(data, "today")["rows"] + worklist(data, "overdue")["rows"]}
    p = run(env, "contact", plate, "--channel", "sms", "--result", "no_answer", "--at", AT)
    assert p.returncode == 2 and "今天已联系" in p.stderr and "Traceback" not in p.stderr
    last = [r for r in worklist(data, "lapsing")["rows"] + worklist(data, "week")["rows"] if r["plate"] == plate]
    for r in last:
        assert r["last_contact"]["result"] == "will_renew" and r["last_contact"]["by"] == "admin"


def test_bad_input_is_one_chinese_line_exit_2(data):
    env = cli_env(data)
    plate = worklist(data, "lapsed")["rows"][0]["plate"]
    for args, needle in ((["--channel", "fax", "--result", "no_answer"], "invalid choice"),
                         (["--channel", "phone", "--result", "maybe"], "联系结果"),
                         (["--channel", "phone", "--result", "will_come", "--next", "12/5"], "YYYY-MM-DD"),
                         (["--channel", "phone", "--result", "declined"], "战败"),
                         (["--close-until", "2020-01-01"], "以后的日期")):
        p = run(env, "contact", plate, *args, "--at", AT)
        assert p.returncode == 2 and needle in p.stderr and "Traceback" not in p.stderr, (args, p.stderr)


def test_assign_is_for_supervisors_and_a_clerk_then_sees_it(data):
    plate = worklist(data, "lapsed")["rows"][-1]["plate"]
    p = run(cli_env(data), "assign", plate, "--to", "li", "--at", AT)
    assert p.returncode == 0 and "已分配" in p.stdout, p.stderr
    mine = worklist(data, "lapsed", "--as", "li", RENEWDESK_STAFF_PASSWORD="clerk-pw-1")
    assert any(r["plate"] == plate and r["assigned_to"] == "li" for r in mine["rows"])
    assert all(r["assigned_to"] in (None, "li") for r in mine["rows"])
    p = run(cli_env(data, RENEWDESK_STAFF_PASSWORD="clerk-pw-1"), "assign", plate, "--to", "admin", "--as", "li")
    assert p.returncode == 4 and "权限不足" in p.stderr


def test_report_json_text_and_xlsx(data, tmp_path):
    env = cli_env(data)
    out = tmp_path / "续保率.xlsx"
    p = run(env, "report", "renewal", "--month", "2026-11", "--json", "--xlsx", str(out), "--at", AT)
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert j["month"] == "2026-11" and {"reasons", "by_staff"} <= set(j)
    names = [s["segment"] for s in j["segments"]]
    assert names == ["新保", "新转续", "首次", "续转续", "间转续", "潜转续", "在修不在保", "断保回流"]
    for s in j["segments"]:
        assert s["due"] == s["renewed_here"] + s["renewed_elsewhere"] + s["lost"] + s["open"]
        assert s["definition"]
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "续保率 2026-11"
    rows = list(wb.worksheets[0].values)
    assert rows[0][:2] == ("细分", "应续") and rows[1][0] == "新保" and rows[1][1] == j["segments"][0]["due"]
    # the rate is a number Excel can sort and chart, shown as a percentage (empty when nothing was due)
    for i, s in enumerate(j["segments"], start=2):
        cell = wb.worksheets[0].cell(row=i, column=7)
        assert cell.value == s["rate"] and (s["rate"] is None or cell.number_format == "0.0%")
    assert any(s["rate"] is not None for s in j["segments"])
    p = run(env, "report", "renewal", "--month", "2026-11", "--at", AT)
    assert "定义：" in p.stdout and "续保率" in p.stdout
    p = run(env, "report", "renewal", "--month", "11/2026")
    assert p.returncode == 2 and "YYYY-MM" in p.stderr


def test_the_text_lists_every_row_on_one_clean_line(data):
    """A last contact recorded without a channel (an outcome at the counter) reads
    "2026-11-30 约定到店 demo", not "2026-11-30  约定到店 demo"."""
    lines = []
    for tab in ("today", "week", "overdue", "lapsing", "lapsed", "visits", "done"):
        p = run(cli_env(data), "worklist", tab, "--at", AT)
        assert p.returncode == 0, p.stderr
        lines += [ln for ln in p.stdout.splitlines() if ln.startswith("  ") and "上次：" in ln]
    assert any("上次：未联系" not in ln for ln in lines)  # some rows carry a last contact
    assert all("  " not in ln.strip() for ln in lines), [ln for ln in lines if "  " in ln.strip()][:3]
