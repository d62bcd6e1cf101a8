"""The 今日工作 counts after log-in (issue 10 item 1): the first search goes first, the tab says
正在统计… until its build is in, and a search is answered while the build is still running.

The build is held by a gate (an Event the test opens), standing in for seconds of counting on a
million-vehicle store: no sleeps, no timings."""
from __future__ import annotations

import threading

import pytest

from desktop.ui import worklist_tab
from desktop.ui.renewal_backend import RenewalBackend
from tests.ui.conftest import type_query

SAFETY_S = 30  # a broken build fails instead of hanging; nothing is timed


@pytest.fixture
def gated_build(monkeypatch):
    """RenewalBackend.worklists waits at a gate; yields (entered, gate)."""
    entered, gate = threading.Event(), threading.Event()
    real = RenewalBackend.worklists

    def held(self, session, progress, cancel):
        entered.set()
        assert gate.wait(SAFETY_S)
        return real(self, session, progress, cancel)

    monkeypatch.setattr(RenewalBackend, "worklists", held)
    monkeypatch.setattr(worklist_tab, "FALLBACK_MS", 600_000)  # only the search or the tab start it here
    yield entered, gate
    gate.set()  # never leave a lane waiting


def test_a_search_is_answered_while_the_work_tabs_are_still_counting(make_window, runner, by_status, qtbot,
                                                                     gated_build):
    entered, gate = gated_build
    win = make_window("clerk", "clerk-pass-1")
    tab = worklist_tab.install(win, runner)
    assert not entered.is_set() and tab.lists is None  # nothing built at log-in
    assert tab.buttons["today"].text() == "今日待办\n正在统计…"  # no numbers rather than stale ones

    win.tabs.setCurrentWidget(tab)  # the clerk looks at 今日工作: the build starts
    qtbot.waitUntil(entered.is_set, timeout=SAFETY_S * 1000)
    assert tab.title.text() == "正在统计…"
    tab.show_tab("overdue")  # a tab button while counting: still no numbers, no rows
    assert tab.title.text() == "正在统计…" and tab.model.rowCount() == 0

    win.tabs.setCurrentWidget(win.search)
    wanted = by_status["LAPSED"][0]
    type_query(qtbot, win, wanted.plate)  # answered although the build holds its lane
    assert wanted.vehicle_id in [m.vehicle_id for m in win.search.model.matches()]
    assert tab.lists is None and not gate.is_set()

    gate.set()
    qtbot.waitUntil(lambda: tab.lists is not None, timeout=SAFETY_S * 1000)
    counts = tab.lists.counts()
    assert tab.buttons["overdue"].text() == f"逾期未跟进\n{counts['overdue']} 辆"
    assert tab.title.text().startswith("逾期未跟进：")


def test_the_first_search_answer_starts_the_build(make_window, runner, by_status, qtbot, gated_build):
    entered, gate = gated_build
    win = make_window("clerk", "clerk-pass-1")
    tab = worklist_tab.install(win, runner)
    type_query(qtbot, win, by_status["ACTIVE"][0].plate)
    qtbot.waitUntil(entered.is_set, timeout=SAFETY_S * 1000)  # after the answer, not before it
    gate.set()
    qtbot.waitUntil(lambda: tab.lists is not None, timeout=SAFETY_S * 1000)
    assert "正在统计" not in tab.buttons["today"].text()
