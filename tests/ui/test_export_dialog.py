"""Export from the window: the due list and the status list, masked for a clerk; an administrator
may include full personal data, which the service audits."""
from __future__ import annotations

import json

import openpyxl

from desktop.services import export as export_svc
from desktop.store import audit
from desktop.ui.export_dialog import ExportDialog
from tests.ui.conftest import check_elder, elder, shot


def _open(win, qtbot) -> ExportDialog:
    win.export_btn.click()
    dlg = win.batch_dialog
    assert isinstance(dlg, ExportDialog)
    qtbot.waitExposed(dlg)
    return dlg


def _export(dlg, qtbot, out, monkeypatch) -> int:
    from PySide6.QtWidgets import QFileDialog

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    with qtbot.waitSignal(dlg.exported, timeout=30000) as got:
        dlg.export_btn.click()
    return got.args[0]


def _column(path, header):
    rows = list(openpyxl.load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    i = list(rows[0]).index(header)
    return [r[i] for r in rows[1:]]


def test_clerk_exports_the_due_list_masked(window, backend, qtbot, tmp_path, monkeypatch):
    dlg = _open(window, qtbot)
    assert not dlg.full.isVisible()                     # only an administrator may tick it
    dlg.days.setValue(60)
    out = tmp_path / "due.xlsx"
    n = _export(dlg, qtbot, out, monkeypatch)
    phones = _column(out, "联系电话")
    assert n == len(phones) > 0
    assert all(p is None or "*" in p for p in phones) and any(phones)
    assert all(d is not None and 0 <= d <= 60 for d in _column(out, "剩余天数"))
    a = audit.recent(backend.engine, 1)[0]
    assert a.action == "export" and a.staff == "clerk"
    assert "脱敏" in dlg.result.text() and str(n) in dlg.result.text()
    shot(dlg, "export_dialog")

    dlg.status.setChecked(True)                         # the status list: every vehicle
    assert not dlg.days.isEnabled()
    out2 = tmp_path / "status.xlsx"
    assert _export(dlg, qtbot, out2, monkeypatch) == 300
    assert all(p is None or "*" in p for p in _column(out2, "联系电话"))
    dlg.reject()


def test_admin_may_export_full_data_and_it_is_audited(admin_window, backend, qtbot, tmp_path, monkeypatch):
    dlg = _open(admin_window, qtbot)
    assert dlg.full.isVisible()
    dlg.full.setChecked(True)
    shot(dlg, "export_dialog_admin")
    out = tmp_path / "full.xlsx"
    _export(dlg, qtbot, out, monkeypatch)
    phones = [p for p in _column(out, "联系电话") if p]
    assert phones and not any("*" in p for p in phones)
    a = audit.recent(backend.engine, 1)[0]
    assert a.action == "export" and a.staff == "admin" and json.loads(a.detail)["full"] is True
    assert "完整" in dlg.result.text()
    assert export_svc.HEADERS[3] == "联系电话"
    dlg.reject()


def test_export_error_is_shown(window, qtbot, tmp_path):
    dlg = _open(window, qtbot)
    dlg.export_to(tmp_path / "no-such-dir" / "x.xlsx")
    qtbot.waitUntil(lambda: dlg.error.isVisible(), timeout=10000)
    assert "不存在" in dlg.error.text() and dlg.export_btn.isEnabled()
    dlg.reject()


def test_elder_mode_export(admin_window, ui_env, qtbot):
    elder(True, ui_env)
    dlg = _open(admin_window, qtbot)
    check_elder(qtbot, dlg)
    shot(dlg, "elder_export_dialog")
    dlg.reject()
