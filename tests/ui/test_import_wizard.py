"""The import wizard on a small messy workbook: guessed mapping, an override, dry run, import,
cancel, the error report, unreadable files. Identities come from desktop.core.fakes only."""
from __future__ import annotations

from datetime import date

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.services import importer, stepped_import
from desktop.store import audit
from desktop.ui.import_wizard import ImportWizard
from tests.ui.conftest import check_elder, count_rows, elder, shot, wait_until_true

GOOD = 6


@pytest.fixture
def messy(tmp_path):
    """Title rows above the header, an unknown column, two bad rows, a second sheet."""
    fake = FakeData(20261201)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "续保清单"
    ws.append(["2026年12月续保清单（示例）"])
    ws.append(["导出时间：2026-12-01"])
    ws.append(["序号", "车牌号", "车架号", "被保险人", "联系电话", "险种", "保险止期", "寄信用"])
    plates = []
    for i in range(GOOD):
        who = fake.identity()
        plates.append(who.plate)
        ws.append([i + 1, who.plate, who.vin, who.name, who.mobile, "交强险", date(2027, 1, 10 + i), who.address])
    ws.append([7, None, None, fake.name(), fake.mobile(), "交强险", date(2027, 2, 1), fake.address()])
    ws.append([8, fake.plate("ordinary"), fake.vin(), fake.name(), fake.mobile(), "交强险", "明年" + "再说" * 40, None])
    wb.create_sheet("说明").append(["本表由示例系统导出"])
    path = tmp_path / "续保清单.xlsx"
    wb.save(path)
    return path, plates


def _open(win, qtbot, path) -> ImportWizard:
    win.import_btn.click()
    dlg = win.batch_dialog
    assert isinstance(dlg, ImportWizard)
    qtbot.waitExposed(dlg)
    dlg.open_file(path)
    qtbot.waitUntil(lambda: dlg.sheet.count() > 0 and dlg.next_btn.isEnabled(), timeout=10000)
    return dlg


def _to_mapping(dlg, qtbot) -> None:
    with qtbot.waitSignal(dlg.step_shown, timeout=10000, check_params_cb=lambda s: s == dlg.MAPPING):
        dlg.next_btn.click()


def _to(dlg, qtbot, step, timeout=30000) -> None:
    with qtbot.waitSignal(dlg.step_shown, timeout=timeout, check_params_cb=lambda s: s == step):
        dlg.next_btn.click()


def test_mapping_override_dry_run_import_and_report(super_window, backend, qtbot, messy, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    path, plates = messy
    engine = backend.engine
    vehicles = count_rows(engine, "vehicle")
    dlg = _open(super_window, qtbot, path)
    assert [dlg.sheet.itemText(i) for i in range(dlg.sheet.count())] == ["续保清单", "说明"]
    shot(dlg, "import_wizard_file")

    _to_mapping(dlg, qtbot)
    pv = dlg.preview
    assert pv.header_row == 3 and pv.sheet == "续保清单"
    assert pv.columns["车牌号"] == "plate" and pv.columns["保险止期"] == "end" and pv.columns["被保险人"] == "owner"
    assert "寄信用" not in pv.columns                              # not recognised
    assert dlg.field_box("车牌号").currentData() == "plate" and dlg.field_box("寄信用").currentData() == ""
    assert dlg.table.item(1, 1).text() == plates[0]                # the first data row under its header
    assert "第 3 行" in dlg.map_info.text()

    box = dlg.field_box("寄信用")                                  # the clerk says: this is the address
    with qtbot.waitSignal(dlg.step_shown, timeout=10000):
        box.setCurrentIndex(box.findData("address"))
    assert dlg.overrides == {"寄信用": "address"} and dlg.preview.columns["寄信用"] == "address"
    assert dlg.field_box("寄信用").currentData() == "address"
    shot(dlg, "import_wizard_mapping")

    _to(dlg, qtbot, dlg.DRY)                                       # dry run
    rep = dlg.dry_report
    assert (rep.rows, rep.imported, rep.updated, rep.duplicates, len(rep.rejected)) == (GOOD + 2, GOOD, 0, 0, 2)
    assert count_rows(engine, "vehicle") == vehicles and count_rows(engine, "import_batch") == 0
    assert dlg.rejects.rowCount() == 2
    assert dlg.rejects.item(0, 0).text() == str(3 + GOOD + 1) and "车牌" in dlg.rejects.item(0, 3).text()
    long_value = dlg.rejects.item(1, 2).text()      # the rejected value, cut to 60 as the report does
    assert long_value.startswith("明年再说") and long_value.endswith("…（共 82 字）") and len(long_value) < 75
    assert "拒收 2" in dlg.dry_counts.text()
    shot(dlg, "import_wizard_dry_run")

    _to(dlg, qtbot, dlg.SUMMARY)                                   # the import itself
    assert count_rows(engine, "vehicle") == vehicles + GOOD and count_rows(engine, "import_batch") == 1
    found = backend.find(plates[0], lambda *a: None, lambda: False)
    assert found and found[0].plate == plates[0]
    assert dlg.report_btn.isVisible() and "新增 6" in dlg.summary.text()
    kept = dlg.import_rejects                       # after the import the rejected rows stay listed
    assert kept.isVisible() and kept.rowCount() == 2 and kept.item(1, 2).text() == long_value
    assert [kept.horizontalHeaderItem(i).text() for i in range(4)] == ["行号", "列", "内容", "原因"]

    out = tmp_path / "errors.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    dlg.report_btn.click()
    qtbot.waitUntil(lambda: out.exists() and "errors.xlsx" in dlg.report_note.text(), timeout=10000)
    rows = list(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][-2:] == ("原行号", "错误原因") and [r[-2] for r in rows[1:]] == [10, 11]
    shot(dlg, "import_wizard_summary")
    dlg.accept()


def test_cancel_while_reading_stores_nothing(super_window, backend, qtbot, messy, monkeypatch):
    """The sheet is read on the I/O pool before anything is written: 取消 then stores nothing."""
    real = importer.prepare_import
    held = []

    def slow(*a, cancel=None, **kw):
        def gate() -> bool:
            if not held:                             # the first row read: hold until 取消 is pressed
                held.append(1)
                assert wait_until_true(cancel)
            return cancel()
        return real(*a, cancel=gate, **kw)

    engine = backend.engine
    vehicles, audits = count_rows(engine, "vehicle"), count_rows(engine, "audit")
    dlg = _open(super_window, qtbot, messy[0])
    _to_mapping(dlg, qtbot)
    _to(dlg, qtbot, dlg.DRY)
    monkeypatch.setattr(importer, "prepare_import", slow)
    dlg.next_btn.click()
    qtbot.waitUntil(lambda: bool(held), timeout=20000)
    assert dlg.progress.isVisible() and not dlg.next_btn.isEnabled()
    shot(dlg, "import_wizard_progress")
    with qtbot.waitSignal(dlg.step_shown, timeout=20000):
        dlg.progress.cancel_btn.click()
    assert dlg.step == dlg.SUMMARY and "取消" in dlg.summary.text() and not dlg.report_btn.isVisible()
    assert count_rows(engine, "vehicle") == vehicles and count_rows(engine, "import_batch") == 0
    assert count_rows(engine, "audit") == audits
    dlg.reject()


def _hold_after_first_chunk(monkeypatch, on_step=None):
    """Steps of 3 rows; the real import holds after its first step until the test says go."""
    import threading

    from desktop.ui import backend as backend_mod
    from desktop.ui.backend import Backend

    monkeypatch.setattr(stepped_import, "STEP_ROWS", 3)
    monkeypatch.setattr(backend_mod, "IMPORT_STEP_S", 0.0)  # steps of STEP_ROWS rows
    real = Backend.import_step
    held, go = threading.Event(), threading.Event()

    def step(self, job, progress, cancel):
        done = real(self, job, progress, cancel)
        if on_step:
            on_step(job)
        if not job.dry_run and job.done == 3:
            held.set()
            assert wait_until_true(lambda: go.is_set() or cancel())
        return done

    monkeypatch.setattr(Backend, "import_step", step)
    return held, go


def test_stop_mid_import_keeps_the_chunks_written_and_the_same_file_completes_it(
        super_window, backend, qtbot, messy, monkeypatch):
    engine = backend.engine
    vehicles, audits = count_rows(engine, "vehicle"), count_rows(engine, "audit")
    held, _go = _hold_after_first_chunk(monkeypatch)
    dlg = _open(super_window, qtbot, messy[0])
    _to_mapping(dlg, qtbot)
    _to(dlg, qtbot, dlg.DRY)
    dlg.next_btn.click()
    qtbot.waitUntil(lambda: held.is_set() and dlg.progress.bar.value() == 3, timeout=20000)
    assert dlg.progress.bar.maximum() == 8                           # rows written of the sheet's 8
    with qtbot.waitSignal(dlg.step_shown, timeout=20000):
        dlg.progress.cancel_btn.click()
    assert dlg.step == dlg.SUMMARY and "已停止" in dlg.summary.text() and "前 3 行" in dlg.summary.text()
    shot(dlg, "import_wizard_stopped")
    assert count_rows(engine, "vehicle") == vehicles + 3            # the first chunk stays, the rest is not in
    assert count_rows(engine, "import_batch") == 1 and count_rows(engine, "audit") == audits + 1
    assert audit.recent(engine, 1)[0].action == "import"
    dlg.accept()

    monkeypatch.setattr(stepped_import, "STEP_ROWS", 50)
    again = _open(super_window, qtbot, messy[0])
    _to_mapping(again, qtbot)
    _to(again, qtbot, again.DRY)
    _to(again, qtbot, again.SUMMARY)
    assert "新增 3" in again.summary.text() and "重复 3" in again.summary.text(), again.summary.text()
    assert count_rows(engine, "vehicle") == vehicles + GOOD
    again.accept()


def test_a_search_is_answered_between_two_chunks_of_an_import(super_window, backend, qtbot, messy, monkeypatch):
    """The import writes chunk by chunk, each its own task on the database lane: a search typed
    meanwhile runs between two chunks, and already finds the rows of the chunks committed."""
    path, plates = messy
    order: list = []
    held, go = _hold_after_first_chunk(monkeypatch, on_step=lambda job: order.append(("chunk", job.done)))
    dlg = _open(super_window, qtbot, path)
    _to_mapping(dlg, qtbot)
    _to(dlg, qtbot, dlg.DRY)
    order.clear()
    dlg.next_btn.click()
    qtbot.waitUntil(held.is_set, timeout=20000)
    panel = super_window.search
    panel.model.updated.connect(lambda _g: order.append(("search", len(panel.model.matches()))))
    with qtbot.waitSignal(dlg.step_shown, timeout=30000, check_params_cb=lambda s: s == dlg.SUMMARY):
        panel.search_now(plates[0])   # its row is in the first chunk
        go.set()
    assert order[0] == ("chunk", 3) and order[-1] == ("chunk", 8), order
    assert ("search", 1) in order and order.index(("search", 1)) < order.index(("chunk", 8)), order
    dlg.accept()


def test_unreadable_file_shows_a_chinese_message(super_window, qtbot, tmp_path):
    fake = tmp_path / "名单.xlsx"
    fake.write_text("这不是表格", encoding="utf-8")
    super_window.import_btn.click()
    dlg = super_window.batch_dialog
    dlg.open_file(fake)
    qtbot.waitUntil(lambda: dlg.error.isVisible(), timeout=10000)
    assert "Excel" in dlg.error.text() and not dlg.next_btn.isEnabled()
    dlg.reject()


def test_no_header_shows_a_chinese_message(super_window, qtbot, messy):
    dlg = _open(super_window, qtbot, messy[0])
    dlg.sheet.setCurrentText("说明")
    dlg.next_btn.click()
    qtbot.waitUntil(lambda: dlg.error.isVisible(), timeout=10000)
    assert "表头" in dlg.error.text() and dlg.step == dlg.FILE
    dlg.reject()


def test_elder_mode_import(super_window, ui_env, qtbot, messy):
    elder(True, ui_env)
    dlg = _open(super_window, qtbot, messy[0])
    check_elder(qtbot, dlg)
    shot(dlg, "elder_import_wizard_file")
    _to_mapping(dlg, qtbot)
    check_elder(qtbot, dlg)
    shot(dlg, "elder_import_wizard_mapping")
    _to(dlg, qtbot, dlg.DRY)
    check_elder(qtbot, dlg)
    shot(dlg, "elder_import_wizard_dry_run")
    dlg.reject()


@pytest.mark.parametrize("large_print", [False, True], ids=["normal", "large_print"])
def test_the_reason_of_a_rejected_row_stays_in_view_beside_a_long_value(super_window, ui_env, qtbot, messy,
                                                                         large_print):
    """After the import, at the wizard's own size (normal and 大字模式), each rejected row's 原因 is
    on screen whole without scrolling sideways, however long its 内容 (82 characters, cut to 60);
    the cells' tooltips hold the whole texts."""
    from PySide6.QtCore import QRect, Qt

    elder(large_print, ui_env)
    dlg = _open(super_window, qtbot, messy[0])
    _to_mapping(dlg, qtbot)
    _to(dlg, qtbot, dlg.DRY)
    _to(dlg, qtbot, dlg.SUMMARY)
    t = dlg.import_rejects
    qtbot.waitUntil(lambda: t.isVisible() and t.rowCount() == 2, timeout=10000)
    value = t.item(1, 2)
    assert value.text().endswith("…（共 82 字）") and value.toolTip() == value.text()
    fm, port = t.fontMetrics(), t.viewport().rect()
    assert fm.horizontalAdvance(value.text()) > port.width() // 2      # a value that used to push 原因 out
    for row in range(t.rowCount()):
        reason = t.item(row, 3)
        cell = t.visualItemRect(reason)
        assert port.contains(cell), (row, cell, port)                  # within the viewport, no scrolling
        assert cell.width() >= fm.horizontalAdvance("请检查这一格") and reason.toolTip() == reason.text()
        needed = fm.boundingRect(QRect(0, 0, cell.width() - 8, 10_000), Qt.TextFlag.TextWordWrap, reason.text())
        assert needed.height() <= cell.height(), (row, reason.text())  # all of it, wrapped if need be
    shot(dlg, "elder_import_wizard_summary_rejects" if large_print else "import_wizard_summary_rejects")
    dlg.accept()


def test_a_large_file_is_read_by_a_child_process(super_window, backend, qtbot, messy, monkeypatch):
    """The wizard's dry run and import read through desktop.io.parse_process (lowered threshold):
    the same counts, the same rejected rows, and the rows are stored."""
    import multiprocessing

    from desktop.io import parse_process

    monkeypatch.setattr(parse_process, "CHILD_MIN_BYTES", 0)
    started = []
    real = parse_process.SheetInChild.__init__
    monkeypatch.setattr(parse_process.SheetInChild, "__init__", lambda self, *a, **k: (started.append(1),
                                                                                      real(self, *a, **k))[1])
    path, plates = messy
    engine = backend.engine
    vehicles = count_rows(engine, "vehicle")
    dlg = _open(super_window, qtbot, path)
    _to_mapping(dlg, qtbot)
    _to(dlg, qtbot, dlg.DRY)
    rep = dlg.dry_report
    assert (rep.rows, rep.imported, len(rep.rejected)) == (GOOD + 2, GOOD, 2) and len(started) == 1
    _to(dlg, qtbot, dlg.SUMMARY)
    assert len(started) == 2 and "新增 6" in dlg.summary.text() and dlg.import_rejects.rowCount() == 2
    assert count_rows(engine, "vehicle") == vehicles + GOOD
    assert backend.find(plates[-1], lambda *a: None, lambda: False)[0].plate == plates[-1]
    assert multiprocessing.active_children() == []
    dlg.accept()


def test_a_search_is_answered_while_an_import_step_holds_the_write_lock(
        super_window, backend, qtbot, messy, monkeypatch):
    """The import writes on the runner's batch lane, beside the database lane: a search typed while
    a step's transaction is open reads the store (WAL) and is answered without waiting for it."""
    import threading

    from desktop.ui import backend as backend_mod

    path, plates = messy
    monkeypatch.setattr(stepped_import, "STEP_ROWS", 3)
    monkeypatch.setattr(backend_mod, "IMPORT_STEP_S", 0.0)
    real_count = stepped_import._count
    inside, go = threading.Event(), threading.Event()

    def count(report, importer_, rec, on_rejected):
        if not report.dry_run and report.rows == 3:  # the second step's first row: its transaction is open
            inside.set()
            assert go.wait(20)
        real_count(report, importer_, rec, on_rejected)

    monkeypatch.setattr(stepped_import, "_count", count)
    dlg = _open(super_window, qtbot, path)
    _to_mapping(dlg, qtbot)
    _to(dlg, qtbot, dlg.DRY)
    dlg.next_btn.click()
    qtbot.waitUntil(inside.is_set, timeout=20000)
    panel = super_window.search
    try:
        with qtbot.waitSignal(panel.model.updated, timeout=10000):
            panel.search_now(plates[0])  # written by the first step, committed
        assert len(panel.model.matches()) == 1 and not go.is_set()
    finally:
        go.set()
    qtbot.waitUntil(lambda: dlg.step == dlg.SUMMARY, timeout=30000)
    assert "新增 6" in dlg.summary.text(), dlg.summary.text()
    dlg.accept()
