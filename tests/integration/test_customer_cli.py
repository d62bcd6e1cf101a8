"""`renewdesk customer QUERY --phone/--address/--consent-*` and `record --next DATE` (issue 11)."""
from __future__ import annotations

import json

import pytest

from tests.integration.cli_env import AT, cli_env, run


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("customer") / "data"
    env = cli_env(d)
    assert run(env, "init", "--org", "示例车行").returncode == 0
    p = run(env, "demo", "--vehicles", "120", "--seed", "5", "--at", AT)
    assert p.returncode == 0, p.stderr
    return d


def _due_plates(data, n=2):
    p = run(cli_env(data), "worklist", "lapsing", "--json", "--at", AT)
    rows = [r for r in json.loads(p.stdout)["rows"] if r["plate"]]
    assert len(rows) >= n
    return [r["plate"] for r in rows[:n]]


def test_customer_edit_changes_the_phone_the_lookup_finds(data):
    plate = _due_plates(data, 1)[0]
    env = cli_env(data)
    p = run(env, "customer", plate, "--phone", "13955550123", "--consent-mail", "no", "--at", AT)
    assert p.returncode == 0, p.stderr
    assert "电话" in p.stdout and "同意寄信" in p.stdout
    found = json.loads(run(env, "lookup", "13955550123", "--json", "--at", AT).stdout)["matches"]
    assert [m["plate"] for m in found] == [plate] and found[0]["phone"] == "139****0123"


def test_customer_bad_input_is_one_chinese_line_exit_2(data):
    plate = _due_plates(data, 1)[0]
    env = cli_env(data)
    for extra in (("--phone", "12345678901"), ("--consent-mail", "maybe"), ()):
        p = run(env, "customer", plate, *extra, "--at", AT)
        assert p.returncode == 2 and p.stderr.count("\n") == 1 and "Traceback" not in p.stderr, (extra, p.stderr)


def test_record_next_plans_the_follow_up(data):
    plate = _due_plates(data, 2)[1]
    env = cli_env(data)
    p = run(env, "record", plate, "--outcome", "unreachable", "--next", "2026-12-05", "--at", AT)
    assert p.returncode == 0, p.stderr
    rows = [r for tab in ("week", "lapsing") for r in
            json.loads(run(env, "worklist", tab, "--json", "--at", AT).stdout)["rows"] if r["plate"] == plate]
    assert rows and {r["next_date"] for r in rows} == {"2026-12-05"}
    p = run(env, "record", plate, "--outcome", "unreachable", "--next", "2026-11-01", "--at", AT)
    assert p.returncode == 2 and "已经过去" in p.stderr
