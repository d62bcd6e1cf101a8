"""Issue 11 item 5: at 1024×768, normal and 大字模式, every toolbar button is on screen, the days
column is readable, the record dialog fits, a new card starts at the top. Screenshots are saved to
screenshots/ (and /tmp/shots/window when it exists) to be looked at."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QPushButton

from desktop.ui import style
from desktop.ui.models import MatchModel
from tests.ui.conftest import open_first, shot, type_query

LOOK = Path("/tmp/shots/window")


def _shot(widget, name):
    p = shot(widget, name)
    if LOOK.is_dir():
        shutil.copy(p, LOOK / p.name)


def _inside(win, w) -> bool:
    top_left = w.mapTo(win, w.rect().topLeft())
    return QRect(0, 0, win.width(), win.height()).contains(QRect(top_left, w.size()))


@pytest.mark.parametrize("size", [(1024, 768), (1600, 1000)])
@pytest.mark.parametrize("elder", [False, True])
def test_everything_fits(make_window, by_status, qtbot, ui_env, size, elder):
    win = make_window("super", "super-pass-1")
    win.resize(*size)
    if elder:
        win.set_elder_mode(True)
    qtbot.wait(50)
    tag = f"{size[0]}x{size[1]}_{'elder' if elder else 'normal'}"
    for b in win.findChildren(QPushButton):
        if b.isVisible() and b.window() is win:
            assert _inside(win, b), (b.text(), tag)
    for status in ("DUE", "LAPSED", "RENEWED", "PENDING", "ACTIVE", "NONE"):
        m = next(x for x in by_status[status] if x.plate)
        type_query(qtbot, win, m.plate)
        open_first(qtbot, win)
        view, model = win.search.view, win.search.model
        head, col = view.horizontalHeader(), MatchModel.DAYS
        assert not view.isColumnHidden(col) and head.sectionViewportPosition(col) >= 0, tag
        assert head.sectionViewportPosition(col) + head.sectionSize(col) <= view.viewport().width(), tag
        fm = view.fontMetrics()
        for r in range(model.rowCount()):     # the whole phrase is shown, never "已脱…天"
            assert head.sectionSize(col) >= fm.horizontalAdvance(model.data(model.index(r, col))), tag
        assert win.findChild(type(win.card.parentWidget().parentWidget()), "cardScroll").verticalScrollBar().value() == 0
        card = win.card
        for b in (card.record_btn, card.print_btn, card.reveal_btn):   # never cut off at the side
            assert b.mapTo(card, b.rect().topRight()).x() <= card.width(), (b.text(), tag)
        _shot(win, f"card_{status}_{tag}")
    win.card.record_btn.click()
    dlg = win.record_dialog
    dlg.choose("renewed_here")
    qtbot.waitExposed(dlg)
    qtbot.wait(50)
    avail = win.screen().availableGeometry()
    assert dlg.height() <= min(size[1], avail.height()) and dlg.width() <= min(size[0], avail.width()), (dlg.size(), tag)
    assert _inside(dlg, dlg.ok)
    _shot(dlg, f"record_{tag}")
    dlg.reject()
    win.lock()
    _shot(win, f"lock_{tag}")
    style.apply(QApplication.instance(), False, ui_env)
