"""Log-in (failures audited), idle lock and unlock by the same staff, store-open errors."""
from __future__ import annotations

import argparse

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop.store import audit
from desktop.ui import main as ui_main
from desktop.ui.login import LoginDialog
from tests.ui.conftest import login_via, shot


def test_login_wrong_password_then_right(runner, backend, demo_ctx, qtbot):
    dlg = LoginDialog(login_via(runner, backend))
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.form.name.setText("clerk")
    dlg.form.password.setText("wrong-password")
    shot(dlg, "login")
    dlg.form.ok.click()
    qtbot.waitUntil(lambda: dlg.form.error.isVisible())
    assert "员工名或密码不正确" in dlg.form.error.text()
    assert dlg.form.password.text() == ""
    shot(dlg, "login_failed")
    engine = demo_ctx.store().engine
    failed = audit.recent(engine, 5, "login_failed")
    assert failed and failed[0].staff == "clerk"

    dlg.form.password.setText("clerk-pass-1")
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.form.ok.click()
    assert dlg.session.name == "clerk" and dlg.session.role == "clerk"
    assert audit.recent(engine, 1)[0].action == "login"


def test_login_needs_both_fields(runner, backend, qtbot):
    dlg = LoginDialog(login_via(runner, backend))
    qtbot.addWidget(dlg)
    dlg.form.ok.click()
    assert dlg.form.error.text() == "请输入员工名和密码。"


def test_idle_lock_and_unlock_by_same_staff(make_window, by_status, qtbot, demo_ctx):
    from tests.ui.conftest import open_first, type_query

    win = make_window(idle_ms=400)
    m = by_status["DUE"][0]
    type_query(qtbot, win, m.plate)
    open_first(qtbot, win)
    assert win.card.match is not None
    qtbot.waitUntil(lambda: win.locked, timeout=5000)
    assert win.card.match is None and win.search.box.text() == ""  # nothing personal left on screen
    lp = win.lock_panel
    assert lp.form.name.text() == "clerk" and lp.form.name.isReadOnly()
    shot(win, "locked")
    lp.form.password.setText("nope-nope")
    lp.form.ok.click()
    qtbot.waitUntil(lambda: lp.form.error.isVisible())
    assert win.locked
    lp.form.password.setText("clerk-pass-1")
    lp.form.ok.click()
    qtbot.waitUntil(lambda: not win.locked)
    assert win.idle.timer.isActive()
    actions = [e.action for e in audit.recent(demo_ctx.store().engine, 3)]
    assert actions[:2] == ["login", "login_failed"]


def test_activity_keeps_the_screen_unlocked(make_window, qtbot):
    from tests.ui.conftest import type_keys

    win = make_window(idle_ms=300)
    for _ in range(6):
        qtbot.wait(100)
        type_keys(win.search.box, "1")
    assert not win.locked
    qtbot.waitUntil(lambda: win.locked, timeout=3000)


def test_lock_button(window, qtbot):
    window.lock_btn.click()
    assert window.locked


@pytest.fixture
def boxes(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append((title, text)))
    return shown


def test_wrong_key_is_a_clear_message_and_exit_3(app_ctx, boxes, monkeypatch, ui_env):
    data_dir = app_ctx.data_dir
    app_ctx.close()
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", "not-the-passphrase")
    code = ui_main.run(argparse.Namespace(data_dir=str(data_dir)))
    assert code == 3
    (title, text), = boxes
    assert title == "密钥不正确" and "密钥不正确" in text
    assert "重置" not in text and "reset" not in text.lower()


def test_damaged_store_is_a_clear_message_and_exit_5(app_ctx, boxes, monkeypatch, ui_env):
    data_dir = app_ctx.data_dir
    app_ctx.close()
    db = data_dir / "renewdesk.db"
    for extra in ("renewdesk.db-wal", "renewdesk.db-shm"):
        (data_dir / extra).unlink(missing_ok=True)
    db.write_bytes(b"\0" * 8192)
    before = db.read_bytes()
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", "test-passphrase")
    assert ui_main.run(argparse.Namespace(data_dir=str(data_dir))) == 5
    (title, text), = boxes
    assert title == "数据库已损坏" and "renewdesk restore" in text
    assert db.read_bytes() == before  # not a byte changed


def test_passphrase_dialog_only_without_env(monkeypatch, ui_env):
    from PySide6.QtWidgets import QInputDialog

    asked = []
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (asked.append(a[3]), ("typed-pass", True))[1])
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", "from-env")
    assert ui_main.gui_passphrase()() == "from-env" and not asked
    monkeypatch.delenv("RENEWDESK_PASSPHRASE")
    assert ui_main.gui_passphrase()() == "typed-pass"
    assert asked == [QLineEditPassword()]


def QLineEditPassword():  # noqa: N802
    from PySide6.QtWidgets import QLineEdit

    return QLineEdit.EchoMode.Password


def test_run_logs_in_and_quits(app_ctx, monkeypatch, ui_env):
    """run(): font, translator, store, the login dialog (cancelled here) -> exit code 0."""
    from desktop.ui.login import LoginDialog as LD

    data_dir = app_ctx.data_dir
    app_ctx.close()
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", "test-passphrase")
    seen = []
    monkeypatch.setattr(LD, "exec", lambda self: (seen.append(self.windowTitle()), 0)[1])
    assert ui_main.run(argparse.Namespace(data_dir=str(data_dir))) == 0
    assert seen == ["续保台 — 登录"]


def test_lock_shows_who_tries_left_and_another_staff_can_take_over(make_window, qtbot, demo_ctx):
    win = make_window()
    win.lock()
    lp = win.lock_panel
    assert lp.form.name.isVisible() and lp.form.name.text() == "clerk"     # the name the message speaks of
    lp.form.password.setText("nope-nope")
    lp.form.ok.click()
    qtbot.waitUntil(lambda: lp.form.error.isVisible())
    assert "还可再试 4 次" in lp.form.error.text()
    shot(win, "locked_tries_left")
    lp.switch_btn.click()                                    # a supervisor takes over the counter
    assert not lp.form.name.isReadOnly() and lp.form.name.text() == ""
    lp.form.name.setText("super")
    lp.form.password.setText("super-pass-1")
    lp.form.ok.click()
    qtbot.waitUntil(lambda: not win.locked)
    assert win.session.name == "super" and win.card.reveal_btn.isEnabled() and win.letters_action.isVisible()
    qtbot.waitUntil(lambda: audit.recent(demo_ctx.store().engine, 1)[0].action == "logout")
    recent = audit.recent(demo_ctx.store().engine, 2)
    assert [(e.action, e.staff) for e in recent] == [("logout", "clerk"), ("login", "super")]


def test_log_out_then_anyone_logs_in_and_a_locked_account_shows_the_wait(make_window, qtbot, demo_ctx):
    win = make_window()
    win.logout_action.trigger()
    qtbot.waitUntil(lambda: win.locked)
    lp = win.lock_panel
    assert lp.title.text() == "已退出登录" and not lp.form.name.isReadOnly()
    qtbot.waitUntil(lambda: audit.recent(demo_ctx.store().engine, 1)[0].action == "logout")
    assert audit.recent(demo_ctx.store().engine, 1)[0].staff == "clerk"
    lp.form.name.setText("super")
    for _ in range(5):
        lp.form.password.setText("wrong-wrong")
        lp.form.ok.click()
        qtbot.waitUntil(lambda: lp.form.error.isVisible() and lp.form.password.text() == "")
        lp.form.error.hide()
        qtbot.waitUntil(lambda: lp.form.ok.isEnabled() or "分钟后再试" in lp.form.error.text())
    qtbot.waitUntil(lambda: "5 分钟后再试" in lp.form.error.text())
    assert not lp.form.ok.isEnabled()                         # waits instead of inviting more guesses
    shot(win, "locked_wait")
