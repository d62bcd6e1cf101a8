"""Complaints (投诉/纠纷): the lifecycle 待处理 → 等待保险公司 → 已解决 → 已关闭 and its gates, overdue
first, every change an event in the outbox and an audit entry, and replicas folding the same events
to the same answer whatever order they arrive in."""
from __future__ import annotations

import json
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from desktop.core.complaints import fold_complaints
from desktop.services import complaints
from desktop.services.errors import BadInput, NotAllowed
from desktop.sync import protocol
from tests.conftest import AT

from .aftersales_fixtures import add_car


@pytest.fixture
def engine(app_ctx):
    return app_ctx.store().engine


@pytest.fixture
def clerk(app_ctx):
    return app_ctx.login("clerk", "clerk-pass-1")


@pytest.fixture
def supervisor(app_ctx):
    return app_ctx.login("super", "super-pass-1")


@pytest.fixture
def car(engine, admin):
    return add_car(engine, admin, seed=51)


def _add(engine, session, car, due="2026-12-10", category="claim", **kw):
    return complaints.add(engine, session, car.vehicle_id, None, category, due, "理赔款一个月还没到账", now=AT, **kw)


def test_the_full_lifecycle_with_a_supervisor_closing(engine, clerk, supervisor, car):
    c = _add(engine, clerk, car, promised="三天内给客户回电")
    assert (c.state, c.owner, c.due, c.promised) == ("open", "clerk", date(2026, 12, 10), "三天内给客户回电")
    c = complaints.move(engine, clerk, c.id, "waiting_insurer", "已转保险公司理赔部", now=AT)
    c = complaints.follow_up(engine, clerk, c.id[:8], "保险公司说下周打款", due="2026-12-15", now=AT)
    assert c.due == date(2026, 12, 15) and c.state == "waiting_insurer"
    c = complaints.move(engine, clerk, c.id, "resolved", "客户确认到账", now=AT)
    with pytest.raises(NotAllowed, match="主管"):
        complaints.move(engine, clerk, c.id, "closed", now=AT)
    c = complaints.move(engine, supervisor, c.id, "closed", "已回访，客户满意", now=AT)
    assert c.state == "closed" and [h.to_state for h in c.history] == ["waiting_insurer", None, "resolved", "closed"]
    with pytest.raises(BadInput, match="已关闭"):
        complaints.follow_up(engine, clerk, c.id, "又来电", now=AT)
    with pytest.raises(BadInput, match="已关闭"):
        complaints.move(engine, supervisor, c.id, "open", now=AT)
    assert complaints.listing(engine, clerk, open_only=True, at=AT) == []
    assert [r.complaint.id for r in complaints.listing(engine, clerk, open_only=False, at=AT)] == [c.id]


def test_states_cannot_be_skipped_and_bad_input_stores_nothing(engine, clerk, supervisor, car):
    c = _add(engine, clerk, car)
    with pytest.raises(BadInput, match="不能直接改为"):
        complaints.move(engine, supervisor, c.id, "closed", now=AT)  # 待处理 → 已关闭 skips 已解决
    for bad in (dict(category="weather"), dict(due="2026-11-01"), dict(due="明天"), dict(owner="nobody")):
        args = {"due": "2026-12-10", "category": "claim", **bad}
        with pytest.raises(BadInput):
            complaints.add(engine, clerk, car.vehicle_id, None, args.pop("category"), args.pop("due"), "x", now=AT,
                           **args)
    with pytest.raises(BadInput, match="情况"):
        complaints.add(engine, clerk, car.vehicle_id, None, "claim", "2026-12-10", "  ", now=AT)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM event WHERE kind LIKE 'complaint%'")).scalar()
        conn.rollback()
    assert n == 1


def test_the_category_may_be_given_as_its_chinese_label(engine, clerk, car):
    assert _add(engine, clerk, car, category="承诺未兑现").category == "promise"


def test_open_list_puts_overdue_first_then_by_due_date(engine, clerk, supervisor, car):
    later = _add(engine, clerk, car, due="2026-12-30")
    overdue_late = _add(engine, clerk, car, due="2026-12-08")
    overdue_early = _add(engine, clerk, car, due="2026-12-02")
    resolved = _add(engine, clerk, car, due="2026-12-01")
    complaints.move(engine, clerk, resolved.id, "resolved", now=AT)
    rows = complaints.listing(engine, clerk, open_only=True, at=AT + timedelta(days=10))
    assert [r.complaint.id for r in rows] == [overdue_early.id, overdue_late.id, resolved.id, later.id]
    assert [r.overdue for r in rows] == [True, True, False, False]  # a resolved one waits only for sign-off
    j = rows[0].to_json()
    assert set(j) == {"id", "plate", "category", "state", "owner", "due", "overdue"}
    assert j["plate"] == car.plate and j["due"] == "2026-12-02"


def test_every_change_is_an_outbox_event_and_an_audit_entry_without_the_note(engine, clerk, supervisor, car):
    c = _add(engine, clerk, car)
    complaints.follow_up(engine, clerk, c.id, f"客户电话 {car.phone} 打不通", now=AT)
    complaints.move(engine, clerk, c.id, "resolved", now=AT)
    complaints.move(engine, supervisor, c.id, "closed", now=AT)
    with engine.connect() as conn:
        outbox = [json.loads(p) for (p,) in conn.execute(text(
            "SELECT payload FROM outbox WHERE entity = 'event' ORDER BY device_seq")) if "complaint" in p]
        audits = conn.execute(text("SELECT action, target, detail FROM audit WHERE action LIKE 'complaint%' "
                                   "ORDER BY seq")).fetchall()
        conn.rollback()
    assert [p["kind"] for p in outbox] == ["complaint_opened", "complaint_followup", "complaint_state",
                                           "complaint_state"]
    for p in outbox:
        assert protocol.validate_payload("event", "upsert", p["id"], p) is None
        assert p["vehicle_id"] == car.vehicle_id
    assert [a[0] for a in audits] == ["complaint_add", "complaint_followup", "complaint_state", "complaint_state"]
    assert all(a[1] == c.id for a in audits)
    assert not any(car.phone in (a[2] or "") for a in audits)  # notes stay out of the audit log


def test_replicas_agree_whatever_order_the_events_arrive_in(engine, clerk, supervisor, car):
    c = _add(engine, clerk, car)
    complaints.move(engine, clerk, c.id, "waiting_insurer", now=AT)
    complaints.follow_up(engine, clerk, c.id, "催办", owner="super", now=AT)
    complaints.move(engine, clerk, c.id, "resolved", now=AT)
    complaints.move(engine, supervisor, c.id, "closed", now=AT)
    events = complaints._events(engine)
    expected = fold_complaints(events)
    for seed in range(5):
        shuffled = events[:]
        random.Random(seed).shuffle(shuffled)
        assert fold_complaints(shuffled) == expected
    assert expected[c.id].state == "closed" and expected[c.id].owner == "super"


def test_a_close_by_a_clerk_from_another_build_is_ignored_and_a_racing_move_changes_nothing(car):
    opened = {"id": "c1", "vehicle_id": car.vehicle_id, "kind": "complaint_opened", "staff": "clerk", "note": "n",
              "at": "2026-12-01T10:00:00+08:00", "detail": {"category": "claim", "due": "2026-12-10", "owner": "clerk"}}

    def state(i, to, role, at):
        return {"id": f"s{i}", "vehicle_id": car.vehicle_id, "kind": "complaint_state", "staff": "x", "note": None,
                "at": at, "detail": {"complaint_id": "c1", "to": to, "by_role": role}}

    folded = fold_complaints([opened, state(1, "resolved", "clerk", "2026-12-02T10:00:00+08:00"),
                              state(2, "closed", "clerk", "2026-12-03T10:00:00+08:00"),
                              state(3, "waiting_insurer", "clerk", "2026-12-04T10:00:00+08:00")])
    c = folded["c1"]
    assert c.state == "resolved"  # the clerk's close and the move not allowed from 已解决 changed nothing
    assert [h.applied for h in c.history] == [True, False, False]


def test_get_needs_a_unique_id_prefix(engine, clerk, car):
    _add(engine, clerk, car)
    with pytest.raises(BadInput, match="至少前 6 位"):
        complaints.get(engine, clerk, "01a")
    with pytest.raises(BadInput, match="找不到"):
        complaints.get(engine, clerk, "ffffffff")
