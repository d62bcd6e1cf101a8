"""Composition root of the window: application, font, translator, store, log-in, main window.

The store is opened here on the GUI thread, once, before any window: the passphrase prompt (only
when the keyring has no cached key and RENEWDESK_PASSPHRASE is unset) is a dialog and must live on
this thread. After that every database call runs on the task runner's single database thread.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from desktop import credentials, paths
from desktop.app import AppContext
from desktop.store.errors import DamagedStore, SchemaTooNew, SecretMissing, StoreError, StoreMissing, WrongKey
from desktop.store.store import Store

from . import i18n, style, sync_panel, workstation
from .backend import Backend
from .login import LoginDialog
from .main_window import MainWindow
from .tasks import TaskRunner


def gui_passphrase(parent: QWidget | None = None):
    """The passphrase callback for AppContext.store(): the environment variable, else a dialog."""
    def ask() -> str:
        env = os.environ.get(credentials.PASSPHRASE_ENV)
        if env:
            return env
        text, ok = QInputDialog.getText(parent, QCoreApplication.translate("Main", "Open the database"),
                                        QCoreApplication.translate("Main", "This computer has no saved key. Enter the database passphrase:"),
                                        QLineEdit.EchoMode.Password)
        if not ok or not text:
            raise SecretMissing(QCoreApplication.translate("Main", "The database passphrase is needed to open the store."))
        return text

    return ask


def store_error_text(exc: StoreError) -> tuple[str, str]:
    """(title, body) for a store that will not open. Never offers to reset anything."""
    if isinstance(exc, WrongKey):
        title = QCoreApplication.translate("Main", "Wrong key")
        hint = QCoreApplication.translate("Main", "The passphrase or key does not fit this database. Nothing was changed. "
                  "Check the passphrase and start again.")
    elif isinstance(exc, (DamagedStore, SchemaTooNew)):
        title = QCoreApplication.translate("Main", "Database damaged")
        hint = QCoreApplication.translate("Main", "The database cannot be read. Nothing was changed. Ask your administrator to restore "
                  "the latest backup (renewdesk restore).")
    elif isinstance(exc, StoreMissing):
        title = QCoreApplication.translate("Main", "No database")
        hint = QCoreApplication.translate("Main", "Ask your administrator to set up this counter (renewdesk init).")
    else:
        title = QCoreApplication.translate("Main", "Cannot open the database")
        hint = ""
    return title, exc.message + ("\n\n" + hint if hint else "")


def open_store(ctx: AppContext) -> Store | StoreError:
    """The open store, or the error after telling the clerk in a message box (no reset offered)."""
    try:
        return ctx.store()
    except StoreError as exc:
        title, body = store_error_text(exc)
        QMessageBox.critical(None, title, body)
        return exc


def run(args) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "renewdesk"])
    app.setApplicationName("RenewDesk")
    family = style.load_font()
    translator = i18n.install(app)  # noqa: F841 - keep a reference for the app's lifetime
    data_dir = paths.data_dir(getattr(args, "data_dir", None))
    ws = workstation.load(data_dir)
    style.apply(app, ws.elder_mode, family)

    ctx = AppContext(data_dir, passphrase=gui_passphrase())
    store = open_store(ctx)
    if isinstance(store, StoreError):
        return store.exit_code
    runner = TaskRunner(app)
    backend = Backend(store.engine)
    try:
        return _session(app, runner, backend, Path(data_dir), family,
                        sync_panel.SyncBackend(store, ctx.keyring))
    finally:
        runner.shutdown()
        ctx.close()


def _session(app: QApplication, runner: TaskRunner, backend: Backend, data_dir: Path, family: str | None,
             sync_backend: sync_panel.SyncBackend | None = None) -> int:
    def login(name, password, on_done, on_error):
        from functools import partial

        runner.db(partial(backend.login, name, password), on_done=on_done, on_error=on_error)

    dlg = LoginDialog(login)
    if dlg.exec() != QDialog.DialogCode.Accepted or dlg.session is None:
        return 0
    win = MainWindow(runner, backend, dlg.session, data_dir, family)
    if sync_backend is not None:
        sync_backend.counter_name = backend.settings.counter_name
        sync_panel.install(win, runner, sync_backend)
    win.show()
    return app.exec()
