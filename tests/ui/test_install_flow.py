"""Issue 15's 'done when', in the real window (offscreen): from an empty data dir to a working
counter, add a clerk, back up, wipe the data dir, restore, log in as that clerk — entirely through
the dialogs, with a screenshot of each step in /tmp/shots/ops/."""
from __future__ import annotations

import shutil
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from desktop.app import AppContext
from desktop.services import auth
from desktop.services import settings as settings_svc
from desktop.store import audit
from desktop.store.keyring_port import NoKeyring
from desktop.ui import admin_menu, crash, workstation
from desktop.ui.admin_backend import AdminBackend
from desktop.ui.backend import Backend
from desktop.ui.main import setup_dialog_for
from desktop.ui.main_window import MainWindow
from desktop.ui.staff_dialog import OwnPasswordDialog

SHOTS = Path("/tmp/shots/ops")
PHRASE = "门店口令 lives 2026"
ADMIN_PW = "admin-pw-2026"


def shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def _setup(qtbot, runner, data: Path):
    ctx = AppContext(data, keyring=NoKeyring())
    dlg = setup_dialog_for(ctx, runner)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return ctx, dlg


def _window(qtbot, runner, ctx, name, password, ui_env):
    store = ctx.store()
    backend = Backend(store.engine)
    box = {}
    runner.db(partial(backend.login, name, password), on_done=lambda s: box.update(s=s),
              on_error=lambda e: box.update(e=e))
    qtbot.waitUntil(lambda: bool(box), timeout=10000)
    assert "s" in box, box
    win = MainWindow(runner, backend, box["s"], ctx.data_dir, ui_env)
    qtbot.addWidget(win)
    menu = admin_menu.install(win, runner, AdminBackend(store))
    win.show()
    qtbot.waitExposed(win)
    return win, menu


def test_empty_machine_to_counter_clerk_backup_wipe_restore(qtbot, runner, ui_env, tmp_path, monkeypatch):
    data = tmp_path / "data"
    ctx, dlg = _setup(qtbot, runner, data)
    assert str(data) in dlg.findChild(object, "setupWhere").text()
    assert "无法" in dlg.warning.text() and not dlg.create_btn.isEnabled()  # the warning comes first
    dlg.org.setText("示例车行")
    dlg.counter.setText("1号柜台")
    dlg.admin_pw.setText(ADMIN_PW)
    dlg.admin_pw2.setText(ADMIN_PW)
    dlg.passphrase.setText(PHRASE)
    dlg.passphrase2.setText(PHRASE + "x")
    dlg.understood.setChecked(True)
    shot(dlg, "1-first-run")
    dlg.create_btn.click()
    assert "不一致" in dlg.error.text() and not data.exists()       # a typo creates nothing
    dlg.passphrase2.setText(PHRASE)
    dlg.create_btn.click()
    qtbot.waitUntil(lambda: dlg.outcome == "created", timeout=30000)

    win, menu = _window(qtbot, runner, ctx, "admin", ADMIN_PW, ui_env)
    assert menu.settings_action.isVisible() and menu.staff_action.isVisible()

    sd = menu.open_settings()
    qtbot.waitUntil(sd.save_btn.isEnabled, timeout=10000)
    assert sd.editors["counter_name"].text() == "1号柜台"
    sd.editors["counter_phone"].setText("020-12345678")
    sd.editors["lead_days"].setValue(60)
    sd.editors["backup_keep_days"].setValue(14)
    shot(sd, "2-settings")
    sd.editors["counter_phone"].setText("call us")
    sd.save_btn.click()
    qtbot.waitUntil(lambda: sd.error.isVisible(), timeout=10000)
    assert "柜台电话" in sd.error.text()
    sd.editors["counter_phone"].setText("020-12345678")
    with qtbot.waitSignal(sd.accepted, timeout=10000):
        sd.save_btn.click()
    s = settings_svc.load(ctx.store().engine)
    assert (s.counter_phone, s.lead_days, s.backup_keep_days) == ("020-12345678", 60, 14)
    assert win.backend.settings.lead_days == 60
    sd2 = menu.open_settings()
    qtbot.waitUntil(sd2.save_btn.isEnabled, timeout=10000)
    sd2.editors["default_paper"].setCurrentText("80mm")
    with qtbot.waitSignal(sd2.accepted, timeout=10000):
        sd2.save_btn.click()
    assert win.ws.paper == "80mm"  # the next slip prints on the receipt printer's paper
    qtbot.waitUntil(lambda: workstation.load(data).paper == "80mm", timeout=10000)

    st = menu.open_staff()
    qtbot.waitUntil(lambda: bool(st.rows), timeout=10000)
    st.new_name.setText("小王")
    st.new_role.setCurrentIndex(st.new_role.findData("clerk"))
    st.new_pw.setText("xiaowang-1")
    st.add_btn.click()
    qtbot.waitUntil(lambda: any(r.name == "小王" for r in st.rows), timeout=10000)
    for _ in range(auth.MAX_FAILURES):  # the lock-out shows in the list
        try:
            auth.login(ctx.store().engine, "小王", "wrong")
        except Exception:
            pass
    st._run(st.admin.list_staff)
    qtbot.waitUntil(lambda: any(r.locked_minutes for r in st.rows), timeout=10000)
    st.select("小王")
    assert "锁定中" in st.table.item(st.table.currentRow(), 2).text()
    shot(st, "3-staff")
    st.reset_pw.setText("xiaowang-2")
    st.reset_btn.click()
    qtbot.waitUntil(lambda: not any(r.locked_minutes for r in st.rows), timeout=10000)
    st.accept()

    bd = menu.open_backup()
    usb = tmp_path / "usb"
    usb.mkdir()
    bd.backup_to(usb)
    qtbot.waitUntil(lambda: bd.last_backup is not None, timeout=30000)
    made = bd.last_backup
    assert made.parent == usb and "1号柜台" in made.name and made.suffix == ".rdbak"
    shot(bd, "4-backup")
    bd.accept()
    win.close()
    ctx.close()

    shutil.rmtree(data)  # the PC died: nothing left but the USB drive and the passphrase
    ctx2, dlg2 = _setup(qtbot, runner, data)
    dlg2.restore_from(made, "wrong passphrase")
    qtbot.waitUntil(lambda: dlg2.error.isVisible(), timeout=30000)
    assert "口令" in dlg2.error.text() and not (data / "renewdesk.db").exists()
    shot(dlg2, "5-wiped-restore-wrong-passphrase")
    dlg2.restore_from(made, PHRASE)
    qtbot.waitUntil(lambda: dlg2.outcome == "restored", timeout=30000)

    win2, menu2 = _window(qtbot, runner, ctx2, "小王", "xiaowang-2", ui_env)  # the backup's own staff
    assert not menu2.settings_action.isVisible() and not menu2.backup_action.isVisible()  # a clerk
    assert menu2.password_action.isVisible()
    shot(win2, "6-restored-clerk-window")
    assert audit.verify(ctx2.store().engine, ctx2.store().anchor).ok
    assert settings_svc.load(ctx2.store().engine).counter_phone == "020-12345678"
    pw = menu2.open_password()
    assert isinstance(pw, OwnPasswordDialog)
    pw.old.setText("xiaowang-2")
    pw.new.setText("xiaowang-3")
    pw.new2.setText("xiaowang-3")
    with qtbot.waitSignal(pw.accepted, timeout=10000):
        pw.ok_btn.click()
    assert auth.login(ctx2.store().engine, "小王", "xiaowang-3").role == "clerk"
    win2.close()
    ctx2.close()


def test_restore_over_a_live_store_keeps_the_old_one(qtbot, runner, ui_env, demo_ctx, tmp_path, monkeypatch):
    from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

    win, menu = _window(qtbot, runner, demo_ctx, "admin", ADMIN_PASSWORD, ui_env)
    bd = menu.open_backup()
    bd.backup_to(tmp_path)
    qtbot.waitUntil(lambda: bd.last_backup is not None, timeout=30000)
    restored = []
    menu.on_restored = restored.append
    monkeypatch.setattr(admin_menu.QMessageBox, "information", lambda *a, **k: QMessageBox.StandardButton.Ok)
    bd.restore_from(bd.last_backup, PASSPHRASE)
    qtbot.waitUntil(lambda: bool(restored), timeout=30000)
    aside = restored[0]
    assert aside is not None and (Path(aside) / "renewdesk.db").exists()
    from desktop.store.store import open_store

    back = open_store(demo_ctx.data_dir, lambda: PASSPHRASE, NoKeyring())
    try:
        assert audit.verify(back.engine, back.anchor).ok
        from sqlalchemy import text

        with back.engine.connect() as conn:
            last = conn.execute(text("SELECT action, staff FROM audit ORDER BY seq DESC LIMIT 1")).one()
            conn.rollback()
        assert tuple(last) == ("restore", "admin")
    finally:
        back.close()
    win.close()


def test_unexpected_error_is_logged_masked_and_shown_with_a_reference(qtbot, ui_env, tmp_path):
    from desktop import logs

    where = logs.configure(tmp_path)
    try:
        try:
            raise RuntimeError("lookup failed for 11010519491231002X / 13812345678")
        except RuntimeError as exc:
            ref = crash.handle(type(exc), exc, exc.__traceback__)
        box = crash.handle.last_box
        qtbot.addWidget(box)
        assert ref in box.text() and "11010519491231002X" not in box.text() and "13812345678" not in box.text()
        assert "RuntimeError" not in box.text()
        shot(box, "7-crash-message")
    finally:
        logs.shutdown()
    text = where.read_text(encoding="utf-8")
    assert ref in text and "110105********002X" in text and "11010519491231002X" not in text
