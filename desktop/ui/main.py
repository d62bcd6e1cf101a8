"""Composition root of the window: application, font, translator, store, log-in, main window.

The store is opened here on the GUI thread, once, before any window: the passphrase prompt (only
when the keyring has no cached key and RENEWDESK_PASSPHRASE is unset) is a dialog and must live on
this thread. After that every database call runs on the task runner's single database thread.
"""
from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QInputDialog,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from desktop import credentials, logs, paths
from desktop.app import AppContext
from desktop.services import backups
from desktop.store import audit, migrate
from desktop.store.engine import check_integrity
from desktop.store.errors import DamagedStore, SchemaTooNew, SecretMissing, StoreError, StoreMissing, WrongKey
from desktop.store.store import Store

from . import admin_menu, aftersales_menu, crash, i18n, style, sync_panel, worklist_tab, workstation
from .admin_backend import AdminBackend
from .backend import Backend
from .login import LoginDialog
from .main_window import MainWindow
from .setup_dialog import SetupDialog
from .tasks import TaskRunner, freeze_startup_heap

log = logging.getLogger(__name__)


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


def open_store(ctx: AppContext, runner: TaskRunner | None = None) -> Store | StoreError:
    """The open store, or the error after telling the clerk in a message box (no reset offered).

    The key is unlocked here (its passphrase prompt is a dialog). With a runner, a pending schema
    upgrade runs on the I/O lane behind a dialog: on a big store it takes minutes (0011 + 0012 on
    a million vehicles ~10 min), and on the GUI thread Windows would call the window dead."""
    try:
        store = ctx.store(run_migrations=runner is None)
        if runner is not None and migrate.pending(store.engine):
            upgrade_behind_dialog(store, runner)
        return store
    except StoreError as exc:
        ctx.close()
        title, body = store_error_text(exc)
        QMessageBox.critical(None, title, body)
        return exc


def upgrade_behind_dialog(store: Store, runner: TaskRunner) -> None:
    """Run migrate.upgrade off the GUI thread while a modal, uncancellable dialog says what is
    happening (stopping half-way is safe, the upgrade is one transaction, but it would only start
    again at the next start). Re-raises the upgrade's error here, on the GUI thread."""
    dlg = QProgressDialog(QCoreApplication.translate("Main", "Upgrading the database to this version of RenewDesk. "
                          "On a large database this can take several minutes. Please do not close the "
                          "program or turn off the computer."), "", 0, 0)
    dlg.setWindowTitle(QCoreApplication.translate("Main", "Upgrading the database"))
    dlg.setCancelButton(None)
    dlg.setMinimumDuration(0)
    dlg.setWindowModality(Qt.WindowModality.ApplicationModal)
    loop = QEventLoop()
    failure: list[BaseException] = []

    def failed(exc: BaseException) -> None:
        failure.append(exc)
        loop.quit()

    dlg.show()
    runner.io(lambda _progress, _cancel: migrate.upgrade(store.engine, backup_dir=store.data_dir / "backups"),
              on_done=lambda _copy: loop.quit(), on_error=failed)
    loop.exec()
    dlg.close()
    if failure:
        raise failure[0]


def first_run(ctx: AppContext, runner: TaskRunner) -> bool:
    """No store yet: the set-up dialog creates one or restores a backup. False if the user quits."""
    return setup_dialog_for(ctx, runner).exec() == QDialog.DialogCode.Accepted


def setup_dialog_for(ctx: AppContext, runner: TaskRunner) -> SetupDialog:
    """The set-up dialog wired to create (ctx.initialise) or restore off the GUI thread."""
    def create(values: dict, on_done, on_error) -> None:
        def task(progress, cancel):
            ctx.initialise(values["passphrase"], values["admin"], values["password"], values["org"],
                           values["counter"])
            ctx.close()  # opened again on the GUI thread below, like every start

        ctx.passphrase = lambda: values["passphrase"]
        runner.io(task, on_done=on_done, on_error=on_error)

    def restore(path: Path, phrase: str, on_done, on_error) -> None:
        def task(progress, cancel):
            aside = backups.restore(path, ctx.data_dir, lambda: phrase, None, store_exists=False)
            audit.record(ctx.store().engine, "restore", None, path.name)
            ctx.close()
            return aside

        ctx.passphrase = lambda: phrase
        runner.io(task, on_done=on_done, on_error=on_error)

    return SetupDialog(ctx.data_dir, ctx.keyring.status().usable, create, restore)


def run(args) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "renewdesk"])
    app.setApplicationName("RenewDesk")
    family = style.load_font()
    translator = i18n.install(app)  # noqa: F841 - keep a reference for the app's lifetime
    data_dir = paths.data_dir(getattr(args, "data_dir", None))
    logs.configure(data_dir)
    crash.install()
    ws = workstation.load(data_dir)
    style.apply(app, ws.elder_mode, family, ws.high_contrast)

    runner = TaskRunner(app)
    try:
        while True:  # once, or again after a restore in the window replaced the store
            ctx = AppContext(data_dir, passphrase=gui_passphrase())
            if not ctx.exists() and not first_run(ctx, runner):
                return 0
            store = open_store(ctx, runner)
            if isinstance(store, StoreError):
                from desktop.cli import exit_code_for  # the one table of exit codes

                return exit_code_for(store)  # the message box already told the clerk
            restart: list[bool] = []
            try:
                code = _session(app, runner, Backend(store.engine), Path(data_dir), family,
                                sync_panel.SyncBackend(store, ctx.keyring), AdminBackend(store), restart)
            finally:
                runner.drain()  # the backup and the check may still be reading: stop them first
                ctx.close()
            if not restart:
                return code
    finally:
        runner.shutdown()


def _session(app: QApplication, runner: TaskRunner, backend: Backend, data_dir: Path, family: str | None,
             sync_backend: sync_panel.SyncBackend | None = None, admin: AdminBackend | None = None,
             restart: list | None = None) -> int:
    def login(name, password, on_done, on_error):
        from functools import partial

        runner.db(partial(backend.login, name, password), on_done=on_done, on_error=on_error)

    dlg = LoginDialog(login)
    if dlg.exec() != QDialog.DialogCode.Accepted or dlg.session is None:
        return 0
    win = MainWindow(runner, backend, dlg.session, data_dir, family)
    aftersales_menu.install(win, runner, backend.engine)  # issue 14: 服务 menu
    if sync_backend is not None:
        sync_backend.counter_name = backend.settings.counter_name
        sync_panel.install(win, runner, sync_backend)
    worklist_tab.install(win, runner)  # 今日工作 and 续保率报表 (issue 13)
    if admin is not None:
        def restored(_aside) -> None:
            if restart is not None:
                restart.append(True)
            win.close()

        admin_menu.install(win, runner, admin, on_restored=restored)
        start_auto_backup(win, runner, admin, dlg.session.name)
    freeze_startup_heap()
    win.show()
    QTimer.singleShot(INTEGRITY_DELAY_MS, lambda: start_integrity_check(runner, backend.engine, win))
    return app.exec()


def start_auto_backup(win: MainWindow, runner: TaskRunner, admin: AdminBackend, staff: str) -> None:
    """The first use of the day writes the automatic backup (off the GUI thread); a failure is
    logged and shown in the status bar, it never stops the counter."""
    from functools import partial

    def done(path) -> None:
        if path is not None:
            win.statusBar().showMessage(QCoreApplication.translate("Main", "Daily backup written: %1")
                                        .replace("%1", path.name), 10000)

    def failed(exc) -> None:
        logging.getLogger(__name__).warning("automatic backup failed: %s", type(exc).__name__)
        win.statusBar().showMessage(QCoreApplication.translate("Main", "The daily backup could not be written. "
                                                               "Ask your administrator."), 20000)

    # Off the database lane: the backup checks the whole file and copies it (minutes on a large
    # store), which on the lane held every search of the first log-in of the day behind it. On the
    # I/O pool it reads through its own connection (WAL: the counter's reads and writes go on).
    runner.background(partial(admin.auto_backup, staff), on_done=done, on_error=failed)


INTEGRITY_DELAY_MS = 5000  # after the first lookups of the day, not competing with them


def start_integrity_check(runner: TaskRunner, engine, parent: QWidget | None):
    """The whole-file check in the background after log-in (issue 10 item 1): never blocking,
    cancelled when the window closes, and the clerk hears about it only if something is wrong."""
    def check(_progress, cancel):
        return check_integrity(engine, cancel)

    def done(problems):
        if problems is None:
            return
        if problems:
            log.error("integrity check found %d problem(s)", len(problems))
            QMessageBox.warning(parent, QCoreApplication.translate("Main", "Database check"),
                                QCoreApplication.translate("Main", "The background check found damage in the "
                                "database. Keep working only if lookups still look right, and ask your "
                                "administrator to restore the latest backup soon."))
        else:
            log.info("integrity check ok")

    def failed(exc):
        log.error("integrity check could not run: %s", type(exc).__name__)

    return runner.background(check, on_done=done, on_error=failed)
