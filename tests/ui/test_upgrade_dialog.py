"""A store one schema behind opens in the window through the upgrade dialog: the upgrade runs off
the GUI thread (the dialog is up and events flow while it runs), the store ends at head with every
vehicle, and a store newer than the app is refused with the message box, not a crash."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from desktop.app import AppContext
from desktop.store import migrate
from desktop.store.errors import SchemaTooNew
from desktop.ui import main as ui_main
from tests.conftest import PASSPHRASE
from tests.unit.migration_helpers import downgrade


def _behind(ctx: AppContext) -> AppContext:
    """The same data dir, closed after a downgrade to 0011, and a fresh context to open it again."""
    downgrade(ctx.store().engine, "0011")
    assert migrate.current_revision(ctx.store().engine) == "0011"
    ctx.close()
    return AppContext(ctx.data_dir, keyring=ctx.keyring, passphrase=lambda: PASSPHRASE)


def _vehicles(store) -> int:
    with store.engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM vehicle").scalar()
        conn.rollback()
    return n


def test_a_store_behind_is_upgraded_behind_a_dialog(qtbot, runner, demo_ctx):
    before = _vehicles(demo_ctx.store())
    ctx = _behind(demo_ctx)
    seen: list[str] = []

    def look() -> None:  # runs on the GUI thread while the upgrade runs on the I/O lane
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QProgressDialog) and w.isVisible():
                seen.append(w.labelText())
        if not seen:
            QTimer.singleShot(5, look)

    QTimer.singleShot(0, look)
    store = ui_main.open_store(ctx, runner)
    try:
        assert not isinstance(store, Exception)
        assert seen and "升级" in seen[0] and "不要关闭" in seen[0]
        assert migrate.current_revision(store.engine) == migrate.head_revision()
        assert _vehicles(store) == before
        assert not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())
    finally:
        runner.drain()
        ctx.close()


def test_a_store_newer_than_the_app_is_refused_with_a_message(qtbot, runner, demo_ctx, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, body: shown.append(body))
    ctx = _behind(demo_ctx)

    def too_new(engine, backup_dir, target="head"):
        raise SchemaTooNew("数据库版本（9999）比本程序新，请先升级续保台程序再打开。数据未做任何改动。")

    monkeypatch.setattr(migrate, "upgrade", too_new)
    result = ui_main.open_store(ctx, runner)
    runner.drain()
    assert isinstance(result, SchemaTooNew)
    assert shown and "比本程序新" in shown[0]
    assert ctx._store is None  # closed again: nothing left open on a refused store
