"""0011 on a store made by the previous version (tests/unit/data/store_0010.db: main at migration
0010 filled 60 demo vehicles, registered 林安君's car with a VIN and an ID number and recorded an
outcome): every row survives, the full-VIN and full-ID keys go and the same lookups still find
the car through the column indexes, due lists use the 交强险-only index, and the downgrade gives
the old rows and keys back."""
from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.services import lookup
from desktop.services.auth import StaffSession
from desktop.services.register import FieldErrors, NewRegistration, register
from desktop.store import migrate, vehicles_repo
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, indexes, old_store, rows


def _ids(engine, q: str) -> list[str]:
    return [m.vehicle_id for m in lookup.find(engine, q, AT)]


def test_upgrade_from_a_0010_store_keeps_every_row_and_every_answer(tmp_path):
    engine, meta = old_store(tmp_path, "0010")
    assert migrate.current_revision(engine) == "0010"
    before = rows(engine, COLUMNS_0010)
    assert {k[0] for k, _ in before["search_key"]} >= {"V", "I"}
    answers = {q: _ids(engine, q) for q in (meta["registered_vin"], meta["registered_id_number"],
                                            meta["registered_plate"], "林安君", meta["registered_vin"][-6:])}
    assert all(meta["registered_vehicle"] in ids for ids in answers.values())
    with engine.connect() as conn:
        due_before = sorted(vehicles_repo.vehicles_with_ci_end_between(conn, AT - timedelta(days=400),
                                                                       AT + timedelta(days=90)))
        conn.rollback()

    migrate.upgrade(engine, backup_dir=tmp_path / "backups")

    assert migrate.current_revision(engine) == migrate.head_revision()
    after = rows(engine, COLUMNS_0010)
    for t in COLUMNS_0010:
        if t != "search_key":
            assert after[t] == before[t], t
    # Only the full-VIN and full-ID keys went, and (0014) the plate keys of live vehicles whose plate
    # column holds that same plate (its index answers them); every other key is as it was.
    by_column = {("P" + r[1], r[0]) for r in before["vehicle"] if r[1] and r[-1] == 0}
    assert by_column
    assert after["search_key"] == {(k, v) for k, v in before["search_key"]
                                   if k[0] not in "VI" and (k, v) not in by_column}
    # 0011's ix_policy_term_ci_end went again in 0020 (store size); due lists read 0017's index.
    assert "ix_policy_term_kind_end" not in indexes(engine, "policy_term") and "ix_policy_term_ci_end" not in indexes(engine, "policy_term")
    # The same questions get the same vehicles (a full VIN or ID now through the column indexes).
    assert {q: _ids(engine, q) for q in answers} == answers
    with engine.connect() as conn:
        due = sorted(vehicles_repo.vehicles_with_ci_end_between(conn, AT - timedelta(days=400),
                                                                AT + timedelta(days=90)))
        plan = [r[3] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT DISTINCT vehicle_id FROM policy_term WHERE kind = 'CI' "
            "AND end_at >= ? AND end_at < ?", ("2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00"))]
        conn.rollback()
    assert due == due_before and len(due) > 10
    assert any("ix_policy_term_ci_vehicle" in line for line in plan), plan

    # The counter still refuses a VIN registered twice (it was a search-key check before).
    admin = StaffSession("admin", "admin")
    with pytest.raises(FieldErrors) as err:
        register(engine, admin, NewRegistration(plate="京A9X876", vin=meta["registered_vin"], name="王小明",
                                                phone="13800001234"), now=AT)
    assert "vin" in err.value.errors
    engine.dispose()


def test_downgrade_to_0010_gives_the_old_rows_and_keys_back(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    before = rows(engine, COLUMNS_0010)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, "0010")
    assert migrate.current_revision(engine) == "0010"
    assert rows(engine, COLUMNS_0010) == before
    assert "ix_policy_term_kind_end" in indexes(engine, "policy_term") and "ix_policy_term_ci_end" not in indexes(engine, "policy_term")
    engine.dispose()


def test_an_upgrade_that_leaves_the_file_sparse_packs_it(demo_ctx, monkeypatch):
    """0012 rebuilds policy_term; its old pages would stay free (the file ~11 % bigger at 1M). The
    300-vehicle store frees ~20 % of its pages; the threshold is lowered so the test does not ride on it."""
    monkeypatch.setattr(migrate, "FREE_PAGES_TO_PACK", 0.05)
    engine = demo_ctx.store().engine
    downgrade(engine, "0011")
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        free_before = raw.execute("PRAGMA freelist_count").fetchone()[0]
    migrate.upgrade(engine, backup_dir=None)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        pages = raw.execute("PRAGMA page_count").fetchone()[0]
        free_after = raw.execute("PRAGMA freelist_count").fetchone()[0]
    assert free_before > 0
    assert free_after / pages <= migrate.FREE_PAGES_TO_PACK
