"""Lookup as you type in the real window, the walk-in card for every status, reveal."""
from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import Qt

from desktop.core.wording import STATUS_LABEL, STATUS_SYMBOL, days_phrase
from desktop.store import audit
from tests.ui.conftest import open_first, shot, type_keys, type_query

FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def odd_spellings(plate: str) -> list[str]:
    return [plate.lower(), " ".join(plate), "".join(FULLWIDTH.get(c, c) for c in plate),
            plate[:2] + "·" + plate[2:].lower()]


@pytest.mark.parametrize("status", ["ACTIVE", "DUE", "RENEWED", "LAPSED", "PENDING", "NONE"])
def test_card_for_each_status(window, by_status, qtbot, status):
    m = next(x for x in by_status[status] if x.plate and len(x.plate) == 7)
    for spelling in odd_spellings(m.plate):
        type_query(qtbot, window, spelling)
        assert m.vehicle_id in [x.vehicle_id for x in window.search.model.matches()], spelling
    shown = open_first(qtbot, window)
    assert shown.vehicle_id == m.vehicle_id
    card = window.card
    assert card.plate.text() == m.plate
    assert card.status_word.text() == f"{STATUS_SYMBOL[status]} {STATUS_LABEL[status]}"
    assert card.status_word.font().pointSize() >= 36            # the LARGE word
    assert card.days.text() == days_phrase(m.coverage)
    assert m.owner in card.owner.text() and "*" in card.owner.text()
    if m.coverage.ci_end_date:
        assert "当日24时止" in card.ci_end.text()
    if status == "LAPSED":
        assert card.lapse.isVisible() and "不得上路" in card.lapse.text()
    else:
        assert not card.lapse.isVisible()
    if m.coverage.next_start_date:
        assert "不得上路" in card.next_start.text()
    if m.coverage.source_term:
        assert "来源" in card.source.text() and "截至" in card.source.text() and "核实人" in card.source.text()
    assert card.record_btn.isVisible()
    shot(window, f"card_{status}")


def test_next_start_and_gaps_are_shown(window, by_status, qtbot):
    m = next(x for ms in by_status.values() for x in ms if x.coverage.next_start_date and x.coverage.gaps)
    type_query(qtbot, window, m.plate)
    open_first(qtbot, window)
    assert "不得上路" in window.card.next_start.text()
    assert "断档" in window.card.gaps.text() and f"{m.coverage.gaps[0].days} 天" in window.card.gaps.text()
    shot(window, "card_next_start_gaps")


def test_stale_mark(window, by_status, qtbot):
    m = by_status["ACTIVE"][0]
    type_query(qtbot, window, m.plate)
    open_first(qtbot, window)
    assert not window.card.stale.isVisible()          # as of 3 days ago, limit 30
    window.card.stale_after_days = 1
    window.card.show_match(m)
    assert window.card.stale.isVisible() and "可能已过时" in window.card.stale.text()


def test_keys_enter_arrows_escape(window, demo_ctx, by_status, qtbot):
    from collections import Counter

    surnames = Counter(m.bundle.owner.name[0] for ms in by_status.values() for m in ms if m.bundle.owner)
    type_query(qtbot, window, surnames.most_common(1)[0][0])   # a surname: several matches
    model, view = window.search.model, window.search.view
    assert model.rowCount() > 2
    assert view.currentIndex().row() == 0
    qtbot.keyClick(window.search.box, Qt.Key.Key_Down)
    qtbot.keyClick(window.search.box, Qt.Key.Key_Down)
    qtbot.keyClick(window.search.box, Qt.Key.Key_Up)
    assert view.currentIndex().row() == 1
    chosen = model.match_at(1)
    with qtbot.waitSignal(window.card_shown, timeout=10000) as got:
        qtbot.keyClick(window.search.box, Qt.Key.Key_Return)
    assert got.args[0].vehicle_id == chosen.vehicle_id
    entry = audit.recent(demo_ctx.store().engine, 1)[0]
    assert entry.action == "lookup"                   # Enter is the deliberate, audited lookup
    qtbot.keyClick(window.search.box, Qt.Key.Key_Escape)
    assert window.search.box.text() == "" and model.rowCount() == 0


def test_typing_does_not_audit(window, demo_ctx, by_status, qtbot):
    engine = demo_ctx.store().engine
    before = audit.recent(engine, 1)[0].seq
    type_query(qtbot, window, by_status["DUE"][0].plate)
    assert audit.recent(engine, 1)[0].seq == before


def test_not_found_offers_register(window, qtbot):
    type_query(qtbot, window, "新Z99999")
    assert window.search.model.rowCount() == 0
    assert window.search.not_found_row.isVisible()
    assert "找不到" in window.search.not_found.text()
    shot(window, "not_found")
    window.search.register_btn.click()
    dlg = window.register_dialog
    assert dlg.isVisible() and dlg.edits["plate"].text() == "新Z99999"
    dlg.reject()


def test_enter_before_results_still_opens(window, by_status, qtbot):
    m = by_status["LAPSED"][0]
    window.search.box.setFocus()
    type_keys(window.search.box, m.plate)
    with qtbot.waitSignal(window.card_shown, timeout=10000) as got:
        qtbot.keyClick(window.search.box, Qt.Key.Key_Return)   # before the coalesced query ran
    assert got.args[0].vehicle_id == m.vehicle_id


def test_clerk_cannot_reveal(window, by_status, qtbot):
    type_query(qtbot, window, by_status["DUE"][0].plate)
    open_first(qtbot, window)
    assert not window.card.reveal_btn.isEnabled()


def test_supervisor_reveal_is_audited_without_values(make_window, by_status, demo_ctx, qtbot, raw_owner):
    win = make_window("super", "super-pass-1")
    m = next(x for x in by_status["DUE"] if x.bundle.owner and x.bundle.owner.id_number)
    type_query(qtbot, win, m.plate)
    open_first(qtbot, win)
    assert win.card.reveal_btn.isEnabled()
    win.card.reveal_btn.click()
    dlg = win.reveal_dialog
    dlg.ok.click()                                   # no reason yet: refused, nothing shown
    assert dlg.isVisible() and dlg.error.isVisible()
    dlg.reason.setCurrentIndex(0)
    dlg.ok.click()
    owner = raw_owner(m.vehicle_id)
    qtbot.waitUntil(lambda: owner.phone in win.card.owner.text())
    assert owner.name in win.card.owner.text() and owner.id_number in win.card.owner.text()
    e = audit.recent(demo_ctx.store().engine, 1)[0]
    assert (e.action, e.staff, e.target) == ("reveal", "super", m.vehicle_id)
    assert "车主本人" in e.detail                     # the reason is audited
    assert owner.phone not in (e.detail or "") and owner.id_number not in (e.detail or "")


def test_reveal_service_requires_supervisor_and_a_reason(demo_ctx, by_status, raw_owner):
    from desktop.services.auth import StaffSession
    from desktop.services.errors import BadInput, NotAllowed
    from desktop.services.reveal import reveal

    engine = demo_ctx.store().engine
    vid = by_status["ACTIVE"][0].vehicle_id
    with pytest.raises(NotAllowed):
        reveal(engine, StaffSession("clerk", "clerk"), vid, "客户核对")
    with pytest.raises(BadInput):
        reveal(engine, StaffSession("admin", "admin"), vid, "  ")
    r = reveal(engine, StaffSession("admin", "admin"), vid, "客户核对")
    assert r.name == raw_owner(vid).name
    assert dataclasses.asdict(r)["vehicle_id"] == vid
