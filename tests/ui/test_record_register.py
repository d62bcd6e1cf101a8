"""Record every outcome through the dialog; corrections; register a vehicle at the counter."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from desktop.services.record import OUTCOME_LABEL, OUTCOMES
from desktop.store import audit
from desktop.store.uuidcol import blob
from tests.ui.conftest import open_first, shot, type_query


def _open_card(win, qtbot, m):
    type_query(qtbot, win, m.plate)
    open_first(qtbot, win)
    win.card.record_btn.click()
    return win.record_dialog


def _events(engine, vid):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, outcome, detail, note, corrects FROM event WHERE vehicle_id = :v "
                                 "AND kind = 'outcome' ORDER BY at, rowid"), {"v": blob(vid)}).all()
        conn.rollback()
    return rows


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_record_each_outcome(window, by_status, demo_ctx, qtbot, outcome):
    m = by_status["DUE"][OUTCOMES.index(outcome)]
    dlg = _open_card(window, qtbot, m)
    assert not dlg.ok.isEnabled()                          # nothing chosen yet
    dlg.choose(outcome)
    assert dlg.term_box.isVisible() == (outcome in ("renewed_here", "renewed_elsewhere"))
    assert dlg.evidence_box.isVisible() == (outcome == "renewed_elsewhere")
    assert dlg.come_box.isVisible() == (outcome in ("will_come", "unreachable"))
    if outcome == "renewed_here":
        dlg.insurer.setText("人保财险")
        dlg.policy_no.setText("PDZA2026000001")
        assert dlg.start.text()                            # prefilled: the day after the last covered day
        shot(dlg, "record_dialog")
    dlg.note.setText(f"测试 {outcome}")
    with qtbot.waitSignal(window.card_shown, timeout=10000) as got:
        dlg.ok.click()
    engine = demo_ctx.store().engine
    ev = _events(engine, m.vehicle_id)[-1]
    assert ev.outcome == outcome and ev.note == f"测试 {outcome}"
    if outcome == "renewed_elsewhere":
        assert json.loads(ev.detail)["evidence"]
    if outcome in ("will_come", "unreachable"):
        assert json.loads(ev.detail)["next_date"] == dlg.next_date().isoformat()
    a = audit.recent(engine, 1)[0]
    assert (a.action, a.staff, a.target) == ("record", "clerk", m.vehicle_id)
    # the history list arrives with the card's facts, from the database lane
    qtbot.waitUntil(lambda: OUTCOME_LABEL[outcome] in window.card.history.text(), timeout=10000)
    if outcome == "renewed_here":
        assert got.args[0].coverage.status == "RENEWED"
        assert window.card.status_word.text().endswith("已续保")


def test_bad_date_is_shown_in_the_dialog(window, by_status, qtbot):
    dlg = _open_card(window, qtbot, by_status["LAPSED"][0])
    dlg.choose("renewed_here")
    dlg.start.setText("明年")
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.error.isVisible())
    assert dlg.isVisible() and dlg.error.text()
    shot(dlg, "record_dialog_error")
    dlg.reject()


def test_correction_names_the_corrected_event(window, by_status, demo_ctx, qtbot):
    m = by_status["ACTIVE"][0]
    dlg = _open_card(window, qtbot, m)
    dlg.choose("declined")
    with qtbot.waitSignal(window.card_shown, timeout=10000):
        dlg.ok.click()
    engine = demo_ctx.store().engine
    first = _events(engine, m.vehicle_id)[-1]
    window.card.record_btn.click()
    dlg2 = window.record_dialog
    idx = dlg2.corrects.findData(first.id)
    assert idx > 0
    dlg2.corrects.setCurrentIndex(idx)
    dlg2.choose("will_come")
    with qtbot.waitSignal(window.card_shown, timeout=10000):
        dlg2.ok.click()
    rows = _events(engine, m.vehicle_id)
    assert rows[-1].corrects == first.id and rows[-2].id == first.id   # append-only: the old one stays
    qtbot.waitUntil(lambda: "更正" in window.card.history.text(), timeout=10000)


# -- register ---------------------------------------------------------------------------------
GOOD = dict(plate="京a·12345", vin="", name="王小明", phone="138 0013 8000", id_number="", address="北京市东城区1号")


def test_register_field_errors_next_to_fields(window, qtbot):
    window.register_btn.click()
    dlg = window.register_dialog
    dlg.edits["plate"].setText("京A1")
    dlg.edits["vin"].setText("LSVAB12345678901X")
    dlg.edits["phone"].setText("12345")
    dlg.edits["id_number"].setText("110105199001011235")
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.errors["plate"].isVisible())
    for f in ("plate", "vin", "phone", "id_number", "name"):
        assert dlg.errors[f].isVisible() and dlg.errors[f].text(), f
    assert not dlg.errors["address"].isVisible()
    shot(dlg, "register_errors")
    dlg.reject()


def test_register_then_card(window, demo_ctx, qtbot):
    window.register_btn.click()
    dlg = window.register_dialog
    for k, v in GOOD.items():
        dlg.edits[k].setText(v)
    with qtbot.waitSignal(window.card_shown, timeout=10000) as got:
        dlg.ok.click()
    m = got.args[0]
    assert m.plate == "京A12345" and m.coverage.status == "NONE" and m.owner == "王**"
    engine = demo_ctx.store().engine
    a = audit.recent(engine, 1)[0]
    assert (a.action, a.target) == ("register", m.vehicle_id)
    with engine.connect() as conn:
        ob = conn.execute(text("SELECT entity FROM outbox ORDER BY device_seq DESC LIMIT 2")).scalars().all()
        conn.rollback()
    assert sorted(ob) == ["customer", "vehicle"]
    # found again by phone and by pinyin initials
    type_query(qtbot, window, "13800138000")
    assert m.vehicle_id in [x.vehicle_id for x in window.search.model.matches()]
    # the same plate again is refused beside the plate box
    window.register_btn.click()
    dlg2 = window.register_dialog
    for k, v in GOOD.items():
        dlg2.edits[k].setText(v)
    dlg2.ok.click()
    qtbot.waitUntil(lambda: dlg2.errors["plate"].isVisible())
    assert "已经登记" in dlg2.errors["plate"].text()
    dlg2.reject()


def test_register_is_all_or_nothing(demo_ctx, monkeypatch):
    from desktop.services import register as reg
    from desktop.services.auth import StaffSession

    engine = demo_ctx.store().engine

    def count():
        with engine.connect() as conn:
            n = [conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in
                 ("customer", "vehicle", "search_key", "outbox", "audit")]
            conn.rollback()
        return n

    before = count()

    def boom(*a, **k):  # the outbox rows fail after the customer and vehicle rows went in
        raise RuntimeError("disk full")

    monkeypatch.setattr(reg.outbox.Changes, "flush", boom)
    with pytest.raises(RuntimeError):
        reg.register(engine, StaffSession("clerk", "clerk"), reg.NewRegistration(**GOOD))
    assert count() == before


def test_register_validation_maps_fields():
    from desktop.services.register import FieldErrors, NewRegistration, validate

    with pytest.raises(FieldErrors) as e:
        validate(NewRegistration(plate="", phone="999"))
    assert set(e.value.errors) == {"plate", "name", "phone"}
    ok = validate(NewRegistration(**GOOD))
    assert (ok.plate, ok.phone) == ("京A12345", "13800138000")
