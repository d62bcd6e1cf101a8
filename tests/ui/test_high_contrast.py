"""大字模式 (issue 11): a high-contrast option remembered per workstation, and the headline status
bold at every size (Qt drops synthetic bold above ~64 px, so 大字模式's 52 pt status word lost it)."""
from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QLabel

from desktop.ui import style, workstation
from tests.ui.conftest import open_first, shot, type_query

LOOK = Path("/tmp/shots/window")


def _ink(widget) -> float:
    """Share of the widget's pixels that are far from its background (the text's ink)."""
    img = widget.grab().toImage()
    bg = QColor(img.pixel(1, 1)).lightness()
    dark = total = 0
    for y in range(0, img.height(), 2):
        for x in range(0, img.width(), 2):
            total += 1
            if abs(QColor(img.pixel(x, y)).lightness() - bg) > 128:
                dark += 1
    return dark / max(total, 1)


def _plain_like(label: QLabel, family: str) -> QLabel:
    """The same words at the same size in the regular face, not bold: what a lost bold looks like."""
    other = QLabel(label.text())
    other.setStyleSheet(f'font-family: "{family}"; font-size: {style.ELDER.status_pt}pt; font-weight: normal;')
    other.resize(label.size())
    other.ensurePolished()
    return other


def test_the_headline_status_is_bold_in_large_text_mode(make_window, by_status, qtbot, ui_env):
    win = make_window("super", "super-pass-1")
    win.resize(1024, 768)
    win.set_elder_mode(True)
    m = next(x for x in by_status["LAPSED"] if x.plate)
    type_query(qtbot, win, m.plate)
    open_first(qtbot, win)
    word = win.card.status_word
    assert word.font().bold() and word.font().pointSize() == style.ELDER.status_pt
    # card_shown fires before the card's layout has given the word its size (a loaded machine
    # grabbed an empty 0×0 label): wait until the word is drawn, then compare the two faces.
    qtbot.waitUntil(lambda: word.isVisible() and word.width() > 0 and _ink(word) > 0, timeout=10000)
    plain = _plain_like(word, ui_env)
    qtbot.addWidget(plain)
    assert _ink(word) > 1.25 * _ink(plain)   # visibly heavier than the regular face
    win.set_elder_mode(False)


def test_high_contrast_is_remembered_per_workstation_and_only_in_large_text(make_window, by_status, demo_ctx,
                                                                           qtbot, ui_env):
    win = make_window("super", "super-pass-1")
    act = win.contrast_action
    assert act.text() == "高对比度（大字模式）" and not act.isEnabled()   # only in 大字模式
    win.set_elder_mode(True)
    assert act.isEnabled()
    act.trigger()
    qtbot.waitUntil(lambda: workstation.load(demo_ctx.data_dir).high_contrast, timeout=10000)
    m = next(x for x in by_status["DUE"] if x.plate)
    type_query(qtbot, win, m.plate)
    open_first(qtbot, win)
    img = win.card.grab().toImage()
    assert QColor(img.pixel(2, 2)).lightness() < 20                   # black background
    word = win.card.status_word
    assert word.palette().color(word.foregroundRole()).lightness() > 240   # white words
    for fg, bg in style.pairs(style.HIGH_CONTRAST):
        assert style.contrast(fg, bg) >= 7.0, (fg, bg)
    p = shot(win, "high_contrast_card_1024")
    if LOOK.is_dir():
        shutil.copy(p, LOOK / p.name)
    # a new window on this PC starts the same way; 大字模式 off means the normal colours
    ws = workstation.load(demo_ctx.data_dir)
    assert ws.elder_mode and ws.high_contrast
    assert "#000000" not in style.style_sheet(False, ui_env, high_contrast=True)
    win.set_elder_mode(False)
    assert QColor(win.card.grab().toImage().pixel(2, 2)).lightness() > 235
    style.apply(QApplication.instance(), False, ui_env)


def test_the_worklist_chart_words_stay_readable_in_high_contrast(qtbot, ui_env):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from desktop.ui.bar_chart import Bar, BarChart

    style.apply(QApplication.instance(), True, ui_env, high_contrast=True)
    try:
        page = QWidget(objectName="page")
        chart = BarChart()
        QVBoxLayout(page).addWidget(chart)
        chart.set_bars([Bar("逾期未跟进", 3, "3"), Bar("今日待联系", 8, "8")])
        qtbot.addWidget(page)
        page.resize(700, 200)
        page.show()
        qtbot.waitExposed(page)
        img = page.grab().toImage()        # the chart as it shows on its (black) page
        assert QColor(img.pixel(1, 1)).lightness() < 20
        at = chart.mapTo(page, chart.rect().topLeft())
        label_w = chart.fontMetrics().horizontalAdvance("逾期未跟进")
        bright = sum(1 for y in range(at.y(), at.y() + chart.height(), 2) for x in range(at.x(), at.x() + label_w, 2)
                     if QColor(img.pixel(x, y)).lightness() > 200)
        assert bright > 30          # white words on the black page, not near-black ones
    finally:
        style.apply(QApplication.instance(), False, ui_env)


def test_the_box_an_error_is_about_is_marked_in_the_modes_warning_colour(make_window, by_status, qtbot, ui_env):
    win = make_window("super", "super-pass-1")
    win.set_elder_mode(True)
    win.set_high_contrast(True)
    try:
        m = next(x for x in by_status["LAPSED"] if x.plate and not x.coverage.next_start_date)
        type_query(qtbot, win, m.plate)
        open_first(qtbot, win)
        win.card.record_btn.click()
        dlg = win.record_dialog
        dlg.choose("renewed_here")
        dlg.policy_no.setText("PDZA2026HC0001")
        dlg.start.setText("2026-11-20")                  # a past start: refused, naming the box
        dlg.ok.click()
        qtbot.waitUntil(lambda: dlg.error.isVisible(), timeout=10000)
        img = dlg.start.grab().toImage()
        edge = QColor(img.pixel(1, img.height() // 2))
        assert edge.red() > 200 and edge.green() > 180 and edge.blue() < 120, edge.name()   # yellow, not dark red
        dlg.reject()
    finally:
        win.set_high_contrast(False)
        win.set_elder_mode(False)
