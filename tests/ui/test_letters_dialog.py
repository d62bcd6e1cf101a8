"""Batch reminder letters from the window: the count, the PDF, a real cancel, paper, the role."""
from __future__ import annotations

import pdfplumber

from desktop.services import documents
from desktop.services import letters as letters_svc
from desktop.store import audit
from desktop.ui.letters_dialog import LettersDialog
from tests.conftest import AT
from tests.ui.conftest import check_elder, count_rows, elder, shot, wait_until_true


def _open(win, qtbot) -> LettersDialog:
    win.letters_btn.click()
    dlg = win.batch_dialog
    assert isinstance(dlg, LettersDialog)
    qtbot.waitExposed(dlg)
    qtbot.waitUntil(lambda: dlg.selection is not None, timeout=10000)
    return dlg


def _expected(backend, days=30, lapsed=False, order="address"):
    return letters_svc.select(backend.engine, days, lapsed, order, AT, backend.settings.lead_days)


def test_count_matches_the_service(super_window, backend, qtbot):
    dlg = _open(super_window, qtbot)
    exp = _expected(backend)
    assert exp.letters and exp.skipped                        # the demo store has both
    assert [s.bundle.vehicle.id for s in dlg.selection.letters] == [s.bundle.vehicle.id for s in exp.letters]
    assert str(len(exp.letters)) in dlg.count.text() and str(len(exp.skipped)) in dlg.skipped.text()
    assert "封" in dlg.count.text() and ("无地址" in dlg.skipped.text() or "未同意" in dlg.skipped.text())
    shot(dlg, "letters_dialog")

    with qtbot.waitSignal(dlg.counted, timeout=10000) as got:
        dlg.lapsed.setChecked(True)
        dlg.by_due.setChecked(True)
        dlg.days.setValue(60)
    exp2 = _expected(backend, 60, True, "due")
    assert [s.bundle.vehicle.id for s in got.args[0].letters] == [s.bundle.vehicle.id for s in exp2.letters]
    assert len(exp2.letters) > len(exp.letters)
    dlg.reject()


def test_save_pdf_has_one_page_per_letter_and_is_logged(super_window, backend, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    dlg = _open(super_window, qtbot)
    n = len(dlg.selection.letters)
    out = tmp_path / "letters.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    before = count_rows(backend.engine, "letter_log")
    with qtbot.waitSignal(dlg.finished_batch, timeout=60000) as got:
        dlg.pdf_btn.click()
    assert got.args == ["saved"], dlg.error.text()
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == n
    assert count_rows(backend.engine, "letter_log") == before + n
    assert audit.recent(backend.engine, 1)[0].action == "letters_print"
    assert str(n) in dlg.result.text()
    shot(dlg, "letters_dialog_saved")
    dlg.reject()


def test_cancel_mid_batch_leaves_no_file(super_window, backend, qtbot, tmp_path, monkeypatch):
    real = documents.render_letters   # on the I/O pool, between the selection and the log
    reached = []

    def held(*a, progress=None, cancel=None, **kw):
        def prog(i, total):
            progress(i, total)
            if i == 2:   # mid-batch: wait here until the clerk presses 取消
                reached.append(i)
                assert wait_until_true(cancel)
        return real(*a, progress=prog, cancel=cancel, **kw)

    monkeypatch.setattr(documents, "render_letters", held)
    dlg = _open(super_window, qtbot)
    assert len(dlg.selection.letters) > 2
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "letters.pdf"
    before = count_rows(backend.engine, "letter_log")
    dlg.write_pdf(out)
    qtbot.waitUntil(lambda: bool(reached) and dlg.progress.bar.value() == 2, timeout=20000)
    assert dlg.progress.isVisible() and not dlg.pdf_btn.isEnabled()
    shot(dlg, "letters_dialog_progress")
    with qtbot.waitSignal(dlg.finished_batch, timeout=20000) as got:
        dlg.progress.cancel_btn.click()
    assert got.args == ["cancelled"]
    assert list(outdir.iterdir()) == []                       # no PDF and no .part file
    assert count_rows(backend.engine, "letter_log") == before
    assert "取消" in dlg.result.text() and dlg.pdf_btn.isEnabled()
    dlg.reject()


def test_print_sends_the_letters_and_logs_them(super_window, backend, qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    dlg = _open(super_window, qtbot)
    n = len(dlg.selection.letters)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)   # the test's "printer" is a file
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    with qtbot.waitSignal(dlg.finished_batch, timeout=60000) as got:
        dlg.print_to(printer)
    assert got.args == ["printed"], dlg.error.text()
    with pdfplumber.open(tmp_path / "printed.pdf") as pdf:
        assert len(pdf.pages) == n
    a = audit.recent(backend.engine, 1)[0]
    assert a.action == "letters_print" and a.staff == "super"
    dlg.reject()


def test_bad_template_shows_its_chinese_message(super_window, backend, qtbot, tmp_path):
    bad = tmp_path / "letter.txt"
    bad.write_text("尊敬的 {owner_masked}：\n{no_such_field}\n", encoding="utf-8")
    backend.resources = documents.Resources(font=backend.resources.font, letter_template=bad)
    dlg = _open(super_window, qtbot)
    with qtbot.waitSignal(dlg.finished_batch, timeout=20000) as got:
        dlg.write_pdf(tmp_path / "x.pdf")
    assert got.args == ["failed"]
    assert dlg.error.isVisible() and "no_such_field" in dlg.error.text()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in dlg.error.text())
    assert not (tmp_path / "x.pdf").exists()
    dlg.reject()


def test_a_clerk_cannot_open_it(window):
    assert not window.letters_btn.isVisible() and not window.import_btn.isVisible()
    assert window.export_btn.isVisible()
    assert window.open_batch(LettersDialog) is None


def test_elder_mode_letters(super_window, ui_env, qtbot):
    elder(True, ui_env)
    dlg = _open(super_window, qtbot)
    check_elder(qtbot, dlg)
    shot(dlg, "elder_letters_dialog")
    dlg.reject()


def test_skipped_vehicles_are_listed_with_their_reason(super_window, backend, qtbot):
    dlg = _open(super_window, qtbot)
    exp = _expected(backend)
    assert dlg.skipped_list.isVisible() and dlg.skipped_list.count() == len(exp.skipped)
    first = dlg.skipped_list.item(0).text()
    assert exp.skipped[0].plate in first and "*" in first
    assert dlg.reasons[exp.skipped[0].reason] in first
    shot(dlg, "letters_skipped_list")
    dlg.reject()


def test_a_search_is_answered_while_the_letters_render(super_window, backend, qtbot, tmp_path, monkeypatch):
    """The PDF is rendered on the I/O pool: the database lane answers the counter meanwhile."""
    import threading

    real = documents.render_letters
    reached, go = threading.Event(), threading.Event()

    def held(*a, progress=None, cancel=None, **kw):
        def prog(i, total):
            progress(i, total)
            if i == 2:   # mid-batch: hold the rendering until the search has been answered
                reached.set()
                assert wait_until_true(go.is_set)
        return real(*a, progress=prog, cancel=cancel, **kw)

    monkeypatch.setattr(documents, "render_letters", held)
    dlg = _open(super_window, qtbot)
    plate = dlg.selection.letters[0].bundle.vehicle.plate
    out = tmp_path / "letters.pdf"
    dlg.write_pdf(out)
    qtbot.waitUntil(reached.is_set, timeout=20000)
    panel = super_window.search
    try:
        with qtbot.waitSignal(panel.model.updated, timeout=20000):
            panel.search_now(plate)
        assert not out.exists() and dlg.progress.running           # still rendering, yet answered
        assert [m.plate for m in panel.model.matches()] == [plate]
    finally:
        go.set()
    with qtbot.waitSignal(dlg.finished_batch, timeout=60000) as got:
        pass
    assert got.args == ["saved"] and out.exists()
    dlg.reject()


def test_searches_are_answered_while_letters_are_being_counted(super_window, by_status, qtbot, monkeypatch):
    """A wide window is a minute of counting at a million vehicles (held here by a gate): the
    count runs beside the searches, and a changed choice drops the stale count."""
    import threading

    from desktop.ui.backend import Backend
    from tests.ui.conftest import type_query

    entered, gate = threading.Event(), threading.Event()
    seen: list[int] = []
    real = Backend.select_letters

    def held(self, due_within, include_lapsed, order, progress, cancel):
        seen.append(due_within)
        entered.set()
        assert gate.wait(30)
        return real(self, due_within, include_lapsed, order, progress, cancel)

    monkeypatch.setattr(Backend, "select_letters", held)
    try:
        super_window.letters_btn.click()
        dlg = super_window.batch_dialog
        qtbot.waitUntil(entered.is_set, timeout=10000)
        assert dlg.count.text() == "正在统计…"
        wanted = by_status["DUE"][0]
        type_query(qtbot, super_window, wanted.plate)  # answered although the count holds its lane
        assert wanted.vehicle_id in [m.vehicle_id for m in super_window.search.model.matches()]
        assert dlg.selection is None
        dlg.days.setValue(7)  # the 30-day count is stale now; the dialog counts again by itself
    finally:
        gate.set()
    qtbot.waitUntil(lambda: dlg.selection is not None, timeout=20000)
    assert seen[0] == 30 and seen[-1] == 7
    assert "7" in dlg.days.text()
