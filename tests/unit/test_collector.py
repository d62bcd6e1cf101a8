"""The cyclic collector is paused while a bulk job runs and comes back as it was (desktop.core.collector)."""
from __future__ import annotations

import gc
import threading
from pathlib import Path

import openpyxl
import pytest

from desktop.core import collector
from desktop.services.importer import Cancelled, run_import

from .test_importer import AT, HEADERS


@pytest.fixture(autouse=True)
def _collector_on():
    gc.enable()
    yield
    gc.enable()


def test_pauses_nest_and_the_collector_comes_back_after_the_last():
    with collector.paused():
        assert not gc.isenabled()
        with collector.paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer job still runs
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off():
    gc.disable()
    with collector.paused():
        pass
    assert not gc.isenabled()


def test_pauses_from_two_threads_end_with_the_collector_on():
    inside, release = threading.Event(), threading.Event()

    def job():
        with collector.paused():
            inside.set()
            release.wait(5)

    t = threading.Thread(target=job)
    t.start()
    inside.wait(5)
    with collector.paused():
        pass
    assert not gc.isenabled()  # the other thread's job is still running
    release.set()
    t.join(5)
    assert gc.isenabled()


def test_an_error_inside_still_restores_it():
    with pytest.raises(RuntimeError):
        with collector.paused():
            raise RuntimeError("boom")
    assert gc.isenabled()


def _sheet(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append([1, "京A12345", None, "张三", None, None, "交强险", None, None, "2026-12-31", None])
    wb.save(path)
    return path


def test_an_import_runs_without_the_collector_and_gives_it_back(tmp_path, app_ctx, admin):
    seen = []
    rep = run_import(app_ctx.store().engine, admin, _sheet(tmp_path / "one.xlsx"), at=AT,
                     cancel=lambda: seen.append(gc.isenabled()) or False)
    assert rep.imported == 1
    assert seen and not any(seen)
    assert gc.isenabled()


def test_a_cancelled_import_gives_the_collector_back(tmp_path, app_ctx, admin):
    with pytest.raises(Cancelled):
        run_import(app_ctx.store().engine, admin, _sheet(tmp_path / "one.xlsx"), at=AT, cancel=lambda: True)
    assert gc.isenabled()
