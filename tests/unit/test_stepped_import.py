"""The window's import in timed steps (services.stepped_import): steps grow to what fits in the
budget, only the closing step's commit is synced, and the connection the counter keeps using gets
its own settings back however the job ends (finished, failed, stopped)."""
from __future__ import annotations

from datetime import date, timedelta

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.services import importer, stepped_import
from desktop.services.stepped_import import SteppedImport
from tests.conftest import AT

ROWS = 120


@pytest.fixture
def sheet(tmp_path):
    fake = FakeData(20261202)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "车架号", "被保险人", "证件号码", "联系电话", "险种", "保单号", "保险起期", "保险止期"])
    for i in range(ROWS):
        start = date(2026, 1, 1) + timedelta(days=i % 300)
        ws.append([fake.plate(), fake.vin(), fake.name(), fake.id_number(), fake.mobile(), "交强险",
                   f"PDZA{i:08d}", start, start.replace(year=start.year + 1) - timedelta(days=1)])
    path = tmp_path / "承保清单.xlsx"
    wb.save(path)
    return path


def _settings(db) -> tuple:
    return tuple(db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "wal_autocheckpoint", "synchronous"))


def _traced(engine) -> tuple[object, list[str]]:
    db = engine.raw_connection().driver_connection  # this thread's connection: the one the steps use
    seen: list[str] = []
    db.set_trace_callback(seen.append)
    return db, seen


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        n = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
        conn.rollback()
    return n


def test_steps_grow_to_the_budget_and_only_the_closing_commit_is_synced(app_ctx, admin, sheet, monkeypatch):
    engine = app_ctx.store().engine
    monkeypatch.setattr(stepped_import, "STEP_ROWS", 10)
    db, seen = _traced(engine)
    before = _settings(db)
    job = SteppedImport(engine, admin, importer.prepare_import(sheet), at=AT)
    sizes = []
    while True:
        done_before = job.done
        last = job.step(budget_s=30.0)
        sizes.append(job.done - done_before)
        if last:
            break
    db.set_trace_callback(None)
    # The first step is STEP_ROWS (nothing timed yet); the next takes what fits in 30 s: the rest.
    assert sizes == [10, ROWS - 10]
    assert job.report.imported == ROWS and _count(engine, "policy_term") == ROWS
    assert _count(engine, "import_batch") == 1
    commits = [i for i, s in enumerate(seen) if s == "COMMIT"]
    assert len(commits) == 2
    first, closing = seen[:commits[0]], seen[commits[0] + 1:commits[1]]
    assert "PRAGMA synchronous = NORMAL" in first            # a step that records nothing: not synced
    assert "PRAGMA synchronous = NORMAL" not in closing     # the batch's own commit: FULL, as every write
    assert any(s.startswith("PRAGMA wal_checkpoint") for s in seen[commits[1]:])
    assert _settings(db) == before and before[2] == 2        # the counter's connection: FULL again


def test_a_failing_step_gives_the_connection_back_as_it_was(app_ctx, admin, sheet, monkeypatch):
    engine = app_ctx.store().engine
    monkeypatch.setattr(stepped_import, "STEP_ROWS", 10)
    db = engine.raw_connection().driver_connection
    before = _settings(db)
    job = SteppedImport(engine, admin, importer.prepare_import(sheet), at=AT)
    assert job.step(budget_s=0.0) is False
    assert _settings(db)[0] == max(before[0], -importer.IMPORT_CACHE_KIB)  # capped while the job runs
    assert _settings(db)[1] == stepped_import.CHECKPOINT_PAGES

    def boom(*a):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stepped_import, "_count", boom)
    with pytest.raises(RuntimeError):
        job.step(budget_s=0.0)
    assert _settings(db) == before
    assert _count(engine, "policy_term") == 10 and _count(engine, "import_batch") == 0  # the failed step rolled back


def test_stop_records_the_steps_done_and_gives_the_settings_back(app_ctx, admin, sheet, monkeypatch):
    engine = app_ctx.store().engine
    monkeypatch.setattr(stepped_import, "STEP_ROWS", 10)
    db = engine.raw_connection().driver_connection
    before = _settings(db)
    job = SteppedImport(engine, admin, importer.prepare_import(sheet), at=AT)
    job.step(budget_s=0.0)
    job.step(budget_s=0.0)
    rep = job.stop()
    assert rep is not None and rep.rows == 20 and job.stopped
    assert _count(engine, "policy_term") == 20 and _count(engine, "import_batch") == 1
    assert _settings(db) == before


def test_a_dry_run_in_steps_counts_as_the_import_and_writes_nothing(app_ctx, admin, sheet):
    engine = app_ctx.store().engine
    db = engine.raw_connection().driver_connection
    before = _settings(db)
    terms = _count(engine, "policy_term")
    job = SteppedImport(engine, admin, importer.prepare_import(sheet), dry_run=True, at=AT)
    while not job.step(budget_s=0.01):
        pass
    assert job.report.imported == ROWS and _count(engine, "policy_term") == terms
    assert _settings(db) == before
