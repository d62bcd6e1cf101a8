"""Issue 11 item 3: 打印 is on screen at 1024×768, paper and printer are chosen in the window and
remembered for this workstation; Ctrl+P from the card reaches it."""
from __future__ import annotations

import pdfplumber
from PySide6.QtCore import QRect, QTimer
from PySide6.QtPrintSupport import QPrinter

from desktop.ui import workstation
from tests.ui.conftest import open_first, shot, type_query


def _open(qtbot, win, m):
    type_query(qtbot, win, m.plate)
    open_first(qtbot, win)


def test_ctrl_p_preview_fits_1024x768_and_remembers_paper(window, by_status, demo_ctx, qtbot, tmp_path):
    window.resize(1024, 768)
    m = by_status["LAPSED"][0]
    _open(qtbot, window, m)
    out = tmp_path / "printed.pdf"
    seen = {}

    def act():
        dlg = window.slip_preview
        qtbot.waitExposed(dlg)
        seen["size"] = (dlg.width(), dlg.height())
        btn = dlg.print_btn
        seen["btn_inside"] = QRect(0, 0, dlg.width(), dlg.height()).contains(
            QRect(btn.mapTo(dlg, btn.rect().topLeft()), btn.size()))
        dlg.paper.setCurrentIndex(dlg.paper.findData("a5"))
        shot(dlg, "print_preview_1024")
        dlg.printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)   # a real print, to a PDF file
        dlg.printer.setOutputFileName(str(out))
        dlg.print_btn.click()

    QTimer.singleShot(0, act)
    window.print_action.trigger()            # Ctrl+P
    assert seen["size"][0] <= 1024 and seen["size"][1] <= 768 and seen["btn_inside"]
    with pdfplumber.open(out) as pdf:
        assert m.plate in "".join((pdf.pages[0].extract_text() or "").split())
    qtbot.waitUntil(lambda: workstation.load(demo_ctx.data_dir).paper == "a5")
    assert window.ws.paper == "a5"
