"""0014 on a store made by the previous version (tests/unit/data/store_0010.db, brought to the
migration before 0014 by the app's own steps), with a plate an old import kept unnormalised and a
deleted car: every row survives and reads back the same (vehicle.created_at and
customer.updated_at now epoch seconds), the plate keys the plate column answers go, the same
questions find the same cars (the odd plate through its kept key, never the deleted car), the
counter still refuses a plate registered twice, and the downgrade gives the old rows and keys back."""
from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory

from desktop.core.ids import new_id
from desktop.services.auth import StaffSession
from desktop.services.register import FieldErrors, NewRegistration, register
from desktop.store import migrate
from desktop.store.uuidcol import blob
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, old_store, rows
from tests.unit.test_migration_0011 import _ids

_BEFORE = ScriptDirectory.from_config(migrate._config()).get_revision("0014").down_revision
_ODD_PLATE = "京a 5R2T9"  # as an old import kept it: the normal form is 京A5R2T9
_GONE_PLATE = "京A7Q3W1"


def _add_odd_cars(engine, meta) -> tuple[str, str]:
    """A live car whose plate is stored unnormalised (with its keys, as the app then wrote them) and
    a deleted car (no keys)."""
    odd, gone = new_id(), new_id()
    with engine.begin() as conn:
        owner = conn.exec_driver_sql("SELECT owner_id FROM vehicle WHERE id = ?",
                                     (blob(meta["registered_vehicle"]),)).scalar()
        for vid, plate, deleted in ((odd, _ODD_PLATE, 0), (gone, _GONE_PLATE, 1)):
            conn.exec_driver_sql("INSERT INTO vehicle(id, plate, owner_id, created_at, deleted) VALUES (?, ?, ?, ?, ?)",
                                 (blob(vid), plate, blob(owner), "2026-11-03T09:30:00+08:00", deleted))
        conn.exec_driver_sql("INSERT INTO search_key(key, vehicle_id) VALUES (?, ?)", ("P京A5R2T9", blob(odd)))
    return odd, gone


def _plate_keys(got) -> set[tuple]:
    return {(k, v) for k, v in got["search_key"] if k[0] == "P"}


def _types(engine) -> set[str]:
    with engine.connect() as conn:
        out = {r[0] for r in conn.exec_driver_sql("SELECT typeof(created_at) FROM vehicle UNION "
                                                   "SELECT typeof(updated_at) FROM customer")}
        conn.rollback()
    return out


def test_upgrade_keeps_every_row_and_answer_with_fewer_keys(tmp_path):
    engine, meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    odd, gone = _add_odd_cars(engine, meta)
    before = rows(engine, COLUMNS_0010)
    assert "text" in _types(engine)
    plate = meta["registered_plate"]
    questions = (plate, plate[:3], plate[1:], "京A5R2T9", "京A5R", _GONE_PLATE, "林安君", meta["registered_vin"])
    answers = {q: _ids(engine, q) for q in questions}
    assert meta["registered_vehicle"] in answers[plate] and meta["registered_vehicle"] in answers[plate[:3]]
    assert odd in answers["京A5R2T9"] and odd in answers["京A5R"] and gone not in answers[_GONE_PLATE]

    migrate.upgrade(engine, backup_dir=None)

    assert migrate.current_revision(engine) == migrate.head_revision()
    after = rows(engine, COLUMNS_0010)
    for t in after:
        if t != "search_key":
            assert after[t] == before[t], t  # created_at / updated_at read back as the same text
    assert _types(engine) == {"integer"}
    # The plate keys of live cars whose plate column holds the same plate went; the odd one stayed.
    by_column = {("P" + r[1], r[0]) for r in before["vehicle"] if r[1] and r[-1] == 0}
    assert len(_plate_keys(before) & by_column) >= 60
    assert after["search_key"] == before["search_key"] - by_column
    assert _plate_keys(after) == {("P京A5R2T9", odd)}
    assert {q: _ids(engine, q) for q in questions} == answers
    with engine.connect() as conn:
        plan = [r[3] for r in conn.exec_driver_sql(
            "EXPLAIN QUERY PLAN SELECT id FROM vehicle WHERE plate = ? AND deleted = 0 ORDER BY id", (plate,))]
        conn.rollback()
    assert any("ix_vehicle_plate" in line for line in plan), plan

    # The counter still refuses a plate registered twice (a search-key check before).
    admin = StaffSession("admin", "admin")
    with pytest.raises(FieldErrors) as err:
        register(engine, admin, NewRegistration(plate=plate, name="王小明", phone="13800001234"), now=AT)
    assert "plate" in err.value.errors
    # New rows store numbers; a new car is found by its plate.
    register(engine, admin, NewRegistration(plate="京A3K8M2", name="王小明", phone="13800001234"), now=AT)
    assert _types(engine) == {"integer"} and len(_ids(engine, "京A3K8M2")) == 1
    engine.dispose()


def test_downgrade_gives_the_old_rows_and_keys_back(tmp_path):
    engine, meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _add_odd_cars(engine, meta)
    before = rows(engine, COLUMNS_0010)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, _BEFORE)
    assert migrate.current_revision(engine) == _BEFORE
    assert rows(engine, COLUMNS_0010) == before
    assert "text" in _types(engine) and "integer" not in _types(engine)
    engine.dispose()
