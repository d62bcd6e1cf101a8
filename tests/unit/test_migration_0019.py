"""0019 on a store at the previous version (tests/unit/data/store_0010.db brought to 0016 by the app's
own steps, then given a counter's renewal events): every row survives, work_index gains what the
plan reads from a case (the latest reached day, L and the last contact), the tabs read from it list
what the Python engine lists, and the downgrade drops the columns and gives 0016's index back."""
from __future__ import annotations

from datetime import timedelta

from alembic.script import ScriptDirectory

from desktop.services import settings as settings_svc
from desktop.services.auth import StaffSession
from desktop.store import migrate
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, old_store, rows
from tests.unit.test_migration_0016 import _add_events, _summary, _vehicles
from tests.unit.test_work_repo import check

_BEFORE = ScriptDirectory.from_config(migrate._config()).get_revision("0019").down_revision
_PLAN = ("reached_day", "l_key", "v_key")


def _index(engine) -> str:
    with engine.connect() as conn:
        out = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ix_work_index_end'").scalar()
        conn.rollback()
    return out


def test_upgrade_keeps_the_plan_of_each_case(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    a, b, c = _vehicles(engine, 3)
    _add_events(engine, [a, b, c])
    before = rows(engine, COLUMNS_0010)

    migrate.upgrade(engine, backup_dir=None)

    assert rows(engine, COLUMNS_0010) == before
    day_before = (AT - timedelta(days=1)).isoformat()
    assert _summary(engine, b)[-3:] == ("2026-11-30", day_before + "N2026-12-04", day_before + "V2026-12-04")
    assert _summary(engine, c)[-3:] == (None, None, AT.isoformat() + "X")
    s = settings_svc.load(engine)
    for at in (AT, AT + timedelta(days=3)):
        check(engine, at, s, StaffSession("super", "supervisor"))
    engine.dispose()


def test_downgrade_drops_the_plan_columns_and_gives_0016s_index_back(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _add_events(engine, _vehicles(engine, 3))
    before, old_index = rows(engine, COLUMNS_0010), _index(engine)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, _BEFORE)
    assert migrate.current_revision(engine) == _BEFORE
    assert rows(engine, COLUMNS_0010) == before
    with engine.connect() as conn:
        cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(work_index)")}
        conn.rollback()
    assert not cols & set(_PLAN) and "fact_dn" in cols and _index(engine) == old_index
    engine.dispose()
