"""The whole-file integrity check runs after log-in in the background (issue 10 item 1): off the
database lane, silent when sound, a warning when not, and a window error is Chinese with a reference."""
from __future__ import annotations

import threading

from PySide6.QtWidgets import QMessageBox

from desktop.core.errors import BadInput
from desktop.ui import errors as ui_errors
from desktop.ui.main import start_integrity_check


def test_sound_store_reports_nothing_and_the_db_lane_stays_free(runner, demo_ctx, qtbot, monkeypatch):
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a))
    engine = demo_ctx.store().engine
    h = start_integrity_check(runner, engine, None)
    assert h.lane == "io"
    lane_free = threading.Event()
    runner.db(lambda p, c: lane_free.set())  # queued behind nothing: the check is not on this lane
    qtbot.waitUntil(lambda: h.done and lane_free.is_set(), timeout=60000)
    assert warned == []


def test_damage_found_in_the_background_is_shown(runner, demo_ctx, qtbot, monkeypatch):
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[2]))
    monkeypatch.setattr("desktop.ui.main.check_integrity", lambda engine, cancel: ["page 7: bad HMAC"])
    h = start_integrity_check(runner, demo_ctx.store().engine, None)
    qtbot.waitUntil(lambda: h.done, timeout=60000)
    assert len(warned) == 1 and "备份" in warned[0]


def test_a_cancelled_check_stops_and_reports_nothing(demo_ctx):
    from desktop.store.engine import check_integrity

    assert check_integrity(demo_ctx.store().engine, cancel=lambda: True) is None
    assert check_integrity(demo_ctx.store().engine, cancel=lambda: False) == []


def test_window_message_for_a_bug_is_chinese_with_a_reference_and_no_personal_data(ui_env, caplog):
    assert ui_errors.message_for(BadInput("电话号码不对")) == "电话号码不对"
    try:
        raise KeyError("13800138000")  # a bug whose text quotes a phone number
    except KeyError as exc:
        text = ui_errors.message_for(exc)
    assert "编号" in text and "13800138000" not in text and "KeyError" not in text
    ref = text.rsplit("：", 1)[1].strip()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ref and ref in logged and "13800138000" not in logged


def test_the_daily_backup_does_not_hold_up_the_first_search(admin_window, demo_ctx, runner, qtbot, monkeypatch):
    """The first log-in of the day writes the automatic backup: a whole-file check and a copy,
    minutes on a big store. It runs off the database lane, so a search meanwhile is answered."""
    from desktop.services import backups
    from desktop.ui.admin_backend import AdminBackend
    from desktop.ui.main import start_auto_backup

    started, go = threading.Event(), threading.Event()
    real = backups.auto_backup_if_due

    def slow(*a, **kw):
        started.set()
        assert go.wait(30)
        return real(*a, **kw)

    monkeypatch.setattr(backups, "auto_backup_if_due", slow)
    admin = AdminBackend(demo_ctx.store())
    start_auto_backup(admin_window, runner, admin, "admin")
    qtbot.waitUntil(started.is_set, timeout=20000)
    answers = []
    try:
        runner.db(lambda p, c: "answered", on_done=answers.append)  # what a search waits for: the lane
        qtbot.waitUntil(lambda: answers == ["answered"], timeout=20000)
    finally:
        go.set()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=60000)
    assert len(list(backups.auto_dir(admin.data_dir).glob("*.rdbak"))) == 1   # and it was written
