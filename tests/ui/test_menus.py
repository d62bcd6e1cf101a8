"""The menu bar: named menus other features hang actions on, shortcuts shown in tooltips, locked
means no menu and no shortcut, role-gated actions hidden."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.ui.menus import MENU_NAMES, make_action


def _texts(menu):
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def test_feature_hooks_an_action_into_a_named_menu(window, qtbot):
    hits = []
    a = window.add_menu_action("admin", make_action(window, "Settings…", lambda: hits.append(1), "Ctrl+,"))
    assert a in window.menu("admin").actions()
    assert window.menu("admin").menuAction().isVisible()
    assert "Ctrl+," in a.toolTip()
    a.trigger()
    assert hits == [1]
    with pytest.raises(KeyError):
        window.menu("nonsense")
    assert set(window.menus.menus) == set(MENU_NAMES)


def test_every_window_action_is_in_a_menu_with_its_shortcut(make_window, qtbot):
    win = make_window()
    counter = _texts(win.menu("counter"))
    for want in ("查询", "记录办理结果", "打印告知单", "登记新车"):
        assert want in counter, counter
    for a in win.menus.all_actions():
        if not a.shortcut().isEmpty():
            assert a.shortcut().toString() in a.toolTip(), a.text()
    # a clerk does not get batch letters or imports; an empty menu is not shown
    assert not win.letters_action.isVisible() and not win.import_action.isVisible()
    assert not win.menu("admin").menuAction().isVisible()


def test_ctrl_f_focuses_search_from_anywhere_and_lock_disables_every_shortcut(window, qtbot):
    window.card.record_btn.setFocus()
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.search.box.hasFocus())
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.locked)
    assert not window.menuBar().isVisible()
    assert not any(a.isEnabled() for a in window.menus.all_actions())
    window.unlock()
    assert window.menuBar().isVisible() and window.search_action.isEnabled()
    assert not window.letters_action.isVisible()


def test_add_tab_puts_a_page_beside_search(window, qtbot):
    from PySide6.QtWidgets import QLabel

    i = window.add_tab(QLabel("续保任务"), "续保任务")
    assert window.tabs.count() == 2 and i == 1
    assert window.tabs.widget(0) is window.search


def test_f1_opens_help_with_every_status(window, qtbot):
    from desktop.core.wording import STATUS_LABEL

    qtbot.keyClick(window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: getattr(window, "help_dialog", None) is not None and window.help_dialog.isVisible())
    text = window.help_dialog.text.toPlainText()
    assert all(label in text for label in STATUS_LABEL.values()) and "怎样查询" in text


def test_tab_walks_from_search_to_the_card_buttons(window, by_status, qtbot):
    from tests.ui.conftest import open_first, type_query

    type_query(qtbot, window, by_status["DUE"][0].plate)
    open_first(qtbot, window)
    window.search.view.setFocus()
    qtbot.keyClick(window.search.view, Qt.Key.Key_Tab)
    assert window.card.record_btn.hasFocus()
    qtbot.keyClick(window.card.record_btn, Qt.Key.Key_Tab)
    assert window.card.print_btn.hasFocus()
