"""提醒信 → 预览第一封 (issue 11): the first letter of the batch, drawn off the GUI thread by the
printing code itself, shown before anything is printed; a preview prints and logs nothing."""
from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtGui import QColor

from desktop.printing import letter_preview
from tests.ui.conftest import count_rows

LOOK = Path("/tmp/shots/window")


def _dark(img, x0, y0, x1, y1, step=2) -> int:
    n = 0
    for y in range(int(y0), int(y1), step):
        for x in range(int(x0), int(x1), step):
            if QColor(img.pixel(x, y)).lightness() < 100:
                n += 1
    return n


def test_preview_shows_the_first_letter_drawn_off_the_gui_thread(super_window, backend, qtbot, monkeypatch):
    threads = []
    real = letter_preview.render_first_page

    def spy(*a, **k):
        threads.append(threading.current_thread() is threading.main_thread())
        return real(*a, **k)

    monkeypatch.setattr("desktop.ui.letter_preview_dialog.render_first_page", spy)
    super_window.letters_btn.click()
    dlg = super_window.batch_dialog
    qtbot.waitUntil(lambda: dlg.selection is not None and dlg.preview_btn.isEnabled(), timeout=10000)
    assert dlg.preview_btn.text() == "预览第一封"
    logged = count_rows(backend.engine, "letter_log")
    with qtbot.waitSignal(dlg.previewed, timeout=30000) as got:
        dlg.preview_btn.click()
    pv = got.args[0]
    assert threads == [False]                         # rendered on a worker, never the GUI thread
    img, mm = pv.preview.image, pv.preview.dpi / 25.4
    assert abs(img.height() / img.width() - 297 / 210) < 0.01   # an A4 page
    # ink in the letterhead, in the envelope window (name and address) and in the body
    assert _dark(img, 25 * mm, 10 * mm, 190 * mm, 40 * mm) > 50
    assert _dark(img, 20 * mm, 45 * mm, 110 * mm, 90 * mm) > 50
    assert _dark(img, 25 * mm, 100 * mm, 190 * mm, 200 * mm) > 200
    assert "第 1 封" in pv.info.text() and str(len(dlg.selection.letters)) in pv.info.text()
    assert count_rows(backend.engine, "letter_log") == logged   # a preview is not a print
    qtbot.waitExposed(pv)
    if LOOK.is_dir():
        pv.grab().save(str(LOOK / "letter_preview.png"))
        img.save(str(LOOK / "letter_preview_page.png"))
    pv.accept()
    dlg.reject()
