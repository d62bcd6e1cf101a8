"""The sync wire protocol (DESIGN §6) end to end: a real `renewdesk-server` on a real PostgreSQL, real
counters (SQLCipher stores, the `renewdesk` CLI), and a loopback proxy that loses replies after commit.

Each test here is a rule an outside checker holds both sides to, found by talking to the running
server and client, not by reading their code.
"""
from __future__ import annotations

import json

import pytest

from tests.integration.drop_proxy import DropProxy
from tests.integration.sync_harness import Counter, Server


@pytest.fixture
def hq(tmp_path, pg_url):
    s = Server(tmp_path / "hq", db_url=pg_url).start()
    yield s
    s.kill()


def _outbox(counter: Counter, sql: str, *params) -> list[tuple]:
    """Run one statement on the counter's own encrypted store (its outbox is what it still owes)."""
    from desktop.app import AppContext
    from desktop.store.keyring_port import NoKeyring

    ctx = AppContext(counter.data_dir, keyring=NoKeyring(), passphrase=lambda: counter.env["RENEWDESK_PASSPHRASE"])
    try:
        with ctx.store().engine.begin() as conn:
            res = conn.exec_driver_sql(sql, params)
            return res.fetchall() if res.returns_rows else []
    finally:
        ctx.close()


def test_a_refused_change_whose_reply_was_lost_is_still_listed_as_refused(tmp_path, hq):
    """Head office refuses a change, commits, and the reply never arrives. On the resend it answers
    `duplicate`: the counter must not take that for accepted, or the refusal vanishes from 同步问题."""
    a = Counter(tmp_path / "a", "一号柜台").init()
    a.enrol(hq)
    assert a.driver("work", "--seed", "5", "--ops", "1").returncode == 0  # one registration
    # A plate this head office refuses (as a counter with an older validator would have stored it).
    _outbox(a, "UPDATE outbox SET payload = json_set(payload, '$.plate', '粤Z1') WHERE entity = 'vehicle'")
    with DropProxy(hq.url, 0.0, seed=1) as px:  # the first push's reply is lost after commit
        first = a.run("sync", "--server", px.url, "--json")
        code, got, err = a.sync()
    assert px.dropped == 1 and first.returncode == 6
    assert code == 0, err
    assert got["rejected"] == 1 and got["pending"] == 0
    assert _outbox(a, "SELECT state FROM outbox WHERE entity = 'vehicle'") == [("rejected:bad_plate",)]
    assert {s for (s,) in _outbox(a, "SELECT state FROM outbox WHERE entity <> 'vehicle'")} == {"sent"}


def test_enrolling_syncs_at_once_and_prints_the_sync_counts(tmp_path, hq):
    """`sync --enroll CODE --json` is a sync (§7): it enrols, then pushes what the counter already
    holds, and prints the counts every sync prints (with the new device_id and server)."""
    a = Counter(tmp_path / "a", "一号柜台").init()
    assert a.driver("work", "--seed", "7", "--ops", "2").returncode == 0
    r = a.run("sync", "--server", hq.url, "--enroll", hq.enroll_code("一号柜台"), "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert {"pushed", "duplicates", "rejected", "deferred", "pulled", "pending"} <= set(got)
    assert got["pushed"] > 0 and got["pending"] == 0 and got["server"] == hq.url
    assert hq.cli("devices", "--json").stdout.count(got["device_id"]) == 1
