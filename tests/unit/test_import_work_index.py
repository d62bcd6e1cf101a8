"""An import leaves work_index exactly as the triggers keep it (desktop.store.work_triggers): its chunks
suspend the insert triggers and refresh their cars set-based, so the tabs must read the same rows as
a full recompute, and the counter's own writes after (or instead of) an import must still be indexed."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.services import importer
from desktop.services.importer import Cancelled, run_import
from desktop.store import work_triggers, writes
from desktop.store.records import TermRec
from tests.conftest import AT
from tests.unit.test_work_repo import fill

HEADERS = ["车牌号", "车架号", "被保险人", "证件号码", "联系电话", "险种", "保单号", "保险起期", "保险止期", "保险公司"]


def _rows(engine) -> dict:
    with engine.connect() as conn:
        got = {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql("SELECT * FROM work_index")}
        conn.rollback()
    return got


def _recomputed(engine) -> dict:
    with engine.connect() as conn:
        conn.exec_driver_sql("DELETE FROM work_index")
        conn.exec_driver_sql(work_triggers.refresh("1"))
        got = {r[0]: tuple(r[1:]) for r in conn.exec_driver_sql("SELECT * FROM work_index")}
        conn.rollback()
    return got


def _triggers(engine) -> set[str]:
    with engine.connect() as conn:
        got = {n for (n,) in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        conn.rollback()
    return got


def _plates(engine) -> list[str]:
    with engine.connect() as conn:
        got = [p for (p,) in conn.exec_driver_sql("SELECT plate FROM vehicle WHERE plate IS NOT NULL ORDER BY plate")]
        conn.rollback()
    return got


def _workbook(path: Path, known_plates: list[str], new_cars: int, seed: int) -> Path:
    """New cars (交强险 and 商业险, a few with only 商业险) and, for cars the counter already holds,
    a later 交强险 under a new owner or the same plate's row again."""
    f = FakeData(seed + 100)  # other people than fill's
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for i in range(new_cars):
        plate, vin, name, idn, mobile = f.plate("ordinary"), f.vin(), f.name(), f.id_number(), f.mobile()
        start = date(2026, 1, 1) + timedelta(days=(i * 7) % 360)
        end = start.replace(year=start.year + 1)
        kinds = ("商业险",) if i % 9 == 0 else ("交强险", "商业险")
        for k in kinds:
            ws.append([plate, vin, name, idn, mobile, k, f"P{seed}{i:05d}{k[0]}", start, end, f.insurer()])
    for j, plate in enumerate(known_plates):
        start = date(2026, 12, 20) + timedelta(days=j % 30)
        ws.append([plate, None, f.name(), None, f.mobile(), "交强险", f"K{seed}{j:05d}", start,
                   start.replace(year=start.year + 1), f.insurer()])
    wb.save(path)
    return path


@pytest.mark.parametrize("seed", [1, 2])
def test_an_import_into_a_store_with_history_leaves_work_index_as_a_full_recompute(tmp_path, app_ctx, admin, seed):
    engine = app_ctx.store().engine
    fill(engine, 120, seed, AT)  # counter-made cars with terms, events, assignments and stops
    before = _triggers(engine)
    known = _plates(engine)[::3]
    path = _workbook(tmp_path / "export.xlsx", known, 150, seed)
    rep = run_import(engine, admin, path, at=AT)
    assert not rep.rejected and rep.imported > 150
    got = _rows(engine)
    assert got == _recomputed(engine)
    assert len(got) == 120 + 150  # one row a car, the new ones included
    assert _triggers(engine) == before  # every trigger is back, as it was
    # The same file again changes nothing (the ledger finds every row), work_index included.
    run_import(engine, admin, path, at=AT)
    assert _rows(engine) == got


def test_the_counters_writes_after_an_import_are_indexed_by_the_triggers(tmp_path, app_ctx, admin):
    engine = app_ctx.store().engine
    run_import(engine, admin, _workbook(tmp_path / "export.xlsx", [], 20, 3), at=AT)
    with engine.connect() as conn:
        (vid,) = conn.exec_driver_sql("SELECT id FROM vehicle LIMIT 1").fetchone()
        conn.rollback()
    later = TermRec(new_id(), vid, "CI", "2027-06-01T00:00:00+08:00", "2028-06-01T00:00:00+08:00", "人保", "LATER1",
                    as_of=AT.isoformat(), verified_by="admin")
    with engine.begin() as conn:
        writes.insert_terms(conn, (later,))
    got = _rows(engine)
    assert got[vid][0] == "2028-06-01T00:00:00+08:00"  # ci_end_at: the counter's later 交强险
    assert got == _recomputed(engine)


def test_a_cancelled_import_leaves_the_triggers_and_work_index_as_they_were(tmp_path, app_ctx, admin, monkeypatch):
    engine = app_ctx.store().engine
    fill(engine, 30, 4, AT)
    before_rows, before_triggers = _rows(engine), _triggers(engine)
    path = _workbook(tmp_path / "export.xlsx", _plates(engine), 40, 4)
    monkeypatch.setattr(importer, "BATCH_CHUNK", 10)  # cancelled after chunks were written (triggers suspended)
    asked = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 35

    with pytest.raises(Cancelled):
        run_import(engine, admin, path, at=AT, cancel=cancel)
    assert _triggers(engine) == before_triggers
    assert _rows(engine) == before_rows


def test_new_cars_rows_equal_a_full_recompute_across_chunks_owners_and_same_day_ends(tmp_path, app_ctx, admin,
                                                                                     monkeypatch):
    """The importer writes its new cars' rows itself (no event can name a car it just made): the
    latest-ending 交强险 with the earliest start among those ending then, a stored owner who refused
    contact, a car whose terms fall in two chunks, cars without any 交强险 — all as a recompute."""
    engine = app_ctx.store().engine
    f = FakeData(7)
    quiet = writes.CustomerRec(new_id(), f.name(), f.mobile(), f.id_number(), None, consent_contact=False)
    with engine.begin() as conn:
        writes.insert_customers(conn, (quiet,), AT)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for i in range(12):
        plate, vin = f.plate("ordinary"), f.vin()
        # the quiet owner as stored (no change to her row: no update trigger recomputes her cars)
        name, idn, mobile = (quiet.name, quiet.id_number, quiet.phone) if i % 4 == 0 else (f.name(), f.id_number(),
                                                                                            f.mobile())
        end = date(2027, 3, 1) + timedelta(days=i)
        rows = [("交强险", end.replace(year=2026), end, "A"), ("交强险", end.replace(year=2026) + timedelta(days=40), end, "B"),
                ("交强险", date(2025, 1, 1), date(2025, 12, 31), "C"), ("商业险", end.replace(year=2026), end, "D")]
        if i % 3 == 0:
            rows = rows[3:]  # only 商业险
        for k, start, stop, tag in rows:
            ws.append([plate, vin, name, idn, mobile, k, f"W{i:03d}{tag}", start, stop, f.insurer()])
    path = tmp_path / "cars.xlsx"
    wb.save(path)
    monkeypatch.setattr(importer, "BATCH_CHUNK", 5)  # a car's rows fall in two chunks
    rep = run_import(engine, admin, path, at=AT)
    assert not rep.rejected and rep.imported == 12 * 4 - 4 * 3
    got = _rows(engine)
    assert got == _recomputed(engine)
    assert len(got) == 12
    assert {row[2] for row in got.values()} == {0, 1}  # the quiet owner's cars are not contactable
