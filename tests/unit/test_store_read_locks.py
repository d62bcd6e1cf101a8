"""Reads take no lock, writes take the write lock up front, and the pool survives a close racing a
lane opening its connection: on a real SQLCipher file, with real threads (events, no sleeps)."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, exc

from desktop.store.engine import make_engine, set_wal

KEY = b"\x07" * 32
SAFETY_S = 30  # only so a broken build fails instead of hanging; nothing is timed


@pytest.fixture
def engine(tmp_path):
    eng = make_engine(tmp_path / "locks.db", KEY)
    set_wal(eng)
    with eng.begin() as c:
        c.exec_driver_sql("CREATE TABLE t(x INTEGER)")
        c.exec_driver_sql("INSERT INTO t VALUES (1)")
    yield eng
    eng.dispose()


def _no_wait(engine) -> None:
    """This thread's connection fails at once on a held lock instead of waiting busy_timeout."""
    with engine.connect() as c:
        c.connection.driver_connection.execute("PRAGMA busy_timeout = 0")


def _in_thread(fn):
    box: dict = {}

    def run():
        try:
            box["result"] = fn()
        except BaseException as e:  # noqa: BLE001 - handed back to the test thread
            box["error"] = e

    t = threading.Thread(target=run)
    t.start()
    return t, box


def test_a_long_read_does_not_block_a_write_on_another_connection(engine):
    read_open, write_done = threading.Event(), threading.Event()

    def long_read():
        with engine.connect() as c:
            before = c.exec_driver_sql("SELECT count(*) FROM t").scalar()
            read_open.set()
            assert write_done.wait(SAFETY_S)
            during = c.exec_driver_sql("SELECT count(*) FROM t").scalar()  # its own snapshot
            c.rollback()
        return before, during

    reader, box = _in_thread(long_read)
    assert read_open.wait(SAFETY_S)
    _no_wait(engine)
    try:
        with engine.begin() as c:  # would fail "database is locked" if the read held the write lock
            c.exec_driver_sql("INSERT INTO t VALUES (2)")
    finally:
        write_done.set()
        reader.join(SAFETY_S)
    assert "error" not in box, box.get("error")
    assert box["result"] == (1, 1)  # the reader saw one consistent state throughout
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT count(*) FROM t").scalar() == 2  # the write is committed


def test_a_write_holds_the_write_lock_from_its_begin(engine):
    """Two writers never both read and then try to upgrade: the second waits at its begin."""
    began, finish = threading.Event(), threading.Event()

    def writer():
        with engine.begin() as c:
            c.exec_driver_sql("SELECT count(*) FROM t").scalar()  # reads first, writes nothing yet
            began.set()
            assert finish.wait(SAFETY_S)

    t, box = _in_thread(writer)
    assert began.wait(SAFETY_S)
    _no_wait(engine)
    try:
        with pytest.raises(exc.OperationalError, match="locked"):
            with engine.begin() as c:
                c.exec_driver_sql("INSERT INTO t VALUES (3)")
        with engine.connect() as c:  # a read still goes on beside the writer
            assert c.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1
    finally:
        finish.set()
        t.join(SAFETY_S)
    assert "error" not in box, box.get("error")


def test_closing_the_store_while_a_lane_opens_its_connection(engine):
    """dispose() closing connection after connection while another thread adds its own used to
    raise "Set changed size during iteration" (seen in tests/ui/test_search_card.py)."""
    for _ in range(2):  # connections of two more threads, so dispose has several to close
        t, _box = _in_thread(lambda: engine.connect().close())
        t.join(SAFETY_S)
    closing, added = threading.Event(), threading.Event()

    @event.listens_for(engine.pool, "close")
    def _closing(_dbapi_conn, _record):
        if not closing.is_set():
            closing.set()
            assert added.wait(SAFETY_S)  # the lane's connection joins the pool mid-dispose

    def lane_opens():
        assert closing.wait(SAFETY_S)
        with engine.connect() as c:
            c.exec_driver_sql("SELECT 1").scalar()
            c.rollback()
        added.set()

    lane, box = _in_thread(lane_opens)
    try:
        engine.dispose()  # must not raise
    finally:
        added.set()
        lane.join(SAFETY_S)
    assert "error" not in box, box.get("error")
    with engine.connect() as c:  # the engine still works after the close
        assert c.exec_driver_sql("SELECT count(*) FROM t").scalar() == 1


def test_threads_coming_and_going_never_close_a_live_lane_s_connection(engine):
    """The I/O pool's threads expire and come back with new connections; past pool_size the pool
    used to close arbitrary ones, a lane's connection in the middle of its read among them."""
    read_open, others_done = threading.Event(), threading.Event()

    def lane_reads():
        with engine.connect() as c:
            c.exec_driver_sql("SELECT count(*) FROM t").scalar()
            read_open.set()
            assert others_done.wait(SAFETY_S)
            n = c.exec_driver_sql("SELECT count(*) FROM t").scalar()  # its connection is still open
            c.rollback()
        return n

    lane, box = _in_thread(lane_reads)
    assert read_open.wait(SAFETY_S)
    for _ in range(40):  # many short-lived threads, each with its own connection
        t, b = _in_thread(lambda: engine.connect().close())
        t.join(SAFETY_S)
        assert "error" not in b
    others_done.set()
    lane.join(SAFETY_S)
    assert "error" not in box, box.get("error")
    assert box["result"] == 1
