"""The sync wire protocol (DESIGN §6) end to end: a real `renewdesk-server` on a real PostgreSQL, real
counters (SQLCipher stores, the `renewdesk` CLI), and a loopback proxy that loses replies after commit.

Each test here is a rule an outside checker holds both sides to, found by talking to the running
server and client, not by reading their code.
"""
from __future__ import annotations

import json
from pathlib import Path

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


def test_a_queue_of_changes_too_big_for_one_push_goes_out_in_several(tmp_path, hq):
    """500 changes may be over head office's 8 MiB limit (each text field may hold 4000 characters):
    the counter splits by size as well as by count, or the same batch is refused (413) for good."""
    a = Counter(tmp_path / "a", "一号柜台").init()
    a.enrol(hq)
    assert a.driver("bulky", "--rows", "300").returncode == 0  # ~11 MB of JSON
    code, got, err = a.sync()
    assert code == 0, err
    assert got["pushed"] == 300 and got["pending"] == 0
    b = Counter(tmp_path / "b", "二号柜台").init()
    b.enrol(hq)
    assert {s for (s,) in _outbox(b, "SELECT count(*) FROM customer")} == {300}


def test_an_offline_counter_gets_a_feed_too_big_for_one_file_over_several(tmp_path, hq):
    """A down batch file is unpacked to at most 8 MiB like any body: head office fills it with pull
    pages up to that size and says `more`, and the counter takes the rest with its next files."""
    a, b = Counter(tmp_path / "a", "一号柜台").init(), Counter(tmp_path / "b", "二号柜台").init()
    a.enrol(hq)
    b.enrol(hq)
    assert a.driver("bulky", "--rows", "300").returncode == 0  # ~11 MB of feed
    assert a.sync()[0] == 0
    rounds = 0
    for n in range(1, 6):  # the offline counter's daily USB round trips
        rounds = n
        assert b.driver("work", "--seed", str(30 + n), "--ops", "1").returncode == 0
        r = b.run("sync", "--export-batch", str(tmp_path / f"usb{n}"), "--json")
        assert r.returncode == 0, r.stderr
        [up] = json.loads(r.stdout)["files"]
        r = hq.cli("apply-batch", up, "--reply", str(tmp_path / f"down{n}"), "--json")
        assert r.returncode == 0, r.stderr
        more = json.loads(r.stdout)["more"]
        r = b.run("sync", "--apply-batch", str(tmp_path / f"down{n}" / Path(up).name), "--json")
        assert r.returncode == 0, r.stderr
        if not more:
            break
    assert rounds >= 2 and not more
    assert _outbox(b, "SELECT count(*) FROM customer WHERE length(name) = 4000") == [(300,)]


def test_batch_files_are_split_by_size_as_pushes_are(tmp_path, hq):
    a = Counter(tmp_path / "a", "一号柜台").init()
    a.enrol(hq)
    assert a.driver("bulky", "--rows", "300").returncode == 0
    r = a.run("sync", "--export-batch", str(tmp_path / "usb"), "--json")
    assert r.returncode == 0, r.stderr
    files = json.loads(r.stdout)["files"]
    assert len(files) >= 2
    applied = 0
    for f in sorted(files, key=lambda f: int(Path(f).stem.rsplit("-", 1)[1])):
        r = hq.cli("apply-batch", f, "--reply", str(tmp_path / "down"), "--json")
        assert r.returncode == 0, r.stderr
        applied += json.loads(r.stdout)["applied"]
    assert applied == 300


def _plates(counter: Counter) -> list[str]:
    return [p for (p,) in _outbox(counter, "SELECT plate FROM vehicle WHERE deleted = 0 ORDER BY plate")]


def test_a_counter_restored_from_an_older_backup_recovers_its_lost_writes_and_syncs_new_ones(tmp_path, hq):
    """After a restore the counter's outbox restarts below the device_seqs head office already
    holds, and the writes made after the backup exist only at head office: its new changes must
    not all be refused as seq_conflict, and its own lost changes must come back from the feed."""
    a, b = Counter(tmp_path / "a", "一号柜台").init(), Counter(tmp_path / "b", "二号柜台").init()
    a.enrol(hq)
    b.enrol(hq)
    assert a.driver("work", "--seed", "41", "--ops", "3").returncode == 0
    assert a.sync()[0] == 0
    backup = tmp_path / "a.rdbak"
    assert a.run("backup", str(backup)).returncode == 0
    assert a.driver("work", "--seed", "42", "--ops", "4").returncode == 0  # only head office keeps these
    assert a.sync()[0] == 0
    r = a.run("restore", str(backup))
    assert r.returncode == 0, r.stderr
    assert a.driver("work", "--seed", "43", "--ops", "4").returncode == 0
    code, got, err = a.sync()
    assert code == 0, err
    assert got["rejected"] == 0 and got["pending"] == 0 and got["pushed"] > 0
    assert b.sync()[0] == 0
    assert a.sync()[0] == 0
    assert _plates(a) == _plates(b) and len(_plates(a)) >= 3
    assert _outbox(a, "SELECT count(*) FROM outbox WHERE state <> 'sent'") == [(0,)]
