"""The hash-chained audit log (DESIGN §4): what is recorded, what verify catches, what it never holds."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from desktop.services import auth, lookup, record
from desktop.services.errors import AuthFailed
from desktop.store import audit
from tests.conftest import ADMIN_PASSWORD, AT


def _rows(engine) -> list[tuple]:
    with engine.connect() as c:
        out = c.execute(text("SELECT seq, staff, action, target, detail FROM audit ORDER BY seq")).all()
        c.rollback()
    return out


def _exec(engine, sql: str, **p) -> None:
    with engine.begin() as c:
        c.execute(text(sql), p)


def _customer(engine) -> tuple[str, str, str, str]:
    """(vehicle id, plate, phone, 18-character ID) of a demo owner with a mobile and an ID."""
    with engine.connect() as c:
        r = c.execute(text("SELECT v.id, v.plate, c.phone, c.id_number FROM vehicle v JOIN customer c "
                           "ON c.id = v.owner_id WHERE c.id_number IS NOT NULL AND length(c.phone) = 11 "
                           "ORDER BY v.id LIMIT 1")).one()
        c.rollback()
    return tuple(r)


@pytest.fixture
def busy(demo_ctx, admin):
    """A demo store after a failed login, a login, lookups and a recorded outcome."""
    engine = demo_ctx.store().engine
    with pytest.raises(AuthFailed):
        auth.login(engine, "clerk", "wrong-password")
    clerk = auth.login(engine, "clerk", "clerk-pass-1")
    vid, plate, phone, idn = _customer(engine)
    for q in (plate, phone, phone[-4:], idn, idn[-4:]):
        assert vid in [m.vehicle_id for m in lookup.lookup(engine, clerk, q, AT)], q
    record.record_outcome(engine, clerk, vid, "will_come", note="下周来", now=AT)
    return demo_ctx


def test_actions_are_recorded_and_the_chain_verifies(busy):
    engine = busy.store().engine
    rows = _rows(engine)
    actions = [r[2] for r in rows]
    for a in ("staff_add", "login", "login_failed", "lookup", "record", "demo_fill"):
        assert a in actions
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    failed = [r for r in rows if r[2] == "login_failed"]
    assert failed[-1][1] == "clerk" and "wrong-password" not in (failed[-1][4] or "")
    assert actions[-7:] == ["login_failed", "login", "lookup", "lookup", "lookup", "lookup", "lookup", "record"][1:]
    report = audit.verify(engine)
    assert report.ok and report.entries == len(rows) and report.first_broken is None


def test_recent_lists_newest_first(busy):
    engine = busy.store().engine
    recent = audit.recent(engine, limit=3)
    assert [e.seq for e in recent] == sorted((e.seq for e in recent), reverse=True)
    assert recent[0].action == "record"
    assert {e.action for e in audit.recent(engine, limit=50, action="lookup")} == {"lookup"}


def test_tampered_detail_is_reported_at_that_entry(busy):
    engine = busy.store().engine
    seq = next(r[0] for r in _rows(engine) if r[2] == "lookup")
    _exec(engine, "UPDATE audit SET detail = '{\"matches\": 0}' WHERE seq = :s", s=seq)
    report = audit.verify(engine)
    assert not report.ok and report.first_broken == seq
    assert str(seq) in report.reason


@pytest.mark.parametrize("column", ["staff", "action", "at", "target"])
def test_any_tampered_field_is_reported(busy, column):
    engine = busy.store().engine
    seq = next(r[0] for r in _rows(engine) if r[2] == "record")
    _exec(engine, f"UPDATE audit SET {column} = 'x' WHERE seq = :s", s=seq)
    assert audit.verify(engine).first_broken == seq


def test_rehashed_entry_breaks_the_link_to_the_next(busy):
    """Rewriting an entry and its own hash still shows: the next entry no longer points at it."""
    engine = busy.store().engine
    rows = _rows(engine)
    seq = rows[3][0]
    _exec(engine, "UPDATE audit SET staff = 'nobody', hash = :h WHERE seq = :s", h="f" * 64, s=seq)
    report = audit.verify(engine)
    assert not report.ok and report.first_broken in (seq, seq + 1)


def test_deleted_entry_is_reported(busy):
    engine = busy.store().engine
    seq = next(r[0] for r in _rows(engine) if r[2] == "login_failed")
    _exec(engine, "DELETE FROM audit WHERE seq = :s", s=seq)
    report = audit.verify(engine)
    assert not report.ok and report.first_broken == seq
    assert str(seq) in report.reason


def test_deleted_and_renumbered_entries_are_reported(busy):
    engine = busy.store().engine
    seq = next(r[0] for r in _rows(engine) if r[2] == "login")
    _exec(engine, "DELETE FROM audit WHERE seq = :s", s=seq)
    _exec(engine, "UPDATE audit SET seq = seq - 1 WHERE seq > :s", s=seq)
    report = audit.verify(engine)
    assert not report.ok and report.first_broken == seq


def test_audit_never_holds_the_customers_phone_or_id(busy):
    engine = busy.store().engine
    _vid, _plate, phone, idn = _customer(engine)
    with engine.connect() as c:
        blob = "\n".join(str(v) for row in c.execute(text("SELECT * FROM audit")) for v in row)
        c.rollback()
    assert phone not in blob and idn not in blob


def test_lookup_entry_names_the_staff_and_counts_matches(demo_ctx, admin):
    engine = demo_ctx.store().engine
    vid, plate, *_ = _customer(engine)
    lookup.lookup(engine, admin, plate, AT)
    last = audit.recent(engine, limit=1)[0]
    assert (last.action, last.staff) == ("lookup", "admin")
    assert '"matches": 1' in last.detail and plate in last.detail


def test_login_entries(app_ctx):
    engine = app_ctx.store().engine
    auth.login(engine, "admin", ADMIN_PASSWORD)
    with pytest.raises(AuthFailed):
        auth.login(engine, "nobody", "whatever")
    a, b = audit.recent(engine, limit=2)[::-1]
    assert (a.action, a.staff) == ("login", "admin")
    assert (b.action, b.staff) == ("login_failed", "nobody")
    assert audit.verify(engine).ok


# --- The anchored head (issue 10 item 3): a deleted tail must show, not only a broken link. ---

def _anchor(ctx):
    return ctx.store().anchor


def test_deleted_tail_is_reported_against_the_anchor(busy):
    engine = busy.store().engine
    last = _rows(engine)[-1][0]
    assert busy.store().anchor.read().seq == last  # every committed entry is anchored
    _exec(engine, "DELETE FROM audit WHERE seq > :s", s=last - 3)
    assert audit.verify(engine).ok  # the chain alone cannot see it: that is the hole being closed
    report = audit.verify(engine, _anchor(busy))
    assert not report.ok and report.first_broken == last - 2
    assert "末尾" in report.reason and str(last) in report.reason


def test_deleted_last_entry_alone_is_reported(busy):
    engine = busy.store().engine
    last = _rows(engine)[-1][0]
    _exec(engine, "DELETE FROM audit WHERE seq = :s", s=last)
    assert not audit.verify(engine, _anchor(busy)).ok


def test_rewritten_last_entry_with_a_fresh_hash_is_reported(busy):
    """Rewriting the head entry and recomputing its hash keeps the chain whole; the anchor holds."""
    engine = busy.store().engine
    seq, at, staff, action, target, detail, prev, _h = _full(engine)[-1]
    forged = audit._entry_hash(prev, seq, at, "nobody", action, target, detail)
    _exec(engine, "UPDATE audit SET staff = 'nobody', hash = :h WHERE seq = :s", h=forged, s=seq)
    assert audit.verify(engine).ok
    report = audit.verify(engine, _anchor(busy))
    assert not report.ok and report.first_broken == seq


def test_middle_deletion_and_single_field_are_reported_with_the_anchor_too(busy):
    engine = busy.store().engine
    rows = _rows(engine)
    _exec(engine, "UPDATE audit SET target = 'x' WHERE seq = :s", s=rows[-2][0])
    assert audit.verify(engine, _anchor(busy)).first_broken == rows[-2][0]
    _exec(engine, "DELETE FROM audit WHERE seq = :s", s=rows[2][0])
    assert audit.verify(engine, _anchor(busy)).first_broken == rows[2][0]


def test_edited_anchor_file_is_reported(busy):
    path = busy.store().anchor.path
    d = json.loads(path.read_text("utf-8"))
    d["seq"] -= 2  # an attacker moving the anchor back to hide a deleted tail
    path.write_text(json.dumps(d), "utf-8")
    report = audit.verify(busy.store().engine, _anchor(busy))
    assert not report.ok and "锚点" in report.reason


def test_an_edited_anchor_is_not_overwritten_by_the_next_write(busy):
    """Before: the next log-in's audit entry replaced a forged anchor, and verify passed again."""
    engine, path = busy.store().engine, busy.store().anchor.path
    last = _rows(engine)[-1][0]
    _exec(engine, "DELETE FROM audit WHERE seq >= :s", s=last - 1)  # the tail goes ...
    path.write_text("not an anchor", "utf-8")  # ... and the anchor is spoiled
    audit.record(engine, "login", "admin")
    assert path.read_text("utf-8") == "not an anchor"
    assert not audit.verify(engine, _anchor(busy)).ok


def test_an_anchor_deleted_while_running_is_not_recreated_by_writes(busy):
    engine, path = busy.store().engine, busy.store().anchor.path
    last = _rows(engine)[-1][0]
    _exec(engine, "DELETE FROM audit WHERE seq >= :s", s=last - 1)
    path.unlink()
    audit.record(engine, "login", "admin")
    assert not path.exists()
    report = audit.verify(engine, _anchor(busy))
    assert not report.ok and "锚点" in report.reason


def test_a_rolled_back_entry_is_never_anchored(busy):
    engine = busy.store().engine
    before = busy.store().anchor.read()
    with pytest.raises(RuntimeError), engine.begin() as conn:
        audit.append(conn, "lookup", "admin")
        raise RuntimeError("the caller's transaction fails after the audit entry")
    assert busy.store().anchor.read() == before
    assert audit.verify(engine, _anchor(busy)).ok


def test_an_anchor_left_behind_by_a_crash_is_accepted(busy):
    """A crash between COMMIT and the anchor write leaves the anchor one transaction behind: the
    newer entries still chain from it, so verify passes (nothing was removed)."""
    from desktop.store.engine import make_engine

    store = busy.store()
    other = make_engine(store.db_path, store.key)  # no anchor attached: as if the process died
    try:
        audit.record(other, "lookup", "admin")
    finally:
        other.dispose()
    assert store.anchor.read().seq == _rows(store.engine)[-1][0] - 1
    assert audit.verify(store.engine, store.anchor).ok
    audit.record(store.engine, "lookup", "admin")  # the next write catches the anchor up
    assert store.anchor.read() == audit.head(store.engine)


def test_a_removed_anchor_is_recreated_and_the_chain_says_so(app_ctx, admin):
    from desktop.store.store import open_store

    store = app_ctx.store()
    store.anchor.path.unlink()
    assert not audit.verify(store.engine, store.anchor).ok
    app_ctx.close()
    reopened = open_store(store.data_dir, lambda: "unused", app_ctx.keyring)
    try:
        assert audit.recent(reopened.engine, limit=1)[0].action == "audit_anchor_reset"
        assert audit.verify(reopened.engine, reopened.anchor).ok
    finally:
        reopened.close()


def test_audit_head_is_the_last_entry(busy):
    engine = busy.store().engine
    seq, *_rest, h = _full(engine)[-1]
    assert audit.head(engine).to_json() == {"seq": seq, "hash": h}


def _full(engine) -> list[tuple]:
    with engine.connect() as c:
        out = c.execute(text("SELECT seq, at, staff, action, target, detail, prev_hash, hash FROM audit "
                             "ORDER BY seq")).all()
        c.rollback()
    return out
