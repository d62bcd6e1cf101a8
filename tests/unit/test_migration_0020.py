"""0020 on a store made by the previous version (tests/unit/data/store_0010.db brought to the
migration before 0020 by the app's own steps) holding renewal histories — cars renewed early (an
earlier 交强险 term ending inside a later one), odd text times (tier 3), deleted cars: every row
survives, ix_policy_term_ci_end is gone, and the due-list candidates and the month's report give
the same answers as before it; the downgrade re-creates the index and keeps every row."""
from __future__ import annotations

from datetime import timedelta

from alembic.script import ScriptDirectory

from desktop.services import renewal_report
from desktop.services import settings as settings_svc
from desktop.store import migrate, vehicles_repo
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, indexes, old_store, rows
from tests.unit.test_segments_sql import SUPER, _fill

_BEFORE = ScriptDirectory.from_config(migrate._config()).get_revision("0020").down_revision
_INDEX = "ix_policy_term_ci_end"
_WINDOWS = [(AT - timedelta(days=400), AT + timedelta(days=90)), (AT, AT + timedelta(days=30)),
            (AT + timedelta(days=200), AT + timedelta(days=600))]


def _due(engine) -> list[list[str]]:
    with engine.connect() as conn:
        out = [sorted(vehicles_repo.vehicles_with_ci_end_between(conn, lo, hi)) for lo, hi in _WINDOWS]
        conn.rollback()
    return out


def _report(engine, month: str, use_sql: bool = True) -> dict:
    return renewal_report.build(engine, SUPER, month, AT, settings_svc.load(engine), use_sql=use_sql).to_json()


def test_upgrade_drops_the_index_and_every_answer_stays(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _fill(engine, 150, 23)
    before = rows(engine, COLUMNS_0010)
    due = _due(engine)
    reports = {m: _report(engine, m) for m in ("2026-11", "2027-11")}
    assert _INDEX in indexes(engine, "policy_term")

    migrate.upgrade(engine, backup_dir=None)

    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _INDEX not in indexes(engine, "policy_term")
    assert rows(engine, COLUMNS_0010) == before
    assert _due(engine) == due and all(len(d) > 5 for d in due)
    assert {m: _report(engine, m) for m in reports} == reports
    assert reports == {m: _report(engine, m, use_sql=False) for m in reports}  # and the pure core agrees
    assert reports["2026-11"]["segments"][0]["due"]
    engine.dispose()


def test_downgrade_re_creates_the_index_and_keeps_every_row(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _fill(engine, 60, 24)
    before = rows(engine, COLUMNS_0010)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, _BEFORE)
    assert migrate.current_revision(engine) == _BEFORE
    assert _INDEX in indexes(engine, "policy_term")
    assert rows(engine, COLUMNS_0010) == before
    assert _due(engine) and all(_due(engine))
    engine.dispose()
