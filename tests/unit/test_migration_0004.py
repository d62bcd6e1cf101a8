"""Upgrading a filled store through 0004 (tables rebuilt WITHOUT ROWID) keeps every row and lookup."""
from __future__ import annotations

from desktop.services import demo, lookup
from desktop.store import migrate
from tests.conftest import AT
from tests.unit.migration_helpers import store_at


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        out = {t: conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
               for t in ("customer", "vehicle", "policy_term", "search_key", "event")}
        conn.rollback()
    return out


def test_upgrade_from_0003_keeps_rows_and_answers(tmp_path):
    engine = store_at(tmp_path, "0003")
    demo.fill_demo(engine, 120, seed=11, at=AT, staff="t")
    before = _counts(engine)
    with engine.connect() as conn:
        plate = conn.exec_driver_sql("SELECT plate FROM vehicle LIMIT 1").scalar()
        conn.rollback()
    answer = [m.to_json() for m in lookup.find(engine, plate, AT)]

    copy = migrate.upgrade(engine, backup_dir=tmp_path / "backups")

    assert copy is not None and copy.exists()  # the pre-migration copy
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _counts(engine) == before
    assert [m.to_json() for m in lookup.find(engine, plate, AT)] == answer
    with engine.connect() as conn:
        ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'policy_term'").scalar()
        assert "WITHOUT ROWID" in ddl and conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        conn.rollback()
