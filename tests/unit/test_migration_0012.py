"""0012 on a store made by main at migration 0010 (tests/unit/data/store_0010.db), with term times
added in other forms a sync peer could have sent (another offset, a fraction, a space for the T)
and one that names no instant: every instant becomes epoch seconds and reads back as the same
text (the other forms as the same instant in +08:00), range queries find them by instant, the
no-instant text stays text and its vehicle with the Python engine, work_index is otherwise the
same, new writes store numbers, and the downgrade gives the old text back."""
from __future__ import annotations

from datetime import timedelta

from desktop.core.ids import new_id
from desktop.services.auth import StaffSession
from desktop.services.record import NewTerm, record_outcome
from desktop.store import migrate, vehicles_repo
from desktop.store.uuidcol import blob
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, old_store, rows

# (stored text, the instant it names in the usual form)
_ODD = (("2026-12-20T00:00:00+00:00", "2026-12-20T08:00:00+08:00"),
        ("2026-12-21T00:00:00.500000+08:00", "2026-12-21T00:00:00+08:00"),
        ("2026-12-22 00:00:00+08:00", "2026-12-22T00:00:00+08:00"),
        ("2026-12-23 morning", "2026-12-23 morning"))


def _add_odd_terms(engine) -> list[str]:
    with engine.begin() as conn:
        vids = [r[0] for r in conn.exec_driver_sql("SELECT id FROM vehicle ORDER BY id LIMIT 4")]
        for vid, (end, _) in zip(vids, _ODD, strict=True):
            conn.exec_driver_sql("INSERT INTO policy_term(id, vehicle_id, kind, start_at, end_at, source, as_of) "
                                 "VALUES (?, ?, 'CI', '2025-12-20T00:00:00+08:00', ?, 'counter', ?)",
                                 (blob(new_id()), blob(vid), end, end))
    return vids


def _types(engine) -> set[str]:
    with engine.connect() as conn:
        out = {r[0] for r in conn.exec_driver_sql(
            "SELECT typeof(start_at) FROM policy_term UNION SELECT typeof(end_at) FROM policy_term "
            "UNION SELECT typeof(as_of) FROM policy_term")}
        conn.rollback()
    return out


def test_upgrade_stores_every_instant_as_a_number(tmp_path):
    engine, meta = old_store(tmp_path, "0010")
    odd_vids = _add_odd_terms(engine)
    before = rows(engine, COLUMNS_0010)

    migrate.upgrade(engine, backup_dir=None)

    assert migrate.current_revision(engine) == migrate.head_revision()
    after = rows(engine, COLUMNS_0010)
    for t in ("vehicle", "customer", "event"):
        assert after[t] == before[t], t
    renamed = dict(_ODD)
    assert after["policy_term"] == {tuple(renamed.get(v, v) if i in (5, 6, 11) else v for i, v in enumerate(r))
                                    for r in before["policy_term"]}
    # work_index: the vehicles with other forms are now decided on their instants; the rest as they were.
    assert {r for r in after["work_index"] if r[0] not in odd_vids} == \
        {r for r in before["work_index"] if r[0] not in odd_vids}
    with engine.connect() as conn:
        text_ends = [r[0] for r in conn.exec_driver_sql("SELECT end_at FROM policy_term WHERE typeof(end_at) != 'integer'")]
        numbers = conn.exec_driver_sql("SELECT count(*) FROM policy_term WHERE typeof(start_at) = 'integer' "
                                       "AND typeof(end_at) = 'integer' AND typeof(as_of) = 'integer'").scalar()
        # Range queries over values that did not round-trip: found by the instant they name.
        utc_day = vehicles_repo.vehicles_with_ci_end_between(conn, AT.replace(day=20, hour=8), AT.replace(day=20, hour=9))
        day_before = vehicles_repo.vehicles_with_ci_end_between(conn, AT.replace(day=19), AT.replace(day=20, hour=8))
        fraction = vehicles_repo.vehicles_with_ci_end_between(conn, AT.replace(day=21, hour=0), AT.replace(day=21, hour=1))
        tiers = dict(conn.exec_driver_sql("SELECT vehicle_id, tier FROM work_index WHERE vehicle_id IN (?, ?, ?, ?)",
                                          tuple(blob(v) for v in odd_vids)).fetchall())
        conn.rollback()
    assert text_ends == ["2026-12-23 morning"] and numbers == len(after["policy_term"]) - 1
    assert odd_vids[0] in utc_day and odd_vids[0] not in day_before and odd_vids[1] in fraction
    assert tiers[odd_vids[3]] == 3  # the text that names no instant: the Python engine decides

    # A new term written at the counter is stored as numbers and read back as its ISO text.
    admin = StaffSession("admin", "admin")
    vid = meta["registered_vehicle"]
    start = AT.replace(hour=0, minute=0, second=0) + timedelta(days=3)
    record_outcome(engine, admin, vid, "renewed_here", now=AT,
                   new_term=NewTerm(insurer="人保", policy_no=None, start=start.date().isoformat(), end=None))
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT start_at, typeof(start_at), typeof(end_at), typeof(as_of) FROM policy_term "
                                   "WHERE vehicle_id = ? AND insurer = '人保'", (blob(vid),)).one()
        work = conn.exec_driver_sql("SELECT ci_start_at FROM work_index WHERE vehicle_id = ?", (blob(vid),)).scalar()
        conn.rollback()
    assert row == (start.isoformat(timespec="seconds"), "integer", "integer", "integer")
    assert work == row[0]  # the trigger copies it into work_index as the same text
    engine.dispose()


def test_downgrade_to_0011_gives_the_text_back(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target="0011")
    before = rows(engine, COLUMNS_0010)
    migrate.upgrade(engine, backup_dir=None)
    assert "integer" in _types(engine)
    downgrade(engine, "0011")
    assert migrate.current_revision(engine) == "0011"
    assert rows(engine, COLUMNS_0010) == before
    assert _types(engine) == {"text"}
    engine.dispose()
