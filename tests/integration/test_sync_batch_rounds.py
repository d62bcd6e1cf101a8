"""Offline batch rounds: a counter with nothing pending still gets the rest of the feed; a counter
enrolled again under a new device id sends its pending changes once and is not deferred for good."""
from __future__ import annotations

import json
import sqlite3

import pytest

from server import batch as hq_batch
from server.db import make_engine
from tests.integration.sync_harness import Counter, Server


@pytest.fixture
def hq(tmp_path):
    s = Server(tmp_path / "hq").start()
    yield s
    s.kill()


def _round(counter, hq, tmp_path, i):
    r = counter.run("sync", "--export-batch", str(tmp_path / f"up{i}"), "--json")
    assert r.returncode == 0, r.stderr
    files = json.loads(r.stdout)["files"]
    assert len(files) == 1
    engine = make_engine(f"sqlite:///{hq.data_dir / 'headoffice.db'}")
    try:
        hq_batch.apply_batch(engine, tmp_path / files[0], tmp_path / f"down{i}")
    finally:
        engine.dispose()
    down = tmp_path / f"down{i}" / (tmp_path / files[0]).name
    r = counter.run("sync", "--apply-batch", str(down))
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_nothing_pending_still_brings_the_rest_of_the_feed(tmp_path, hq, monkeypatch):
    monkeypatch.setattr(hq_batch, "PULL_MAX", 3)
    monkeypatch.setattr(hq_batch, "MAX_DOWN_PAGES", 1)
    a, b = Counter(tmp_path / "a", "一号柜台").init(), Counter(tmp_path / "b", "二号柜台").init()
    a.enrol(hq)
    b.enrol(hq)
    assert b.driver("work", "--seed", "31", "--ops", "8").returncode == 0
    code, got, err = b.sync()
    assert code == 0 and got["pushed"] > 6, err
    outs = []
    for i in range(40):
        outs.append(_round(a, hq, tmp_path, i))
        if "总部还有更多数据" not in outs[-1]:
            break
    assert len(outs) >= 2 and "总部还有更多数据" in outs[0]
    code, again, _ = a.sync()
    assert code == 0 and again["pulled"] == 0


def test_enrolled_again_sends_pending_once_and_is_not_deferred(tmp_path, hq):
    a = Counter(tmp_path / "a", "一号柜台").init()
    a.enrol(hq)
    assert a.driver("work", "--seed", "41", "--ops", "4").returncode == 0
    assert a.sync()[0] == 0
    a.enrol(hq)  # a new code for the same counter: a new device id
    assert a.driver("work", "--seed", "42", "--ops", "3").returncode == 0
    _round(a, hq, tmp_path, 0)
    code, got, err = a.sync()
    assert code == 0 and got["pending"] == 0 and got["pushed"] == 0, (got, err)
    with sqlite3.connect(hq.data_dir / "headoffice.db") as db:
        ids = [r[0] for r in db.execute("SELECT change_id FROM change")]
    assert len(ids) == len(set(ids))


def test_enrolled_at_another_head_office_gets_its_whole_feed_and_sends_its_history(tmp_path):
    """A counter moved to another head office (a fresh server: its feed numbered from 1 again, none
    of this counter's work in it) must not keep the old office's pull cursor, which skipped every
    change the new office holds below that number, and must send the new office what the old one
    already took, which it never did."""
    old, new = Server(tmp_path / "hq-old").start(), Server(tmp_path / "hq-new").start()
    try:
        a, b = Counter(tmp_path / "a", "一号柜台").init(), Counter(tmp_path / "b", "二号柜台").init()
        c = Counter(tmp_path / "c", "三号柜台").init()
        a.enrol(old)
        b.enrol(old)
        assert b.driver("work", "--seed", "51", "--ops", "12").returncode == 0
        assert b.sync()[0] == 0
        assert a.driver("work", "--seed", "53", "--ops", "2").returncode == 0
        code, mine, err = a.sync()
        assert code == 0 and mine["pushed"] > 0 and mine["pulled"] > 0, err
        c.enrol(new)
        assert c.driver("work", "--seed", "52", "--ops", "3").returncode == 0
        code, theirs, err = c.sync()
        assert code == 0 and theirs["pushed"] > 0, err
        r = a.run("sync", "--server", new.url, "--enroll", new.enroll_code(a.name), "--json")
        assert r.returncode == 0, r.stderr
        moved = json.loads(r.stdout)
        assert moved["pulled"] >= theirs["pushed"], moved
        assert moved["pushed"] == mine["pushed"] and moved["pending"] == 0, moved
        code, got, err = c.sync()
        assert code == 0 and got["pulled"] == mine["pushed"], (got, err)
    finally:
        old.kill()
        new.kill()


def test_moved_to_a_copy_of_its_head_office_the_history_sent_again_is_duplicate(tmp_path):
    """Head office moved to another address with its database: the counter enrolled there sends
    its history again (it cannot tell a copy from a fresh office), and the copy answers every
    change duplicate instead of applying it a second time under the new device id."""
    import shutil

    old = Server(tmp_path / "hq-old").start()
    try:
        a = Counter(tmp_path / "a", "一号柜台").init()
        a.enrol(old)
        assert a.driver("work", "--seed", "61", "--ops", "4").returncode == 0
        code, mine, err = a.sync()
        assert code == 0 and mine["pushed"] > 0, err
    finally:
        old.kill()
    (tmp_path / "hq-copy").mkdir()
    for f in (tmp_path / "hq-old").glob("headoffice.db*"):  # with its WAL: the server was killed
        shutil.copy2(f, tmp_path / "hq-copy" / f.name)
    copy = Server(tmp_path / "hq-copy").start()
    try:
        r = a.run("sync", "--server", copy.url, "--enroll", copy.enroll_code(a.name), "--json")
        assert r.returncode == 0, r.stderr
        moved = json.loads(r.stdout)
        assert moved["duplicates"] == mine["pushed"] and moved["pushed"] == 0 and moved["pending"] == 0, moved
        with sqlite3.connect(tmp_path / "hq-copy" / "headoffice.db") as db:
            fed = [r[0] for r in db.execute("SELECT change_id FROM change WHERE server_seq IS NOT NULL")]
        assert len(fed) == len(set(fed)) == mine["pushed"]
    finally:
        copy.kill()
