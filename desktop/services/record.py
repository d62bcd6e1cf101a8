"""Recording what happened at the counter: outcomes, renewals, registrations.

Events are append-only; a correction is a new event naming the one it corrects. Each write puts
its rows, an outbox row and an audit entry in one transaction: all of it lands or none of it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core.ids import new_id
from desktop.core.status import Term
from desktop.core.timeutil import CST, DateParseError, parse_end, parse_start
from desktop.store import audit, outbox, writes
from desktop.store.records import EventRec, TermRec

from .auth import StaffSession, require
from .errors import BadInput

OUTCOMES = ("renewed_here", "renewed_elsewhere", "sold", "scrapped", "unreachable", "declined", "will_come")
OUTCOME_LABEL = {
    "renewed_here": "本店续保", "renewed_elsewhere": "他处续保（转保）", "sold": "车辆已卖出",
    "scrapped": "车辆已报废", "unreachable": "联系不上", "declined": "客户拒绝", "will_come": "客户会来",
}


@dataclass(frozen=True)
class NewTerm:
    insurer: str | None
    policy_no: str | None
    start: str | None
    end: str | None


def build_term(t: NewTerm, staff: str, now: datetime) -> Term:
    if not t.start:
        raise BadInput("请填写新保单的起保日期（--start），例如 2026-12-01。")
    try:
        start = parse_start(t.start)
        end = parse_end(t.end) if t.end else start.replace(year=start.year + 1)
    except DateParseError as exc:
        raise BadInput(str(exc)) from None
    if end <= start:
        raise BadInput("保险止期必须晚于起期。")
    return Term(kind="CI", start_at=start, end_at=end, insurer=(t.insurer or "").strip() or None,
                policy_no=(t.policy_no or "").strip() or None, source="counter", as_of=now,
                verified_by=staff, id=new_id())


def record_outcome(engine: Engine, session: StaffSession, vehicle_id: str, outcome: str,
                   new_term: NewTerm | None = None, note: str | None = None,
                   corrects: str | None = None, detail: dict | None = None,
                   now: datetime | None = None) -> str:
    require(session, "clerk")
    if outcome not in OUTCOMES:
        raise BadInput(f"结果应为以下之一：{', '.join(OUTCOMES)}")
    now = now or datetime.now(CST)
    term = None
    if new_term and (new_term.start or new_term.end or new_term.policy_no):
        if outcome not in ("renewed_here", "renewed_elsewhere"):
            raise BadInput("只有“本店续保/他处续保”可以登记新保单。")
        term = build_term(new_term, session.name, now)
    elif outcome == "renewed_here":
        raise BadInput("本店续保需要填写新保单：--insurer --policy-no --start --end。")
    event = EventRec(id=new_id(), vehicle_id=vehicle_id, kind="outcome", outcome=outcome,
                     detail=json.dumps(detail or {}, ensure_ascii=False) if detail else None,
                     note=(note or None), staff=session.name, at=now, corrects=corrects)
    with engine.begin() as conn:
        with outbox.changes(conn, now) as changes:
            if term is not None:
                writes.insert_terms(conn, (TermRec.of(vehicle_id, term),), changes)
            writes.insert_events(conn, (event,), changes)
        audit.append(conn, "record", session.name, vehicle_id, {"outcome": outcome, "term": bool(term)})
    return event.id
