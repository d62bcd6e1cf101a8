"""The record dialog asks when to follow up 联系不上 / 客户会来 (issue 11); the worklist plans on it."""
from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDate

from desktop.services import worklist
from tests.conftest import AT
from tests.ui.conftest import open_first, type_query


@pytest.mark.parametrize("outcome,label", [("unreachable", "再次联系日期"), ("will_come", "预计来店日期")])
def test_follow_up_date_reaches_the_worklist(window, by_status, backend, demo_ctx, qtbot, outcome, label):
    workable = [x for x in by_status["DUE"] if x.plate and x.bundle.owner and x.bundle.owner.consent_contact
                and x.coverage.next_start_date is None]
    m = workable[0 if outcome == "unreachable" else 1]
    type_query(qtbot, window, m.plate)
    open_first(qtbot, window)
    window.card.record_btn.click()
    dlg = window.record_dialog
    dlg.choose(outcome)
    assert dlg.come_box.isVisible() and dlg.come_label.text() == label
    follow = AT.date() + timedelta(days=6)
    dlg.come_on.setDate(QDate(follow.year, follow.month, follow.day))
    dlg.come_on.setDate(QDate(2026, 11, 20))       # a day already gone cannot be chosen
    assert dlg.come_on.date() >= QDate(2026, 12, 1)
    dlg.come_on.setDate(QDate(follow.year, follow.month, follow.day))
    with qtbot.waitSignal(window.card_shown, timeout=10000):
        dlg.ok.click()
    lists = worklist.build(demo_ctx.store().engine, window.session, AT, backend.settings)
    rows = [r for rs in lists.tabs.values() for r in rs if r.vehicle_id == m.vehicle_id]
    assert rows and rows[0].next_date == follow
