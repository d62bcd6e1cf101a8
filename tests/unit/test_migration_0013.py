"""0013 on a store made by main at migration 0010 (tests/unit/data/store_0010.db) and stopped at 0012:
work_index keeps every vehicle's latest term, consent and tier, its times become epoch seconds (read
back as the same text), end_day goes (the last covered day is computed from the end), the store's
work tabs still equal the Python engine's, the triggers follow a new term, and the downgrade gives
the 0012 rows back, end_day included."""
from __future__ import annotations

from datetime import date, timedelta

from desktop.services import settings as settings_svc
from desktop.services.auth import StaffSession
from desktop.services.record import NewTerm, record_outcome
from desktop.store import migrate
from desktop.store.uuidcol import blob
from tests.conftest import AT
from tests.unit.migration_helpers import downgrade, old_store
from tests.unit.test_work_repo import SUPER, check

_OLD = "SELECT vehicle_id, ci_end_at, ci_start_at, end_day, contactable, tier FROM work_index"


def _old_rows(engine) -> set[tuple]:
    with engine.connect() as conn:
        out = set(conn.exec_driver_sql(_OLD).fetchall())
        conn.rollback()
    return out


def test_upgrade_keeps_each_vehicles_latest_term_as_numbers(tmp_path):
    engine, meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target="0012")
    before = _old_rows(engine)
    assert len(before) > 50 and all(isinstance(r[1], str) for r in before if r[1] is not None)

    migrate.upgrade(engine, backup_dir=None)

    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        cols = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(work_index)")]
        after = set(conn.exec_driver_sql(
            "SELECT vehicle_id, ci_end_at, ci_start_at, contactable, tier FROM work_index").fetchall())
        types = {r[0] for r in conn.exec_driver_sql(
            "SELECT typeof(ci_end_at) FROM work_index WHERE ci_end_at IS NOT NULL "
            "UNION SELECT typeof(ci_start_at) FROM work_index WHERE ci_start_at IS NOT NULL")}
        # the last covered day from the end as the tabs compute it, against the old column
        days = dict(conn.exec_driver_sql("SELECT vehicle_id, date(((CAST(ci_end_at AS INTEGER) + 28799) / 86400) "
                                         "* 86400, 'unixepoch') FROM work_index "
                                         "WHERE typeof(ci_end_at) = 'integer'").fetchall())
        conn.rollback()
    assert "end_day" not in cols and types == {"integer"}
    assert after == {(v, e, s, c, t) for v, e, s, _d, c, t in before}
    assert {v: d for v, _e, _s, d, _c, _t in before if d is not None} == days

    # The tabs decided in SQL over the new columns are the Python engine's, on this store.
    s = settings_svc.load(engine)
    check(engine, AT, s, SUPER)
    check(engine, AT + timedelta(days=40), s, SUPER)

    # A renewal written at the counter reaches work_index through the triggers, as a number.
    admin = StaffSession("admin", "admin")
    vid = meta["registered_vehicle"]
    start = AT.replace(hour=0, minute=0, second=0) + timedelta(days=3)
    record_outcome(engine, admin, vid, "renewed_here", now=AT,
                   new_term=NewTerm(insurer="人保", policy_no=None, start=start.date().isoformat(), end=None))
    with engine.connect() as conn:
        work = conn.exec_driver_sql("SELECT ci_start_at, typeof(ci_start_at) FROM work_index WHERE vehicle_id = ?",
                                    (blob(vid),)).one()
        conn.rollback()
    assert tuple(work) == (start.isoformat(timespec="seconds"), "integer")
    engine.dispose()


def test_downgrade_to_0012_gives_the_text_and_end_day_back(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target="0012")
    before = _old_rows(engine)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, "0012")
    assert migrate.current_revision(engine) == "0012"
    assert _old_rows(engine) == before
    assert date.fromisoformat(next(r[3] for r in before if r[3]))  # a real day, not a number
    engine.dispose()
