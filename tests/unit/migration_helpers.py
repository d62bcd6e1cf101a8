"""What the migration tests share: a store made by an earlier version (a saved one from
tests/unit/data, or a fresh one stopped at a revision), its rows table by table, its indexes, and
the downgrade as alembic runs it (foreign keys off, as SQLite's table rebuilds need).

A new migration's test: `engine, meta = old_store(tmp_path, "0010")`, `before = rows(engine,
COLUMNS_0010)`, upgrade, compare `rows(engine, COLUMNS_0010)` table by table, then `downgrade`.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path

from desktop.store import keys, migrate
from desktop.store.engine import make_engine, set_wal

DATA = Path(__file__).with_name("data")

# The columns compared before and after an upgrade, per table, as they stand in the saved stores.
COLUMNS_0008: dict[str, str] = {
    "customer": "id, name, phone, id_number, address, consent_contact, consent_mail, notes, hlc, updated_at, deleted",
    "vehicle": "id, plate, vin, vehicle_class, use, seats, energy, registered_on, owner_id, created_at, deleted",
    "policy_term": "id, vehicle_id, kind, insurer, policy_no, start_at, end_at, premium, float_coef, vehicle_tax, "
                   "source, as_of, verified_by",
    "event": "id, vehicle_id, kind, outcome, detail, note, staff, at, corrects",
    "letter_log": "id, vehicle_id, batch, printed_at, staff, ci_end_date, returned_at, return_reason",
}
SEARCH_KEY = {"search_key": "key, vehicle_id"}
COLUMNS_0010: dict[str, str] = {
    **COLUMNS_0008,
    # end_day left work_index in 0013 (the last covered day is computed from ci_end_at, which is
    # compared); test_migration_0013 checks it against the 0012 column
    "work_index": "vehicle_id, ci_end_at, ci_start_at, contactable, tier",
    **SEARCH_KEY,
    "outbox": "change_id, device_seq, entity, entity_id, op, payload, hlc, created_at, state",
}


def old_store(tmp_path: Path, revision: str):
    """A copy of the store main made at `revision` (tests/unit/data/store_<revision>.db) and what
    was put in it (its .json: key, the registered car's ids …): (engine, meta)."""
    meta = json.loads((DATA / f"store_{revision}.json").read_text(encoding="utf-8"))
    shutil.copy(DATA / f"store_{revision}.db", tmp_path / "renewdesk.db")
    engine = make_engine(tmp_path / "renewdesk.db", bytes.fromhex(meta["key_hex"]))
    set_wal(engine)
    return engine, meta


def store_at(tmp_path: Path, revision: str):
    """A new empty store migrated up to `revision` only (fill it as that version would)."""
    engine = make_engine(tmp_path / "old.db", keys.new_key())
    set_wal(engine)
    migrate.upgrade(engine, backup_dir=None, target=revision)
    return engine


def rows(engine, columns: Mapping[str, str]) -> dict[str, set[tuple]]:
    """{table: its rows as a set of tuples of `columns[table]`}."""
    with engine.connect() as conn:
        out = {t: set(conn.exec_driver_sql(f"SELECT {cols} FROM {t}").fetchall()) for t, cols in columns.items()}
        conn.rollback()
    return out


def indexes(engine, table: str) -> set[str]:
    with engine.connect() as conn:
        out = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index' "
                                                   "AND tbl_name = ?", (table,))}
        conn.rollback()
    return out


def downgrade(engine, target: str) -> None:
    from alembic import command

    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg = migrate._config()
                cfg.attributes["connection"] = conn
                command.downgrade(cfg, target)
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
