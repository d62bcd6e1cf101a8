"""0011 on a store made by the previous version (tests/unit/data/store_0010.db: main at migration
0010 filled 60 demo vehicles, registered 林安君's car with a VIN and an ID number and recorded an
outcome): every row survives, the full-VIN and full-ID keys go and the same lookups still find
the car through the column indexes, due lists use the 交强险-only index, and the downgrade gives
the old rows and keys back."""
from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from desktop.services import lookup
from desktop.services.auth import StaffSession
from desktop.services.register import FieldErrors, NewRegistration, register
from desktop.store import migrate, vehicles_repo
from desktop.store.engine import make_engine, set_wal
from tests.conftest import AT
from tests.unit.test_migration_0009 import _downgrade

DATA = Path(__file__).with_name("data")
_TABLES = {
    "customer": "id, name, phone, id_number, address, consent_contact, consent_mail, notes, hlc, updated_at, deleted",
    "vehicle": "id, plate, vin, vehicle_class, use, seats, energy, registered_on, owner_id, created_at, deleted",
    "policy_term": "id, vehicle_id, kind, insurer, policy_no, start_at, end_at, premium, float_coef, vehicle_tax, "
                   "source, as_of, verified_by",
    "event": "id, vehicle_id, kind, outcome, detail, note, staff, at, corrects",
    "letter_log": "id, vehicle_id, batch, printed_at, staff, ci_end_date, returned_at, return_reason",
    "work_index": "vehicle_id, ci_end_at, ci_start_at, end_day, contactable, tier",
    "search_key": "key, vehicle_id",
    "outbox": "change_id, device_seq, entity, entity_id, op, payload, hlc, created_at, state",
}


def _old_store(tmp_path):
    meta = json.loads((DATA / "store_0010.json").read_text(encoding="utf-8"))
    shutil.copy(DATA / "store_0010.db", tmp_path / "renewdesk.db")
    engine = make_engine(tmp_path / "renewdesk.db", bytes.fromhex(meta["key_hex"]))
    set_wal(engine)
    return engine, meta


def _rows(engine) -> dict[str, set[tuple]]:
    with engine.connect() as conn:
        out = {t: set(conn.exec_driver_sql(f"SELECT {cols} FROM {t}").fetchall()) for t, cols in _TABLES.items()}
        conn.rollback()
    return out


def _indexes(engine) -> set[str]:
    with engine.connect() as conn:
        out = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                   "AND tbl_name = 'policy_term'")}
        conn.rollback()
    return out


def _ids(engine, q: str) -> list[str]:
    return [m.vehicle_id for m in lookup.find(engine, q, AT)]


def test_upgrade_from_a_0010_store_keeps_every_row_and_every_answer(tmp_path):
    engine, meta = _old_store(tmp_path)
    assert migrate.current_revision(engine) == "0010"
    before = _rows(engine)
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
    after = _rows(engine)
    for t in _TABLES:
        if t != "search_key":
            assert after[t] == before[t], t
    # Only the full-VIN and full-ID keys went; every other key is as it was.
    assert after["search_key"] == {(k, v) for k, v in before["search_key"] if k[0] not in "VI"}
    assert "ix_policy_term_kind_end" not in _indexes(engine) and "ix_policy_term_ci_end" in _indexes(engine)
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
    assert any("ix_policy_term_ci_end" in line for line in plan), plan

    # The counter still refuses a VIN registered twice (it was a search-key check before).
    admin = StaffSession("admin", "admin")
    with pytest.raises(FieldErrors) as err:
        register(engine, admin, NewRegistration(plate="京A9X876", vin=meta["registered_vin"], name="王小明",
                                                phone="13800001234"), now=AT)
    assert "vin" in err.value.errors
    engine.dispose()


def test_downgrade_to_0010_gives_the_old_rows_and_keys_back(tmp_path):
    engine, _meta = _old_store(tmp_path)
    before = _rows(engine)
    migrate.upgrade(engine, backup_dir=None)
    _downgrade(engine, "0010")
    assert migrate.current_revision(engine) == "0010"
    assert _rows(engine) == before
    assert "ix_policy_term_kind_end" in _indexes(engine) and "ix_policy_term_ci_end" not in _indexes(engine)
    engine.dispose()


def test_an_upgrade_that_leaves_the_file_sparse_packs_it(demo_ctx, monkeypatch):
    """0012 rebuilds policy_term; its old pages would stay free (the file ~11 % bigger at 1M). The
    300-vehicle store frees ~20 % of its pages; the threshold is lowered so the test does not ride on it."""
    monkeypatch.setattr(migrate, "FREE_PAGES_TO_PACK", 0.05)
    engine = demo_ctx.store().engine
    _downgrade(engine, "0011")
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
