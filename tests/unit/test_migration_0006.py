"""Upgrading a filled 0005 store to 0006 (events indexed by kind) keeps every event and serves the
after-sales reads (complaints, directory corrections) from the new index."""
from __future__ import annotations

from desktop.services import demo
from desktop.store import migrate
from tests.conftest import AT
from tests.unit.migration_helpers import store_at


def test_upgrade_from_0005_keeps_events_and_uses_the_kind_index(tmp_path):
    engine = store_at(tmp_path, "0005")
    demo.fill_demo(engine, 80, seed=5, at=AT, staff="t")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM event").scalar()
        conn.rollback()
    migrate.upgrade(engine, backup_dir=tmp_path / "backups")
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM event").scalar() == before
        plan = " ".join(r[-1] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT detail FROM event WHERE kind = 'complaint_opened' ORDER BY at, id"))
        conn.rollback()
    assert "ix_event_kind_at" in plan
