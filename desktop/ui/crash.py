"""Unexpected exceptions in the window: logged (masked, by desktop.logs' filter) with a short
reference, and shown to the clerk as a Chinese message with that reference, never as str(exc).
Qt's own warnings go to the same log instead of a console nobody sees.
"""
from __future__ import annotations

import logging
import sys
import threading

from PySide6.QtCore import QCoreApplication, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import logs

log = logging.getLogger("desktop.ui.crash")
_QT_LEVEL = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
             QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
             QtMsgType.QtFatalMsg: logging.CRITICAL}


def user_message(exc: BaseException, ref: str) -> str:
    """What the clerk reads: our own errors carry a Chinese message meant for the screen; anything
    else gets a plain sentence and the reference (its text may hold personal data or be English).
    The sentences live in desktop.ui.errors (known_message / hint_for), the one mapping."""
    from .errors import hint_for, known_message

    text = known_message(exc) or hint_for(exc)
    return text + "\n\n" + QCoreApplication.translate("Crash", "Reference for support: %1").replace("%1", ref)


def handle(exc_type, exc, tb, show: bool = True) -> str:
    ref = logs.reference()
    log.error("unexpected error [%s]", ref, exc_info=(exc_type, exc, tb))
    app = QApplication.instance()
    on_gui_thread = app is not None and threading.current_thread() is threading.main_thread()
    if show and on_gui_thread:
        box = QMessageBox(QMessageBox.Icon.Warning, QCoreApplication.translate("Crash", "RenewDesk"),
                          user_message(exc, ref), QMessageBox.StandardButton.Ok, app.activeWindow())
        box.setObjectName("crashBox")
        box.open()  # not exec(): a nested event loop inside a hook can re-enter the failing code
        handle.last_box = box  # type: ignore[attr-defined]
    return ref


def _qt_message(mode, context, message: str) -> None:
    log.log(_QT_LEVEL.get(mode, logging.WARNING), "Qt: %s", message)


def install() -> None:
    sys.excepthook = lambda t, e, tb: (handle(t, e, tb) if not issubclass(t, KeyboardInterrupt)
                                       else sys.__excepthook__(t, e, tb))
    threading.excepthook = lambda a: handle(a.exc_type, a.exc_value, a.exc_traceback, show=False)
    qInstallMessageHandler(_qt_message)
