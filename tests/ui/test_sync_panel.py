"""Sync in the window: the indicator's states, 立即同步 on the I/O lane without blocking typing,
the 同步问题 list, and enrolment for administrators only."""
from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from desktop.sync import identity
from tests.ui.conftest import shot, type_keys

SHOTS = Path("/tmp/shots/client")


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def _enrol_offline(ctx, url: str) -> None:
    store = ctx.store()
    identity.save(store.engine, ctx.keyring, store.store_id, store.key,
                  identity.Enrolment(url, "0190a000-0000-7000-8000-00000000000a", "t" * 43, "ab" * 32))


@pytest.fixture
def panel(window, runner, demo_ctx):
    from desktop.ui import sync_panel

    def make(timeout_s: float = 5.0):
        backend = sync_panel.SyncBackend(demo_ctx.store(), demo_ctx.keyring, "1号柜台", timeout_s)
        return sync_panel.install(window, runner, backend, autostart=False)

    return make


def _save_shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))
    shot(widget, name)


def test_an_unenrolled_counter_says_so_calmly_and_offers_no_sync(qtbot, window, panel):
    menu = panel()
    ind = menu.ctl.indicator
    qtbot.waitUntil(lambda: ind.state == "unenrolled", timeout=10000)
    assert "未注册" in ind.label.text()
    assert not ind.button.isEnabled()
    assert not menu.enrol_action.isVisible()  # a clerk cannot enrol
    assert menu.enrol() is None


def test_head_office_down_shows_offline_not_an_error_and_keeps_the_queue(qtbot, window, panel, demo_ctx):
    _enrol_offline(demo_ctx, f"http://127.0.0.1:{_closed_port()}")
    menu = panel()
    ind = menu.ctl.indicator
    qtbot.waitUntil(lambda: ind.state == "unenrolled" or ind.button.isEnabled(), timeout=10000)
    with qtbot.waitSignal(menu.ctl.finished, timeout=20000):
        qtbot.mouseClick(ind.button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ind.state == "offline", timeout=10000)
    assert ind.label.text().startswith("○ 离线")
    assert "待同步" in ind.label.text()
    assert "连不上总部" in ind.label.toolTip()
    assert menu.ctl.timer.isActive()  # a retry is scheduled (backoff), not given up
    window.resize(1280, 800)
    _save_shot(window, "sync-offline")


def test_a_slow_head_office_never_blocks_typing(qtbot, window, panel, demo_ctx):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    _enrol_offline(demo_ctx, f"http://127.0.0.1:{listener.getsockname()[1]}")
    menu = panel(timeout_s=60.0)
    ind = menu.ctl.indicator
    menu.ctl.sync_now()
    assert ind.state == "syncing"
    qtbot.waitUntil(lambda: bool(accepted), timeout=10000)  # the request is in flight, unanswered
    window.search.box.setFocus()
    window.search.box.clear()
    type_keys(window.search.box, "京A")
    assert window.search.box.text() == "京A"  # typed while head office keeps us waiting
    assert menu.ctl.running
    _save_shot(window, "sync-syncing")
    with qtbot.waitSignal(menu.ctl.finished, timeout=20000):
        accepted[0][0].close()  # head office goes away mid-request
        listener.close()
    qtbot.waitUntil(lambda: ind.state == "offline", timeout=10000)


def test_admin_enrols_through_the_dialog_and_bad_input_is_explained(qtbot, make_window, runner, demo_ctx):
    from desktop.ui import sync_panel

    win = make_window("admin", "admin-pass-1")
    backend = sync_panel.SyncBackend(demo_ctx.store(), demo_ctx.keyring, "1号柜台", 5.0)
    menu = sync_panel.install(win, runner, backend, autostart=False)
    assert menu.enrol_action.isVisible()
    dlg = menu.enrol()
    dlg.url.setText("http://192.0.2.10:8000")  # not loopback: http is refused
    dlg.code.setText("ABCD-1234")
    dlg.submit()
    qtbot.waitUntil(lambda: "https" in dlg.message.text(), timeout=10000)
    assert dlg.isVisible()
    _save_shot(dlg, "sync-enrol-refused")
    dlg.reject()


def test_the_problems_view_lists_refused_changes_masked(qtbot, window, panel, demo_ctx):
    from desktop.services import register

    engine = demo_ctx.store().engine
    register.register(engine, window.session, register.NewRegistration(plate="京A7P3Q9", name="测试", phone="13800138000"))
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE outbox SET state = 'rejected:bad_phone' WHERE device_seq = (SELECT MIN(device_seq) FROM outbox "
            "WHERE entity = 'customer')")
    menu = panel()
    dlg = menu.problems()
    qtbot.waitUntil(lambda: dlg.model.rowCount() == 1, timeout=10000)
    texts = [dlg.model.index(0, c).data() for c in range(dlg.model.columnCount())]
    assert texts[1] == "客户" and texts[3] == "电话号码不合格"
    assert "****" in texts[2] or texts[2] == ""  # personal data masked
    assert "拒收了 1 条" in dlg.summary.text()
    _save_shot(dlg, "sync-problems")


def test_enrol_then_sync_against_a_real_head_office_shows_synced(qtbot, make_window, runner, demo_ctx, tmp_path):
    from PySide6.QtCore import Qt

    from desktop.services import register
    from desktop.ui import sync_panel
    from tests.integration.sync_harness import Server

    hq = Server(tmp_path / "hq").start()
    try:
        win = make_window("admin", "admin-pass-1")
        backend = sync_panel.SyncBackend(demo_ctx.store(), demo_ctx.keyring, "1号柜台", 20.0)
        menu = sync_panel.install(win, runner, backend, autostart=False)
        register.register(demo_ctx.store().engine, win.session,
                          register.NewRegistration(plate="京A5T7K2", name="测试", phone="13800138000"))
        dlg = menu.enrol()
        dlg.url.setText(hq.url)
        dlg.code.setText(hq.enroll_code("一号店"))
        with qtbot.waitSignal(menu.ctl.finished, timeout=60000) as done:  # enrolment starts a sync
            qtbot.mouseClick(dlg.buttons.buttons()[0], Qt.MouseButton.LeftButton)
        assert not isinstance(done.args[0], Exception), done.args[0]
        assert done.args[0].pushed >= 2
        ind = menu.ctl.indicator
        qtbot.waitUntil(lambda: ind.state == "ok", timeout=10000)
        assert ind.label.text().startswith("✓ 已同步") and "待同步 0 条" in ind.label.text()
        _save_shot(win, "sync-synced")
    finally:
        hq.kill()


def test_the_problems_list_numbers_its_rows_from_one_whatever_their_device_seq(qtbot):
    """Refused rows from before a re-enrolment sit below zero in the outbox; the clerk reads 1, 2."""
    from desktop.services.sync import Problem
    from desktop.ui.sync_panel import ProblemsModel

    rows = [Problem(-7, "customer", "c1", "电话号码不合格", "2026-12-01T09:00:00+08:00", "张*"),
            Problem(3, "vehicle", "v1", "车牌格式不对", "2026-12-01T10:00:00+08:00", "京A·***Q9")]
    model = ProblemsModel(rows)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["1", "2"]
    assert model.index(0, 4).data() == "2026-12-01 09:00"
