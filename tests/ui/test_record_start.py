"""Issue 11 item 1: renewing never backdates by default; a past start needs an audited tick."""
from __future__ import annotations

import json

from desktop.core.timeutil import to_cst
from desktop.services.record import NewTerm, record_outcome
from desktop.store import audit
from tests.conftest import AT
from tests.ui.conftest import open_first, shot, type_query


def _dialog(win, qtbot, m):
    type_query(qtbot, win, m.plate)
    open_first(qtbot, win)
    win.card.record_btn.click()
    dlg = win.record_dialog
    dlg.choose("renewed_here")
    return dlg


def test_lapsed_car_renewed_today_starts_now_and_keeps_the_lapse(window, by_status, demo_ctx, qtbot):
    m = max((x for x in by_status["LAPSED"] if not x.coverage.next_start_date), key=lambda x: -x.coverage.days_left)
    assert m.coverage.days_left < -30
    dlg = _dialog(window, qtbot, m)
    assert dlg.start.text() == "2026-12-01 10:00"           # now, not the old end + 1 day
    assert not dlg.confirm_past.isVisible()
    shot(dlg, "record_lapsed_default_start")
    dlg.policy_no.setText("PDZA2026LAPSE1")
    with qtbot.waitSignal(window.card_shown, timeout=10000) as got:
        dlg.ok.click()
    c = got.args[0].coverage
    assert c.status != "RENEWED"                             # the lapse did not vanish
    assert c.status in ("ACTIVE", "DUE") and c.gaps and c.gaps[-1].to_date == AT.date()


def test_a_past_start_is_refused_naming_the_field_until_confirmed(window, by_status, demo_ctx, qtbot):
    m = next(x for x in by_status["LAPSED"] if not x.coverage.next_start_date)
    dlg = _dialog(window, qtbot, m)
    dlg.policy_no.setText("PDZA2026PAST01")
    dlg.start.setText("2026-11-20")
    assert dlg.confirm_past.isVisible() and not dlg.confirm_past.isChecked()
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.error.isVisible())
    assert "起保时间早于现在" in dlg.error.text() and dlg.bad_field == "start"
    assert dlg.start.hasFocus()
    shot(dlg, "record_past_start_refused")
    dlg.confirm_past.setChecked(True)
    with qtbot.waitSignal(window.card_shown, timeout=10000):
        dlg.ok.click()
    e = audit.recent(demo_ctx.store().engine, 1)[0]
    assert e.action == "record" and json.loads(e.detail)["past_start_confirmed"].startswith("2026-11-20")


def test_due_car_continues_from_the_old_end_instant(window, by_status, qtbot):
    m = by_status["DUE"][0]
    dlg = _dialog(window, qtbot, m)
    end = to_cst(m.coverage.source_term.end_at)
    assert dlg.start.text().startswith(end.date().isoformat())
    dlg.reject()


def test_service_default_start_without_start(demo_ctx, by_status, admin):
    """The command line's path: --policy-no without --start takes the default, end one year later."""
    engine = demo_ctx.store().engine
    m = next(x for x in by_status["LAPSED"] if not x.coverage.next_start_date)
    record_outcome(engine, admin, m.vehicle_id, "renewed_here", NewTerm("X", "P-DEFAULT", None, None), now=AT)
    from desktop.services.lookup import get

    c = get(engine, m.vehicle_id, AT).coverage
    assert c.status in ("ACTIVE", "DUE") and c.ci_end_date.isoformat() == "2027-12-01"
    t = next(t for t in get(engine, m.vehicle_id, AT).bundle.terms if t.policy_no == "P-DEFAULT")
    assert to_cst(t.start_at) == AT and to_cst(t.end_at) == AT.replace(year=2027)
