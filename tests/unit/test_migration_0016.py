"""0016 on a store made by the previous version (tests/unit/data/store_0010.db brought to 0015 by the
app's own steps, then given a counter's renewal events as that version wrote them): every row
survives, work_index gains the event summary the triggers would have kept (stopped, the latest
assignee, the days of the latest fact and closing fact), the tabs read from it list what the
Python engine lists, a new event after the upgrade updates it, and the downgrade drops the
columns and gives the old index back."""
from __future__ import annotations

import json
from datetime import timedelta

from alembic.script import ScriptDirectory

from desktop.core.ids import new_id
from desktop.services import settings as settings_svc
from desktop.services.auth import StaffSession
from desktop.store import migrate, work_triggers, writes
from desktop.store.records import EventRec
from desktop.store.uuidcol import blob
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, indexes, old_store, rows
from tests.unit.test_work_repo import check

_BEFORE = ScriptDirectory.from_config(migrate._config()).get_revision("0016").down_revision
_DAY = 20788  # 2026-12-01 (AT) as a day number


def _vehicles(engine, n: int) -> list[str]:
    with engine.connect() as conn:
        out = [r[0] for r in conn.exec_driver_sql(
            "SELECT vehicle_id FROM work_index WHERE ci_end_at IS NOT NULL AND tier = 0 ORDER BY vehicle_id LIMIT ?", (n,))]
        conn.rollback()
    return out


def _add_events(engine, vids: list[str]) -> None:
    a, b, c = vids[:3]
    ev = [EventRec(new_id(), a, "contact_stop", None, json.dumps({"reason": "x"}), None, "ann", AT - timedelta(days=3)),
          EventRec(new_id(), b, "assign", None, json.dumps({"to": "bob"}), None, "boss", AT - timedelta(days=1)),
          EventRec(new_id(), b, "assign", None, json.dumps({"to": "ann"}), None, "boss", AT - timedelta(days=9)),
          EventRec(new_id(), b, "contact", "will_come", json.dumps({"channel": "phone", "next_date": "2026-12-04"}),
                   None, "ann", AT - timedelta(days=1)),
          EventRec(new_id(), b, "contact", "will_renew", json.dumps({"channel": "phone"}), None, "ann",
                   AT - timedelta(days=6)),
          EventRec(new_id(), c, "outcome", "sold", None, None, "ann", AT - timedelta(days=2)),
          EventRec(new_id(), c, "contact", "no_answer", json.dumps({"channel": "phone"}), None, "ann", AT)]
    with engine.begin() as conn:
        writes.insert_events(conn, ev)


def _summary(engine, vid: str) -> tuple:
    with engine.connect() as conn:
        out = conn.exec_driver_sql(f"SELECT {', '.join(work_triggers.SUMMARY_COLUMNS)} FROM work_index "
                                   "WHERE vehicle_id = ?", (blob(vid),)).one()
        conn.rollback()
    return tuple(out)


def test_upgrade_summarises_the_events_the_previous_version_wrote(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    vids = _vehicles(engine, 3)
    _add_events(engine, vids)
    before = rows(engine, COLUMNS_0010)

    migrate.upgrade(engine, backup_dir=None)

    assert migrate.current_revision(engine) == migrate.head_revision()
    assert rows(engine, COLUMNS_0010) == before
    a, b, c = vids
    day_before = (AT - timedelta(days=1)).isoformat()
    assert _summary(engine, a) == (_DAY - 3, None, 1, None, None, None, None, None)
    # the latest reached day, L (a named date) and the last contact (a promised visit on 12-04)
    assert _summary(engine, b) == (_DAY - 1, None, 0, "bob", day_before, "2026-11-30", day_before + "N2026-12-04",
                                   day_before + "V2026-12-04")
    assert _summary(engine, c) == (_DAY, _DAY - 2, 0, None, None, None, None, AT.isoformat() + "X")
    s = settings_svc.load(engine)
    check(engine, AT, s, StaffSession("super", "supervisor"))
    check(engine, AT, s, StaffSession("ann", "clerk"))
    # the triggers keep it after the upgrade
    with engine.begin() as conn:
        writes.insert_events(conn, [EventRec(new_id(), b, "assign", None, json.dumps({"to": "ann"}), None, "boss",
                                             AT)])
    assert _summary(engine, b)[3] == "ann"
    engine.dispose()


def test_downgrade_drops_the_summary_and_gives_the_old_index_back(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _add_events(engine, _vehicles(engine, 3))
    before = rows(engine, COLUMNS_0010)
    with engine.connect() as conn:
        old_index = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ix_work_index_end'").scalar()
        conn.rollback()
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, _BEFORE)
    assert migrate.current_revision(engine) == _BEFORE
    assert rows(engine, COLUMNS_0010) == before
    with engine.connect() as conn:
        cols = {r[1] for r in conn.exec_driver_sql("PRAGMA table_info(work_index)")}
        index = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'ix_work_index_end'").scalar()
        conn.rollback()
    assert not cols & set(work_triggers.SUMMARY_COLUMNS) and index == old_index
    assert "ix_work_index_end" in indexes(engine, "work_index")
    engine.dispose()
