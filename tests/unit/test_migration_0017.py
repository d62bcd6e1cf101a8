"""0017 on a store made by the previous version (tests/unit/data/store_0010.db brought to the
migration before 0017 by the app's own steps) holding renewal histories: every row survives, the
month's report after the upgrade — now read through ix_policy_term_ci_vehicle — gives the figures
the pure core gave before it, and the downgrade drops the index and keeps every row."""
from __future__ import annotations

from alembic.script import ScriptDirectory

from desktop.core import segments
from desktop.services import renewal_report
from desktop.services import settings as settings_svc
from desktop.store import migrate, renewal_repo
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, indexes, old_store, rows
from tests.unit.test_segments_sql import SUPER, _fill

_BEFORE = ScriptDirectory.from_config(migrate._config()).get_revision("0017").down_revision
_INDEX = "ix_policy_term_ci_vehicle"


def _report(engine, month: str, use_sql: bool = True) -> dict:
    return renewal_report.build(engine, SUPER, month, AT, settings_svc.load(engine), use_sql=use_sql).to_json()


def test_upgrade_keeps_every_row_and_the_report_reads_the_same_figures_through_the_index(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _fill(engine, 150, 21)
    before = rows(engine, COLUMNS_0010)
    want = {m: _report(engine, m, use_sql=False) for m in ("2026-11", "2027-11")}
    assert _INDEX not in indexes(engine, "policy_term")

    migrate.upgrade(engine, backup_dir=None)

    assert migrate.current_revision(engine) == migrate.head_revision()
    assert _INDEX in indexes(engine, "policy_term")
    assert rows(engine, COLUMNS_0010) == before
    assert {m: _report(engine, m) for m in want} == want
    assert want["2026-11"]["segments"][0]["due"]  # the histories do reach the report
    sql, prm = renewal_repo.segment_query(renewal_report.parse_month("2026-11")[0],
                                          renewal_report.parse_month("2026-11")[1], 90, segments.LAPSE_DAYS, True)
    with engine.connect() as conn:
        plan = " ".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, prm))
        conn.rollback()
    assert f"COVERING INDEX {_INDEX}" in plan
    engine.dispose()


def test_downgrade_drops_the_index_and_keeps_every_row(tmp_path):
    engine, _meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _fill(engine, 60, 22)
    before = rows(engine, COLUMNS_0010)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, _BEFORE)
    assert migrate.current_revision(engine) == _BEFORE
    assert _INDEX not in indexes(engine, "policy_term")
    assert rows(engine, COLUMNS_0010) == before
    engine.dispose()
