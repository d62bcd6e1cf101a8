"""Contacts, work lists and the supervisor gate on a real encrypted store (issue 13)."""
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from desktop.services import contact, worklist
from desktop.services import settings as settings_svc
from desktop.services.auth import StaffSession
from desktop.services.errors import BadInput, NotAllowed
from desktop.store.uuidcol import blob
from tests.builders import add_vehicle
from tests.conftest import AT

TODAY = AT.date()
CLERK = StaffSession("clerk", "clerk")
SUPER = StaffSession("super", "supervisor")


def ending_in(days: int) -> list[tuple[str, str]]:
    last = TODAY + timedelta(days=days)
    return [((last - timedelta(days=364)).isoformat(), last.isoformat())]


@pytest.fixture
def engine(app_ctx):
    return app_ctx.store().engine


@pytest.fixture
def s(engine):
    return settings_svc.load(engine)


def tabs_of(engine, session, s, vehicle_id, at=AT):
    lists = worklist.build(engine, session, at, s)
    return {t for t, rows in lists.tabs.items() if any(r.vehicle_id == vehicle_id for r in rows)}


def phone(result, next_date=None, reason=None, channel="phone"):
    return contact.ContactInput(channel, result, next_date, None, reason)


def test_cadence_days_put_vehicles_on_today_week_and_overdue(engine, s):
    v45, v46, v52, v44 = (add_vehicle(engine, ci=ending_in(n)) for n in (45, 46, 52, 44))
    v53 = add_vehicle(engine, ci=ending_in(53))
    assert tabs_of(engine, CLERK, s, v45.id) == {"today"}
    assert tabs_of(engine, CLERK, s, v46.id) == {"week"}       # first touchpoint tomorrow
    assert tabs_of(engine, CLERK, s, v52.id) == {"week"}       # in 7 days
    assert tabs_of(engine, CLERK, s, v53.id) == set()           # in 8 days: not this week
    assert tabs_of(engine, CLERK, s, v44.id) == {"overdue"}    # yesterday's call was never made


def test_a_contact_is_an_event_with_its_outbox_row_and_an_audit_without_the_note(engine, s):
    v = add_vehicle(engine, ci=ending_in(45))
    c = contact.ContactInput("phone", "will_renew", TODAY + timedelta(days=5), "客户说下周五有空 13800001111")
    eid = contact.record_contact(engine, CLERK, v.id, c, s, now=AT)
    with engine.connect() as conn:
        ev = conn.execute(text("SELECT kind, outcome, detail, note FROM event WHERE id = :i"), {"i": blob(eid)}).one()
        ob = conn.execute(text("SELECT entity, payload FROM outbox WHERE payload LIKE :p"), {"p": f"%{eid}%"}).all()
        last_audit = conn.execute(text("SELECT action, detail FROM audit ORDER BY seq DESC LIMIT 1")).one()
    assert ev.kind == "contact" and ev.outcome == "will_renew"
    assert '"channel": "phone"' in ev.detail and '"next_date": "2026-12-06"' in ev.detail
    assert len(ob) == 1 and ob[0].entity == "event"
    payload = json.loads(ob[0].payload)
    assert payload["kind"] == "contact" and payload["detail"]["channel"] == "phone"
    assert last_audit.action == "contact" and "1380000" not in (last_audit.detail or "")
    # reached, with a named date: off today's list, back on 12-06
    assert tabs_of(engine, CLERK, s, v.id) == {"week"}


def test_unreached_attempt_keeps_the_vehicle_owed_but_the_cap_holds_it_back_today(engine, s):
    v = add_vehicle(engine, ci=ending_in(45))
    contact.record_contact(engine, CLERK, v.id, phone("no_answer"), s, now=AT)
    lists = worklist.build(engine, CLERK, AT, s)
    assert not any(r.vehicle_id == v.id for r in lists.tabs["today"]) and lists.capped == 1
    # tomorrow the touchpoint is still unmet (nobody was reached): overdue
    assert tabs_of(engine, CLERK, s, v.id, AT + timedelta(days=1)) == {"overdue"}
    with pytest.raises(BadInput, match="今天已联系 1 次"):
        contact.record_contact(engine, CLERK, v.id, phone("no_answer"), s, now=AT + timedelta(hours=2))
    # a customer at the counter is always served
    contact.record_contact(engine, CLERK, v.id, phone("quote_requested", channel="counter"), s,
                           now=AT + timedelta(hours=3))


def test_three_attempts_a_week_then_the_list_and_the_recorder_refuse(engine, s):
    v = add_vehicle(engine, ci=ending_in(45))
    for i in range(3):  # Tue, Wed, Thu of the week of 2026-11-30
        contact.record_contact(engine, CLERK, v.id, phone("switched_off"), s, now=AT + timedelta(days=i))
    friday = AT + timedelta(days=3)
    with pytest.raises(BadInput, match="本周已联系 3 次"):
        contact.record_contact(engine, CLERK, v.id, phone("no_answer"), s, now=friday)
    assert tabs_of(engine, CLERK, s, v.id, friday) == set()
    assert tabs_of(engine, CLERK, s, v.id, AT + timedelta(days=6)) == {"overdue"}  # next Monday


def test_stop_contact_leaves_every_list_for_good_but_close_until_comes_back(engine, s):
    stopped = add_vehicle(engine, ci=ending_in(5))
    closed = add_vehicle(engine, ci=ending_in(5))
    contact.stop_contact(engine, CLERK, stopped.id, "客户要求不再来电", now=AT)
    contact.close_until(engine, CLERK, closed.id, TODAY + timedelta(days=3), now=AT)
    assert tabs_of(engine, CLERK, s, stopped.id) == {"done"}          # closed this month, never listed again
    assert tabs_of(engine, CLERK, s, stopped.id, AT + timedelta(days=3)) == {"done"}
    assert tabs_of(engine, CLERK, s, closed.id) == {"lapsing"}        # still about to lapse, not to call
    assert tabs_of(engine, CLERK, s, closed.id, AT + timedelta(days=3)) == {"today", "lapsing"}
    with pytest.raises(BadInput, match="停止联系"):
        contact.record_contact(engine, CLERK, stopped.id, phone("no_answer"), s, now=AT + timedelta(days=1))
    with pytest.raises(BadInput, match="原因"):
        contact.stop_contact(engine, CLERK, closed.id, " ", now=AT)


def test_do_not_contact_customer_is_on_no_list(engine, s):
    v = add_vehicle(engine, ci=ending_in(45))
    with engine.begin() as conn:
        conn.execute(text("UPDATE customer SET consent_contact = 0 WHERE id = :o"), {"o": blob(v.owner_id)})
    assert tabs_of(engine, SUPER, s, v.id) == set()
    with pytest.raises(BadInput, match="免打扰"):
        contact.record_contact(engine, CLERK, v.id, phone("no_answer"), s, now=AT)


def test_a_clerk_sees_their_own_and_the_unassigned_a_supervisor_everyone(engine, s, app_ctx):
    from desktop.services import auth

    auth.add_staff(engine, None, "clerk2", "clerk", "clerk2-pass")
    mine, theirs, pool = (add_vehicle(engine, ci=ending_in(45)) for _ in range(3))
    assert contact.assign(engine, SUPER, mine.id, "clerk", now=AT) is None
    contact.assign(engine, SUPER, theirs.id, "clerk", now=AT)
    assert contact.assign(engine, SUPER, theirs.id, "clerk2", now=AT) == "clerk"  # reassigning says from whom
    today = {r.vehicle_id: r.assigned_to for r in worklist.build(engine, CLERK, AT, s).tabs["today"]}
    assert today == {mine.id: "clerk", pool.id: None}
    assert len(worklist.build(engine, SUPER, AT, s).tabs["today"]) == 3
    with pytest.raises(NotAllowed):
        contact.assign(engine, CLERK, pool.id, "clerk", now=AT)
    with pytest.raises(BadInput, match="没有在职员工"):
        contact.assign(engine, SUPER, pool.id, "nobody", now=AT)


def test_loss_needs_a_reason_and_a_supervisor_confirms_the_clerks_proposal(engine, s):
    v = add_vehicle(engine, ci=ending_in(30))
    with pytest.raises(BadInput, match="战败结果"):
        contact.record_contact(engine, CLERK, v.id, phone("declined"), s, now=AT)
    with pytest.raises(BadInput, match="没有这个战败原因"):
        contact.record_contact(engine, CLERK, v.id, phone("declined", reason="weather"), s, now=AT)
    contact.record_contact(engine, CLERK, v.id, phone("declined", reason="price"), s, now=AT)
    assert tabs_of(engine, CLERK, s, v.id) == {"done"}
    with pytest.raises(NotAllowed):
        contact.confirm_loss(engine, CLERK, v.id, s, now=AT)
    contact.confirm_loss(engine, SUPER, v.id, s, now=AT)
    with engine.connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM audit ORDER BY seq"))]
        kinds = [r[0] for r in conn.execute(text("SELECT kind FROM event WHERE vehicle_id = :v ORDER BY at"),
                                            {"v": blob(v.id)})]
    assert actions[-1] == "loss_confirm" and kinds == ["contact", "loss_confirmed"]
    with pytest.raises(BadInput, match="已于"):
        contact.confirm_loss(engine, SUPER, v.id, s, now=AT)


def test_store_reasons_extend_the_locked_core(engine, s):
    from dataclasses import replace

    s2 = replace(s, loss_reasons_extra="保险公司理赔慢，价格")  # 价格 is core already: not doubled
    reasons = contact.loss_reasons(s2)
    assert reasons["保险公司理赔慢"] == "保险公司理赔慢" and list(reasons.values()).count("价格") == 1
    v = add_vehicle(engine, ci=ending_in(30))
    contact.record_contact(engine, CLERK, v.id, phone("declined", reason="保险公司理赔慢"), s2, now=AT)


def test_will_come_lists_the_promised_visit(engine, s):
    v = add_vehicle(engine, ci=ending_in(33))
    with pytest.raises(BadInput, match="到店日期"):
        contact.record_contact(engine, CLERK, v.id, phone("will_come"), s, now=AT)
    contact.record_contact(engine, CLERK, v.id, phone("will_come", next_date=date(2026, 12, 5)), s, now=AT)
    lists = worklist.build(engine, CLERK, AT, s)
    row = next(r for r in lists.tabs["visits"] if r.vehicle_id == v.id)
    assert row.next_date == date(2026, 12, 5)
    assert row.last_contact["result_label"] == "约定到店" and row.last_contact["by"] == "clerk"
    assert row.owner.endswith("*") and len(row.to_json()) == 7


def test_lapsing_and_lapsed_windows(engine, s):
    lapsing = add_vehicle(engine, ci=ending_in(7))
    not_yet = add_vehicle(engine, ci=ending_in(8))
    lapsed = add_vehicle(engine, ci=ending_in(-2))
    too_old = add_vehicle(engine, ci=ending_in(-3 * 365 - 10))
    assert "lapsing" in tabs_of(engine, CLERK, s, lapsing.id)
    assert "lapsing" not in tabs_of(engine, CLERK, s, not_yet.id)
    assert tabs_of(engine, CLERK, s, lapsed.id) == {"lapsed"}
    assert tabs_of(engine, CLERK, s, too_old.id) == set()


def test_letters_skip_a_vehicle_whose_contact_was_stopped(engine, s):
    from desktop.services import letters

    v = add_vehicle(engine, ci=ending_in(20))
    keep = add_vehicle(engine, ci=ending_in(20))
    contact.stop_contact(engine, CLERK, v.id, "客户要求不再来信", now=AT)
    sel = letters.select(engine, 30, False, "due", AT, s.lead_days)
    chosen = {x.bundle.vehicle.id for x in sel.letters}
    assert keep.id in chosen and v.id not in chosen
    assert [k.reason for k in sel.skipped] == ["no_consent"]
