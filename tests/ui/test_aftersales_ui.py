"""The 服务 menu in the real window (offscreen): complaints list with add/follow/state and its
supervisor gate, the claims guidance slip for the card's vehicle, the insurer directory (admin
edits and confirms, a clerk only reads), the SMS list. Screenshots go to /tmp/shots/aftersales."""
from __future__ import annotations

from pathlib import Path

import pdfplumber

from desktop.store.uuidcol import blob
from desktop.ui import aftersales_menu

from .conftest import open_first, shot, type_query

SHOTS = Path("/tmp/shots/aftersales")


def _grab(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))
    shot(widget, f"aftersales-{name}")


def _card(qtbot, win, by_status):
    plate = by_status["DUE"][0].plate
    type_query(qtbot, win, plate)
    return open_first(qtbot, win)


def test_service_menu_complaints_lifecycle_in_the_window(make_window, by_status, qtbot, runner, demo_ctx):
    win = make_window()
    menu = aftersales_menu.install(win, runner, demo_ctx.store().engine)
    names = [a.objectName() for a in win.menu("service").actions()]
    assert names == ["guideAction", "complaintsAction", "directoryAction", "smsAction"]
    match = _card(qtbot, win, by_status)
    dlg = menu.open_complaints()
    loads = []
    dlg.changed.connect(lambda: loads.append(1))
    qtbot.waitUntil(lambda: len(loads) == 1, timeout=10000)

    def after(action) -> None:
        n = len(loads)
        action()
        qtbot.waitUntil(lambda: len(loads) > n or dlg.error.isVisible(), timeout=10000)
        assert not dlg.error.isVisible(), dlg.error.text()
    assert "%1" not in dlg.new_box.title() and match.plate in dlg.new_box.title()
    dlg.note.setPlainText("理赔款一个月还没到账")
    dlg.promised.setText("三天内回电")
    after(dlg.add_btn.click)
    assert len(dlg.model.rows) == 1 and dlg.model.rows[0].plate == match.plate
    assert not dlg.error.isVisible()
    offered = [dlg.to_state.itemData(i) for i in range(dlg.to_state.count())]
    assert offered == ["waiting_insurer", "resolved"]
    dlg.to_state.setCurrentIndex(1)
    after(dlg.move_btn.click)
    row = dlg.model.rows[0]
    assert row.complaint.state == "resolved"
    # A clerk is not offered 已关闭 and is told a supervisor closes.
    assert [dlg.to_state.itemData(i) for i in range(dlg.to_state.count())] == ["open"]
    assert dlg.hint.isVisible()
    dlg.resize(1000, 760)
    _grab(dlg, "complaints")


def test_guide_from_the_card_writes_the_pdf(make_window, by_status, qtbot, runner, demo_ctx, tmp_path):
    win = make_window()
    menu = aftersales_menu.install(win, runner, demo_ctx.store().engine)
    assert menu.open_guide() is None  # no card yet: a message, no dialog
    match = _card(qtbot, win, by_status)
    dlg = menu.open_guide()
    dlg.accident.setCurrentIndex(dlg.accident.findData("two_no_injury"))
    out = tmp_path / "guide.pdf"
    with qtbot.waitSignal(dlg.done_with, timeout=20000) as got:
        dlg.write(out)
    assert got.args[0] >= 1 and not dlg.error.isVisible()
    with pdfplumber.open(out) as pdf:
        text = "".join(p.extract_text() for p in pdf.pages).replace(" ", "")
    assert match.plate in text and "快处快赔" in text
    _grab(dlg, "guide-dialog")


def test_directory_admin_confirms_and_a_clerk_only_reads(make_window, qtbot, runner, demo_ctx):
    admin_win = make_window("admin", "admin-pass-1")
    menu = aftersales_menu.install(admin_win, runner, demo_ctx.store().engine)
    dlg = menu.open_directory()
    qtbot.waitUntil(lambda: dlg.list.count() > 5, timeout=10000)
    row = next(i for i, e in enumerate(dlg.entries) if e.key == "pingan")
    dlg.list.setCurrentRow(row)
    assert "待核实" in dlg.list.item(row).text()
    dlg.edits["branch_address"].setText("示例市理赔中心")
    dlg.confirm.setChecked(True)
    with qtbot.waitSignal(dlg.done_with, timeout=10000):
        dlg.save_btn.click()
    qtbot.waitUntil(lambda: "已核实" in dlg.list.item(dlg.list.currentRow()).text(), timeout=10000)
    assert dlg.edits["branch_address"].text() == "示例市理赔中心"
    _grab(dlg, "directory-admin")
    clerk_win = make_window()
    cdlg = aftersales_menu.install(clerk_win, runner, demo_ctx.store().engine).open_directory()
    qtbot.waitUntil(lambda: cdlg.list.count() > 5, timeout=10000)
    assert not cdlg.save_btn.isEnabled() and not cdlg.edits["claims_phone"].isEnabled()


def test_sms_list_from_the_window(make_window, qtbot, runner, demo_ctx, tmp_path):
    win = make_window()
    dlg = aftersales_menu.install(win, runner, demo_ctx.store().engine).open_sms()
    assert not dlg.full.isVisible()  # a clerk gets masked numbers only
    dlg.lapsed.setChecked(True)
    out = tmp_path / "sms.csv"
    with qtbot.waitSignal(dlg.done_with, timeout=20000) as got:
        dlg.write(out)
    assert got.args[0].rows > 0 and out.exists() and "%" not in dlg.result_line.text()
    _grab(dlg, "sms-dialog")


def test_guide_print_goes_through_the_preview_and_is_logged(make_window, by_status, qtbot, runner, demo_ctx,
                                                            monkeypatch):
    from sqlalchemy import text

    from desktop.ui import aftersales_dialogs

    seen = []
    monkeypatch.setattr(aftersales_dialogs, "preview_guide", lambda parent, data, paper: seen.append(
        (data.plate, data.accident.code, paper)) or True)
    win = make_window()
    menu = aftersales_menu.install(win, runner, demo_ctx.store().engine)
    match = _card(qtbot, win, by_status)
    dlg = menu.open_guide()
    dlg.accident.setCurrentIndex(dlg.accident.findData("glass"))
    with qtbot.waitSignal(dlg.done_with, timeout=20000):
        dlg.print_btn.click()
    assert seen == [(match.plate, "glass", "a4")]
    with demo_ctx.store().engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM event WHERE kind = 'guide_printed' AND vehicle_id = :v"),
                         {"v": blob(match.vehicle_id)}).scalar()
        conn.rollback()
    assert n == 1
