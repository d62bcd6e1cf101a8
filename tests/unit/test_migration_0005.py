"""0005 on a store made by 0004: outbox rows gain their entity id, the sequence continues where the
outbox left off (no seq is reused), and customer loses name_initials but stays WITHOUT ROWID."""
from __future__ import annotations

import json

from desktop.core.fakes import FakeData
from desktop.core.hlc import HLC
from desktop.services import demo, lookup
from desktop.services.auth import StaffSession
from desktop.services.register import NewRegistration, register
from desktop.store import migrate
from tests.conftest import AT
from tests.unit.migration_helpers import store_at


def test_upgrade_from_0004_seeds_sequence_and_clock(tmp_path):
    engine = store_at(tmp_path, "0004")
    demo.fill_demo(engine, 40, seed=3, at=AT, staff="t")
    old_stamp = "001764554400000-00000003-local"
    with engine.begin() as conn:
        for seq, eid in ((1, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a51"), (2, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a52")):
            conn.exec_driver_sql(
                "INSERT INTO outbox(change_id, device_seq, entity, op, payload, hlc, created_at, state) "
                "VALUES (?, ?, 'event', 'insert', ?, ?, '2026-12-01T10:00:00+08:00', 'pending')",
                (f"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4b5{seq}", seq, json.dumps({"id": eid}),
                 old_stamp if seq == 2 else "001764554300000-00000000-local"))
        plate = conn.exec_driver_sql("SELECT plate FROM vehicle LIMIT 1").scalar()
    answer = [m.to_json() for m in lookup.find(engine, plate, AT)]

    migrate.upgrade(engine, backup_dir=tmp_path / "backups")

    assert migrate.current_revision(engine) == migrate.head_revision()
    assert [m.to_json() for m in lookup.find(engine, plate, AT)] == answer
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT device_seq, entity_id FROM outbox ORDER BY device_seq").fetchall() == [
            (1, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a51"), (2, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a52")]
        ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'customer'").scalar()
        assert "WITHOUT ROWID" in ddl and "name_initials" not in ddl
        conn.rollback()
    register(engine, StaffSession("admin", "admin"), NewRegistration(plate=FakeData(1).plate("ordinary"), name="李四"))
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT device_seq, hlc FROM outbox ORDER BY device_seq").fetchall()
        conn.rollback()
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert HLC.parse(rows[2][1]) > HLC.parse(old_stamp)
