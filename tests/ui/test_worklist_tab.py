"""今日工作 in the real window (offscreen): counts and chart, recording a contact through the
dialog, the supervisor's renewal-rate report; screenshots in normal and 大字模式."""
from __future__ import annotations

from pathlib import Path

from desktop.services import worklist as worklist_svc
from desktop.services.auth import StaffSession
from tests.conftest import AT
from tests.ui.conftest import check_elder, elder, open_first, type_query

SHOTS = Path("/tmp/shots/renewal")


def shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(SHOTS / f"{name}.png"))


def installed(qtbot, win, runner):
    from desktop.ui import worklist_tab

    tab = worklist_tab.install(win, runner)
    win.tabs.setCurrentWidget(tab)  # shown: the lazy first build starts
    qtbot.waitUntil(lambda: tab.lists is not None, timeout=20000)
    return tab


def test_tabs_show_the_service_counts_with_words_and_numbers(make_window, runner, backend, qtbot, ui_env):
    win = make_window("clerk", "clerk-pass-1")
    tab = installed(qtbot, win, runner)
    expected = worklist_svc.build(backend.engine, StaffSession("clerk", "clerk"), AT, backend.settings).counts()
    assert tab.lists.counts() == expected
    assert tab.buttons["overdue"].text() == f"逾期未跟进\n{expected['overdue']} 辆"
    assert [b.label for b in tab.chart.bars][:3] == ["今日待办", "未来7天", "逾期未跟进"]
    assert all(b.text.endswith("辆") for b in tab.chart.bars)
    tab.show_tab("lapsed")
    assert tab.model.rowCount() == expected["lapsed"] > 0
    owner = tab.model.data(tab.model.index(0, 1))
    assert "*" in owner  # masked
    shot(win, "worklist-normal")
    elder(True, ui_env)
    win.set_elder_mode(True)
    qtbot.wait(100)
    shot(win, "worklist-elder")
    win.set_elder_mode(False)


def test_record_a_contact_from_the_list(make_window, runner, qtbot, ui_env):
    win = make_window("clerk", "clerk-pass-1")
    tab = installed(qtbot, win, runner)
    tab.show_tab("overdue")
    assert tab.model.rowCount() > 0
    before = tab.lists.counts()["overdue"]
    plate = tab.model.rows[0].plate
    tab.table.selectRow(0)
    dlg = tab.open_contact()
    dlg.channel.setCurrentIndex(dlg.channel.findData("phone"))
    dlg.result.setCurrentIndex(dlg.result.findData("declined"))
    assert dlg.reason.isEnabled()
    assert dlg.next.text() == "2026-12-04"  # the date as the counter writes it, not "4 12 2026"
    shot(dlg, "contact-dialog")
    dlg.reason.setCurrentIndex(dlg.reason.findData("price"))
    with qtbot.waitSignal(dlg.accepted, timeout=10000):
        dlg.save_btn.click()
    qtbot.waitUntil(lambda: tab.lists.counts()["overdue"] == before - 1, timeout=20000)
    tab.show_tab("done")
    assert plate in [r.plate for r in tab.model.rows]
    # the card shows the attempt against the cap
    row = next(i for i, r in enumerate(tab.model.rows) if r.plate == plate)
    tab.table.selectRow(row)
    with qtbot.waitSignal(win.card_shown, timeout=10000):
        tab.open_selected()
    assert win.card.contacts.text() == ("本周已联系 1 次（接通 1 次，未接通 0 次；接通才算跟进）；上限：每天 1 次、每周 3 次，"
                                        "今天已达上限，明天再联系") and win.card.contacts.isVisible()
    # a second outbound call the same day is refused on screen, in Chinese
    row = next(i for i, r in enumerate(tab.model.rows) if r.plate == plate)
    tab.table.selectRow(row)
    dlg = tab.open_contact()
    dlg.result.setCurrentIndex(dlg.result.findData("no_answer"))
    dlg.save_btn.click()
    qtbot.waitUntil(lambda: "今天已联系" in dlg.message.text(), timeout=10000)


def test_the_card_counts_reached_and_unreached_against_the_stores_cap(make_window, runner, qtbot, ui_env,
                                                                       monkeypatch):
    from dataclasses import replace

    from desktop.services import settings as settings_svc

    load = settings_svc.load  # a store's own cap, read at log-in (the shared demo store stays as it is)
    monkeypatch.setattr(settings_svc, "load", lambda e: replace(load(e), contact_cap_day=2, contact_cap_week=4))
    win = make_window("clerk", "clerk-pass-1")
    tab = installed(qtbot, win, runner)
    tab.show_tab("overdue")
    plate = tab.model.rows[0].plate
    for result in ("no_answer", "will_renew"):  # unreached first: the car stays owed, the cap still counts it
        row = next(i for i, r in enumerate(tab.model.rows) if r.plate == plate)
        tab.table.selectRow(row)
        dlg = tab.open_contact()
        dlg.channel.setCurrentIndex(dlg.channel.findData("phone"))
        dlg.result.setCurrentIndex(dlg.result.findData(result))
        with qtbot.waitSignal(dlg.accepted, timeout=10000):
            dlg.save_btn.click()
        qtbot.waitUntil(lambda: tab.refresh_btn.isEnabled(), timeout=20000)
        owed = {r.plate for t in ("today", "overdue", "week") for r in tab.lists.tabs[t]}
        if result == "no_answer":  # not reached: still owed a follow-up, and 2 a day let it stay listed
            assert plate in owed
            tab.show_tab("overdue" if plate in {r.plate for r in tab.lists.tabs["overdue"]} else "week")
    type_query(qtbot, win, plate)
    open_first(qtbot, win)
    assert win.card.contacts.text() == ("本周已联系 2 次（接通 1 次，未接通 1 次；接通才算跟进）；上限：每天 2 次、每周 4 次，"
                                        "今天已达上限，明天再联系")
    shot(win.card, "card-contact-cap")  # the whole card, below the fold too


def test_supervisor_report_chart_and_export(make_window, runner, qtbot, ui_env, tmp_path):
    win = make_window("super", "super-pass-1")
    installed(qtbot, win, runner)
    dlg = win.open_renewal_report()
    assert dlg.month.text() == "2026-11"
    dlg.show_btn.click()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=20000)
    assert [b.label for b in dlg.chart.bars][0] == "新保" and "应续" in dlg.chart.bars[0].text
    assert dlg.table.rowCount() == 8 and dlg.table.item(0, 6).text().startswith("本月起保")
    qtbot.wait(100)
    shot(dlg, "report-normal")
    # normal mode at the dialog's own size: the definitions wrap inside the table's width (they ran
    # one line wide behind a horizontal scrollbar), every row whole
    t = dlg.table
    assert t.horizontalHeader().length() <= t.viewport().width() and not t.horizontalScrollBar().isVisible()
    _definitions_read_whole(dlg, "report normal, default size")
    out = tmp_path / "r.xlsx"
    dlg.export(path=str(out))
    qtbot.waitUntil(lambda: "已保存" in dlg.message.text(), timeout=10000)
    # the workbook holds what the window shows: every segment with its definition, by reason, by staff
    from openpyxl import load_workbook

    j = dlg.report.to_json()
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == ["续保率 2026-11", "战败原因", "按专员"]
    seg = list(wb["续保率 2026-11"].values)
    assert seg[0] == ("细分", "应续", "本店续保", "他处续保", "战败", "未结", "续保率", "定义")
    for row, s in zip(seg[1:], j["segments"], strict=False):
        assert row[:7] == (s["segment"], s["due"], s["renewed_here"], s["renewed_elsewhere"], s["lost"], s["open"],
                           s["rate"])
        assert row[7] == s["definition"] == dlg.table.item(j["segments"].index(s), 6).text()
    assert dict(list(wb["战败原因"].values)[1:]) == j["reasons"]
    staff = {r[0]: r[1:3] for r in list(wb["按专员"].values)[1:]}
    assert staff == {n: (x["due"], x["renewed_here"]) for n, x in j["by_staff"].items()} and staff
    for name, (due, here) in staff.items():  # the window says the same beside the chart
        assert f"{name} {here}/{due}" in dlg.extra.text()
    wb.close()
    elder(True, ui_env)
    qtbot.wait(100)
    shot(dlg, "report-elder")
    check_elder(qtbot, dlg)
    _headers_whole(dlg.table)  # they were cut to "立续", "戈败": the columns kept the normal font's widths
    elder(False, ui_env)
    qtbot.wait(100)
    _headers_whole(dlg.table)


def _headers_whole(t) -> None:
    h = t.horizontalHeader()
    fm = h.fontMetrics()
    for col in range(t.columnCount() - 1):
        label = t.horizontalHeaderItem(col).text()
        assert h.sectionSize(col) >= fm.horizontalAdvance(label), (label, h.sectionSize(col))


def test_a_clerk_has_no_report_action(make_window, runner, qtbot, ui_env):
    win = make_window("clerk", "clerk-pass-1")
    installed(qtbot, win, runner)
    act = next(a for a in win.actions() if a.objectName() == "renewalReportAction")
    assert not act.isVisible()


def _labels_whole(tab, name: str) -> None:
    for b in tab.buttons.values():
        widest = max(b.fontMetrics().horizontalAdvance(line) for line in b.text().split("\n"))
        assert b.width() >= widest, (name, b.text(), b.width(), widest)


def _definitions_read_whole(dlg, name: str) -> None:
    """Every segment's row is as tall as its wrapped definition (nothing cut to "…") and the whole
    table can be scrolled to (the page scrolls, the table shows every row)."""
    from PySide6.QtCore import QRect, Qt

    t = dlg.table
    col = t.columnCount() - 1
    assert t.rowCount() == 8, name
    for i in range(t.rowCount()):
        text = t.item(i, col).text()
        need = t.fontMetrics().boundingRect(QRect(0, 0, t.columnWidth(col) - 8, 10000),
                                            int(Qt.TextFlag.TextWordWrap), text).height()
        assert t.rowHeight(i) >= need, (name, i, t.rowHeight(i), need)
    shown = t.horizontalHeader().height() + sum(t.rowHeight(i) for i in range(t.rowCount()))
    assert t.height() >= shown, (name, t.height(), shown)


def _rows_visible(tab) -> float:
    return tab.table.viewport().height() / tab.table.verticalHeader().defaultSectionSize()


def test_the_tab_keeps_its_rows_and_whole_headers_at_1600_and_1024_in_both_modes(make_window, runner, qtbot, ui_env):
    from PySide6.QtWidgets import QApplication

    win = make_window("super", "super-pass-1")
    tab = installed(qtbot, win, runner)
    tab.show_tab("overdue")
    out = Path("/tmp/shots/worklist")
    out.mkdir(parents=True, exist_ok=True)
    for big in (False, True):
        elder(big, ui_env)
        win.set_elder_mode(big)
        for w, h in ((1600, 1000), (1024, 768)):
            win.resize(w, h)
            win.show()
            QApplication.processEvents()
            qtbot.wait(150)
            name = f"worklist-{w}x{h}-{'elder' if big else 'normal'}"
            assert win.grab().save(str(out / f"{name}.png"))
            # The list is the work: at least MIN_ROWS rows, the chart gives way first.
            assert _rows_visible(tab) >= tab.MIN_ROWS - 0.5, (name, _rows_visible(tab))
            header = tab.table.horizontalHeader()
            for i in range(header.count()):  # a header is never elided, however narrow the pane
                text = tab.model.headerData(i, header.orientation())
                assert header.sectionSize(i) >= header.fontMetrics().horizontalAdvance(text), (name, text)
            if (w, h) == (1600, 1000) and not big:
                assert tab.chart.isVisible()
            _labels_whole(tab, name)
            # the list gets most of the width (every column at 1600), the empty card pane keeps a readable part
            left, right = win.split.sizes()
            assert left >= 0.6 * (left + right) and right >= 0.3 * (left + right), (name, left, right)
            if w == 1600 and not big:
                assert tab.table.horizontalHeader().length() <= tab.table.viewport().width(), name
    # a card opened from the list at 1024 in 大字模式 gets the card's width back (it was a 70 px sliver)
    win.resize(1024, 768)
    tab.table.selectRow(0)
    with qtbot.waitSignal(win.card_shown, timeout=10000):
        tab.open_selected()
    qtbot.waitUntil(lambda: win.split.sizes()[1] >= 0.5 * sum(win.split.sizes()), timeout=5000)
    qtbot.wait(150)
    assert win.grab().save(str(out / "worklist-card-1024x768-elder.png"))
    _labels_whole(tab, "card beside the list, 1024 大字")
    win.card.show_match(None)
    dlg = win.open_renewal_report()
    dlg.show_btn.click()
    qtbot.waitUntil(lambda: dlg.report is not None, timeout=20000)
    for big in (False, True):
        elder(big, ui_env)
        for w, h in ((1600, 1000), (1024, 768)):
            dlg.resize(min(w, 1000), min(h, 740))
            QApplication.processEvents()
            qtbot.wait(100)
            assert dlg.grab().save(str(out / f"report-{w}x{h}-{'elder' if big else 'normal'}.png"))
            _definitions_read_whole(dlg, f"report {w} {'elder' if big else 'normal'}")
            assert dlg.table.horizontalHeader().length() <= dlg.table.viewport().width(), (w, big)
    elder(False, ui_env)
    win.set_elder_mode(False)
