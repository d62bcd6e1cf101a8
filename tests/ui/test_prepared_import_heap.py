"""The window's prepared import never hands the collector its records to walk (a search-box stall).

prepare_import runs on the I/O pool while the clerk types: 10⁵ records are ~10⁶ objects, and a
collection over them holds the GIL against the GUI thread for ~400 ms (bench/search_typing.py
--during import). None may run while they arrive, and none after: they leave the pause frozen.
"""
from __future__ import annotations

import gc
from datetime import date, timedelta

import openpyxl

from desktop.core.fakes import FakeData

ROWS = 3000


def _sheet(path):
    f = FakeData(91)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("清单")
    ws.append(["车牌号", "车架号", "被保险人", "证件号码", "联系电话", "险种", "保险起期", "保险止期"])
    start = date(2026, 1, 1)
    for i in range(ROWS):
        ws.append([f.plate("ordinary"), f.vin(), f.name(), f.id_number(), f.mobile(), "交强险",
                   start + timedelta(days=i % 300), start + timedelta(days=i % 300 + 364)])
    wb.save(path)
    return path


def test_no_collection_walks_the_prepared_records(backend, tmp_path):
    path = _sheet(tmp_path / "big.xlsx")
    walked: list[int] = []

    def watch(phase, info):
        if phase == "start":  # how many objects this collection is about to walk
            walked.append(sum(len(gc.get_objects(generation=g)) for g in range(info["generation"] + 1)))

    gc.collect()
    gc.callbacks.append(watch)
    try:
        prepared = backend.prepare_import(path, None, None, progress=lambda *a: None, cancel=lambda: False)
        records = list(prepared.records)
        gc.collect(0)  # what the next allocation would trigger anyway
    finally:
        gc.callbacks.remove(watch)
        gc.unfreeze()
    assert len(records) == ROWS and gc.isenabled()
    assert max(walked, default=0) < ROWS, walked  # the records (≥ 5 objects each) were out of reach
