"""Upgrading a filled 0009 store to work_index (0010) fills it from the stored rows: the tabs
decided in SQL equal the Python engine's on the old rows, and later writes keep it exact."""
from __future__ import annotations

from desktop.services import demo, worklist
from desktop.services import settings as settings_svc
from desktop.store import migrate
from tests.conftest import AT
from tests.unit.migration_helpers import store_at
from tests.unit.test_work_repo import SUPER, fill, reference


def test_upgrade_from_0009_fills_the_work_index_from_the_stored_rows(tmp_path):
    engine = store_at(tmp_path, "0009")
    demo.fill_demo(engine, 300, seed=5, at=AT, staff="t")
    fill(engine, 200, 11, AT)  # contacts, stops, closes, assignments
    migrate.upgrade(engine, backup_dir=tmp_path / "backups")
    assert migrate.current_revision(engine) == migrate.head_revision()
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT count(*) FROM work_index").scalar()
        conn.rollback()
    assert rows == 500
    s = settings_svc.load(engine)
    want, capped = reference(engine, SUPER, AT, s)
    got = worklist.build(engine, SUPER, AT, s, limit=10**6)
    assert {t: [r.vehicle_id for r in rows] for t, rows in got.tabs.items()} == want
    assert sum(len(v) for v in want.values()) > 100
    fill(engine, 100, 12, AT)  # written after the upgrade: the triggers are in place
    want, capped = reference(engine, SUPER, AT, s)
    assert worklist.build(engine, SUPER, AT, s, limit=10**6).counts() == {t: len(v) for t, v in want.items()}
    engine.dispose()
