"""Recording renewal contacts (issue 13): attempts, 停止联系, 本次关闭, assignment, 失销 confirmation.

Every one is an append-only event with a JSON detail, written with its outbox row and an audit
entry in one transaction (DESIGN §6), so head office and the other counters see the same lists.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine

from desktop.core import cadence
from desktop.core.ids import new_id
from desktop.core.timeutil import CST, cst_date
from desktop.store import audit, outbox, renewal_repo, writes
from desktop.store.records import EventRec, VehicleBundle

from .auth import StaffSession, require
from .errors import BadInput
from .one_vehicle import bundle as _bundle
from .renewal_facts import case_facts, facts_of, loss_state
from .settings import CounterSettings


def loss_reasons(s: CounterSettings) -> dict[str, str]:
    """The locked core plus the store's own reasons (each its own code and label)."""
    extra = [r.strip() for r in s.loss_reasons_extra.replace("，", ",").split(",") if r.strip()]
    return {**cadence.LOSS_REASONS, **{r: r for r in extra if r not in cadence.LOSS_REASONS.values()}}


def _write(engine: Engine, session: StaffSession, events: list[EventRec], action: str, now: datetime) -> None:
    with engine.begin() as conn:
        with outbox.changes(conn, now) as changes:
            writes.insert_events(conn, events, changes)
        # The audit names the vehicle and the codes only: notes may hold personal details.
        audit.append(conn, action, session.name, events[0].vehicle_id,
                     {"kinds": [e.kind for e in events], "outcome": events[0].outcome})


def _event(vehicle_id: str, kind: str, session: StaffSession, now: datetime, outcome: str | None = None,
           detail: dict | None = None, note: str | None = None) -> EventRec:
    clean = {k: v for k, v in (detail or {}).items() if v is not None}
    return EventRec(new_id(), vehicle_id, kind, outcome, json.dumps(clean, ensure_ascii=False) if clean else None,
                    (note or "").strip() or None, session.name, now)


@dataclass(frozen=True)
class ContactInput:
    channel: str
    result: str
    next_date: date | None = None
    note: str | None = None
    reason: str | None = None    # 战败 reason code, required for a loss result
    insurer: str | None = None   # where it renewed, for 已在他处续保


def _check_input(c: ContactInput, s: CounterSettings, today: date) -> ContactInput:
    if c.channel not in cadence.CHANNELS:
        raise BadInput(f"联系方式应为以下之一：{', '.join(cadence.CHANNELS)}（电话、短信、微信、信件、柜台）。")
    if c.result not in cadence.RESULTS:
        raise BadInput("联系结果应为以下之一：" + "，".join(f"{k}（{v}）" for k, v in cadence.RESULTS.items()))
    if c.next_date is not None and c.next_date < today:
        raise BadInput(f"下次联系日期 {c.next_date.isoformat()} 已经过去，请填今天或以后的日期。")
    if c.result == "will_come" and c.next_date is None:
        raise BadInput("约定到店需要填写到店日期（--next YYYY-MM-DD）。")
    reason = c.reason
    if c.result == "renewed_elsewhere":
        reason = reason or "elsewhere"
    if c.result in cadence.LOSS_RESULTS:
        reasons = loss_reasons(s)
        if not reason:
            raise BadInput("这是战败结果，请选择原因（--reason）：" + "，".join(f"{k}（{v}）" for k, v in reasons.items()))
        if reason not in reasons:
            raise BadInput(f"没有这个战败原因：{reason}。可选：" + "，".join(f"{k}（{v}）" for k, v in reasons.items()))
    elif reason:
        raise BadInput("只有战败结果（已在他处续保、车辆已卖出、不再续保）需要填写原因。")
    return ContactInput(c.channel, c.result, c.next_date, c.note, reason, (c.insurer or "").strip() or None)


def check_may_contact(b: VehicleBundle, channel: str, s: CounterSettings, today: date) -> None:
    """停止联系, the customer's do-not-contact flag and the frequency cap stop outbound contact;
    a customer at the counter is always served."""
    if channel not in cadence.OUTBOUND:
        return
    facts = facts_of(b.events)
    stop = cadence.stopped(facts)
    if stop is not None:
        raise BadInput(f"这辆车已于 {stop.day.isoformat()} 停止联系（原因：{stop.reason or '未填'}），不再主动联系。")
    if b.owner is not None and not b.owner.consent_contact:
        raise BadInput("车主不同意被联系（免打扰），不能主动联系。")
    cap = cadence.cap_state(facts, today, s.contact_cap_day, s.contact_cap_week)
    if cap.today >= s.contact_cap_day:
        raise BadInput(f"今天已联系 {cap.today} 次（每天最多 {s.contact_cap_day} 次），请明天再联系。")
    if cap.week >= s.contact_cap_week:
        raise BadInput(f"本周已联系 {cap.week} 次（每周最多 {s.contact_cap_week} 次），请下周再联系。")


def record_contact(engine: Engine, session: StaffSession, vehicle_id: str, c: ContactInput, s: CounterSettings,
                   now: datetime | None = None) -> str:
    """One contact attempt. A loss result proposes 失销; a supervisor's own record confirms it."""
    require(session, "clerk")
    now = now or datetime.now(CST)
    today = cst_date(now)
    c = _check_input(c, s, today)
    b = _bundle(engine, vehicle_id)
    check_may_contact(b, c.channel, s, today)
    detail = {"channel": c.channel, "reached": c.result in cadence.REACHED,
              "next_date": c.next_date.isoformat() if c.next_date else None, "reason": c.reason,
              "insurer": c.insurer}
    events = [_event(vehicle_id, "contact", session, now, c.result, detail, c.note)]
    if c.result in cadence.LOSS_RESULTS and session.may("supervisor"):
        events.append(_event(vehicle_id, "loss_confirmed", session, now, "lost",
                             {"reason": c.reason, "insurer": c.insurer, "proposal": events[0].id}))
    _write(engine, session, events, "contact", now)
    return events[0].id


def confirm_loss(engine: Engine, session: StaffSession, vehicle_id: str, s: CounterSettings,
                 now: datetime | None = None) -> str:
    """A supervisor confirms the 失销 a clerk proposed (audited as loss_confirm)."""
    require(session, "supervisor")
    now = now or datetime.now(CST)
    b = _bundle(engine, vehicle_id)
    state = loss_state(facts_of(b.events))
    if state.proposed is None:
        raise BadInput("这辆车没有待确认的战败（失销）记录。")
    if state.confirmed is not None:
        raise BadInput(f"这辆车的失销已于 {state.confirmed.day.isoformat()} 由 {state.confirmed.staff} 确认。")
    e = _event(vehicle_id, "loss_confirmed", session, now, "lost",
               {"reason": state.proposed.reason, "insurer": state.proposed.insurer,
                "proposed_by": state.proposed.staff})
    _write(engine, session, [e], "loss_confirm", now)
    return e.id


def stop_contact(engine: Engine, session: StaffSession, vehicle_id: str, reason: str,
                 now: datetime | None = None) -> str:
    """停止联系: never contacted again (every list and letter honours it)."""
    require(session, "clerk")
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("停止联系需要写明原因（--stop 原因），例如“客户要求不再来电”。")
    now = now or datetime.now(CST)
    _bundle(engine, vehicle_id)
    e = _event(vehicle_id, "contact_stop", session, now, None, {"reason": reason})
    _write(engine, session, [e], "contact_stop", now)
    return e.id


def close_until(engine: Engine, session: StaffSession, vehicle_id: str, until: date, note: str | None = None,
                now: datetime | None = None) -> str:
    """本次关闭: off the lists until `until`, then back on them (unlike 停止联系)."""
    require(session, "clerk")
    now = now or datetime.now(CST)
    if until <= cst_date(now):
        raise BadInput("本次关闭需要一个以后的日期（--close-until YYYY-MM-DD）。")
    _bundle(engine, vehicle_id)
    e = _event(vehicle_id, "contact_close", session, now, None, {"until": until.isoformat()}, note)
    _write(engine, session, [e], "contact_close", now)
    return e.id


def assign(engine: Engine, session: StaffSession, vehicle_id: str, to_staff: str,
           now: datetime | None = None) -> str | None:
    """Give the vehicle to one specialist; returns who held it before (None if nobody)."""
    require(session, "supervisor")
    now = now or datetime.now(CST)
    with engine.connect() as conn:
        staff = renewal_repo.active_staff(conn)
        conn.rollback()
    if to_staff not in staff:
        raise BadInput(f"没有在职员工 {to_staff}。可选：{', '.join(sorted(staff))}")
    b = _bundle(engine, vehicle_id)
    before = cadence.assigned_to(facts_of(b.events))
    if before == to_staff:
        raise BadInput(f"这辆车已经分配给 {to_staff}。")
    e = _event(vehicle_id, "assign", session, now, None, {"to": to_staff, "from": before})
    _write(engine, session, [e], "assign", now)
    return before


def contact_summary(b: VehicleBundle, s: CounterSettings, today: date) -> dict:
    """What the card shows: this week's attempts against the cap, stop/close, pending 失销."""
    facts = facts_of(b.events)
    cap = cadence.cap_state(facts, today, s.contact_cap_day, s.contact_cap_week)
    stop = cadence.stopped(facts)
    return {"week": cap.week, "today": cap.today, "blocked": cap.blocked, "stopped": stop,
            "assigned_to": cadence.assigned_to(facts), "loss": loss_state(case_facts(facts, None, s)),
            "last": cadence.last_contact(facts)}
