"""The window's menu bar: a fixed set of named menus that every feature hangs its actions on.

Other features (sync, settings, staff, backup, work lists, reports, complaints…) add their actions
with `MainWindow.add_menu_action("admin", action)` instead of editing the window, so the window's
rework and theirs merge cleanly. Menu names are stable English keys; titles are translated.

Every action with a shortcut shows it in its tooltip too, so a clerk who hovers learns the key.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

# Left to right on the bar. A feature picks the one its action belongs to:
#   file     文件  switch user, log out, lock, quit
#   counter  柜台  search, open card, record, print slip, register, reveal, edit customer
#   batch    批量  letters, import, export (supervisor and up for letters/import)
#   work     续保  work lists, contact cadence, reports (renewal)
#   service  服务  insurer directory, claims guidance, complaints, SMS export (aftersales)
#   sync     同步  sync now, status, 同步问题, enrolment (client)
#   admin    管理  settings, staff, backup/restore (ops)
#   view     显示  large text, high contrast
#   help     帮助  help page, about
MENU_NAMES = ("file", "counter", "batch", "work", "service", "sync", "admin", "view", "help")


class MenuBar(QObject):
    """Owns the named QMenus of one QMenuBar; menus with no visible action stay hidden."""

    def __init__(self, bar: QMenuBar, parent: QObject | None = None):
        super().__init__(parent)
        self.bar = bar
        titles = {
            "file": self.tr("&File"), "counter": self.tr("&Counter"), "batch": self.tr("&Batch"),
            "work": self.tr("&Renewals"), "service": self.tr("&Service"), "sync": self.tr("S&ync"),
            "admin": self.tr("&Admin"), "view": self.tr("&View"), "help": self.tr("&Help"),
        }
        self.menus: dict[str, QMenu] = {}
        for name in MENU_NAMES:
            m = QMenu(titles[name], bar)
            m.setObjectName(f"menu_{name}")
            self.menus[name] = m
            bar.addMenu(m)
        self.refresh()

    def menu(self, name: str) -> QMenu:
        if name not in self.menus:
            raise KeyError(f"unknown menu {name!r}; one of {', '.join(MENU_NAMES)}")
        return self.menus[name]

    def add(self, name: str, action: QAction) -> QAction:
        with_shortcut_tooltip(action)
        self.menu(name).addAction(action)
        action.changed.connect(self.refresh)
        self.refresh()
        return action

    def refresh(self) -> None:
        """A menu shows only when it has a visible action (a clerk never sees an empty 管理)."""
        for m in self.menus.values():
            m.menuAction().setVisible(any(a.isVisible() and not a.isSeparator() for a in m.actions()))

    def all_actions(self) -> list[QAction]:
        return [a for m in self.menus.values() for a in m.actions() if not a.isSeparator()]


def with_shortcut_tooltip(action: QAction) -> QAction:
    """Tooltip = the action's text plus its shortcut, e.g. "Print slip (Ctrl+P)"."""
    text = action.text().replace("&", "")
    key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    tip = action.toolTip() if action.toolTip() and action.toolTip() != text else text
    action.setToolTip(f"{tip} ({key})" if key and key not in tip else tip)
    return action


def make_action(parent: QObject, text: str, slot: Callable[..., object] | None = None,
                shortcut: str | QKeySequence.StandardKey | None = None, name: str = "",
                checkable: bool = False) -> QAction:
    """A QAction owned by `parent` (the window), so its shortcut works wherever focus is."""
    a = QAction(text, parent)
    if name:
        a.setObjectName(name)
    if shortcut is not None:
        a.setShortcut(QKeySequence(shortcut))
    a.setCheckable(checkable)
    if slot is not None and checkable:
        a.toggled.connect(slot)
    elif slot is not None:
        a.triggered.connect(lambda _checked=False: slot())
    return a
