"""The counter's queue: each row marked only on its own result; resend from expected_seq; secrets
never stored in plain text; the clock hold and its one re-stamp."""
from __future__ import annotations

from desktop.services import register
from desktop.store.keyring_port import MemoryKeyring, NoKeyring
from desktop.sync import identity, protocol, queue
from tests.conftest import AT

DEV = "0190a000-0000-7000-8000-00000000000a"


def _db(conn):
    return conn.connection.driver_connection


def _queue(app_ctx, admin, n=2):
    for i in range(n):
        register.register(app_ctx.store().engine, admin, register.NewRegistration(plate=f"京A1234{i}", name="张三"),
                          now=AT)
    with app_ctx.store().engine.begin() as conn:
        return queue.next_batch(_db(conn))


def test_rows_are_marked_only_on_their_own_results(app_ctx, admin):
    rows = _queue(app_ctx, admin)
    assert [r.device_seq for r in rows] == [1, 2, 3, 4]
    reply = {"results": [
        {"change_id": rows[0].change_id, "device_seq": 1, "result": protocol.APPLIED},
        {"change_id": rows[1].change_id, "device_seq": 2, "result": protocol.DUPLICATE},
        {"change_id": rows[2].change_id, "device_seq": 99, "result": protocol.APPLIED},  # wrong seq: ignored
        {"change_id": "0190ffff-0000-7000-8000-000000000000", "device_seq": 4, "result": protocol.APPLIED},
    ], "expected_seq": 3}
    with app_ctx.store().engine.begin() as conn:
        m = queue.mark(_db(conn), rows, reply)
        states = [s for (s,) in _db(conn).execute("SELECT state FROM outbox ORDER BY device_seq")]
        nxt = queue.next_batch(_db(conn))
    assert (m.pushed, m.duplicates) == (1, 1)
    assert states == ["sent", "sent", "pending", "pending"]
    assert [r.device_seq for r in nxt] == [3, 4]


def test_a_head_office_that_lost_changes_gets_them_again_from_its_expected_seq(app_ctx, admin):
    rows = _queue(app_ctx, admin)
    ok = {"results": [{"change_id": r.change_id, "device_seq": r.device_seq, "result": protocol.APPLIED}
                      for r in rows], "expected_seq": 5}
    with app_ctx.store().engine.begin() as conn:
        queue.mark(_db(conn), rows, ok)
        assert queue.next_batch(_db(conn)) == []
        # head office restored from an older backup: it now expects seq 2 again
        queue.mark(_db(conn), [], {"results": [], "expected_seq": 2})
        assert [r.device_seq for r in queue.next_batch(_db(conn))] == [2, 3, 4]


def test_rejected_rows_stay_listed_and_the_queue_moves_on(app_ctx, admin):
    rows = _queue(app_ctx, admin, 1)
    reply = {"results": [{"change_id": rows[0].change_id, "device_seq": 1, "result": "rejected:bad_phone"},
                         {"change_id": rows[1].change_id, "device_seq": 2, "result": protocol.APPLIED}],
             "expected_seq": 3}
    with app_ctx.store().engine.begin() as conn:
        m = queue.mark(_db(conn), rows, reply)
        assert queue.next_batch(_db(conn)) == []
        assert _db(conn).execute("SELECT state FROM outbox WHERE device_seq = 1").fetchone()[0] == "rejected:bad_phone"
    assert m.rejected == 1


def test_a_clock_hold_is_kept_while_ahead_and_restamped_once_back(app_ctx, admin):
    rows = _queue(app_ctx, admin, 1)
    wall = protocol.hlc_wall_ms(rows[0].hlc)
    server = wall - 3 * 86_400_000  # we were 3 days ahead
    reply = {"results": [{"change_id": rows[0].change_id, "device_seq": 1, "result": protocol.DEFERRED_CLOCK},
                         {"change_id": rows[1].change_id, "device_seq": 2, "result": protocol.DEFERRED_GAP}],
             "expected_seq": 1}
    with app_ctx.store().engine.begin() as conn:
        db = _db(conn)
        assert queue.mark(db, rows, reply).clock
        assert queue.restamp_held(db, DEV, local_ms=wall, server_ms=server) == 0  # still ahead: hold
        assert identity.state(db, queue.CLOCK_HOLD_KEY)
        assert queue.restamp_held(db, DEV, local_ms=server + 1000, server_ms=server) == 2
        stamps = [h for (h,) in db.execute("SELECT hlc FROM outbox ORDER BY device_seq")]
        assert identity.state(db, queue.CLOCK_HOLD_KEY) is None
    assert all(protocol.hlc_wall_ms(s) <= server + 1000 for s in stamps) and stamps == sorted(stamps)
    assert len(set(stamps)) == 2


def test_the_token_is_never_stored_in_plain_text(app_ctx):
    store = app_ctx.store()
    e = identity.Enrolment("https://hq.example.cn", DEV, protocol.new_token(), protocol.new_batch_key())
    assert identity.save(store.engine, NoKeyring(), store.store_id, store.key, e) == "wrapped"
    with store.engine.connect() as conn:
        values = " ".join(str(v) for (v,) in _db(conn).execute("SELECT value FROM sync_state"))
    assert e.token not in values and e.batch_key not in values
    assert identity.load(store.engine, NoKeyring(), store.store_id, store.key) == e
    ring = MemoryKeyring()
    assert identity.save(store.engine, ring, store.store_id, store.key, e) == "keyring"
    assert identity.load(store.engine, ring, store.store_id, store.key) == e
    assert identity.load(store.engine, NoKeyring(), store.store_id, store.key) is None  # the keyring holds it
