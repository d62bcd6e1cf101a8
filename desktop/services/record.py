"""Recording what happened at the counter: outcomes, renewals, registrations.

Events are append-only; a correction is a new event naming the one it corrects. Each write puts
its rows, an outbox row and an audit entry in one transaction: all of it lands or none of it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy.engine import Engine

from desktop.core.ids import new_id
from desktop.core.renewal_start import default_renewal_start, is_backdated, one_year_after
from desktop.core.status import Term
from desktop.core.timeutil import CST, DateParseError, cst_date, parse_end, parse_start
from desktop.store import audit, outbox, vehicles_repo, writes
from desktop.store.records import EventRec, TermRec

from .auth import StaffSession, require
from .errors import BadInput

OUTCOMES = ("renewed_here", "renewed_elsewhere", "sold", "scrapped", "unreachable", "declined", "will_come")
OUTCOME_LABEL = {
    "renewed_here": "本店续保", "renewed_elsewhere": "他处续保（转保）", "sold": "车辆已卖出",
    "scrapped": "车辆已报废", "unreachable": "联系不上", "declined": "客户拒绝", "will_come": "客户会来",
}
# Outcomes that plan a follow-up: the worklist's next planned date is this date (renewal_facts).
FOLLOW_UP = ("unreachable", "will_come")


@dataclass(frozen=True)
class NewTerm:
    insurer: str | None
    policy_no: str | None
    start: str | None
    end: str | None
    confirm_past_start: bool = False  # the clerk confirmed a start before now (audited)
    premium: str | None = None        # yuan, as on the policy: next year's "last year's premium"
    vehicle_tax: str | None = None    # 车船税 collected with this 交强险 (yuan)


_MONEY_MAX = {"premium": Decimal("100000"), "vehicle_tax": Decimal("20000")}
_MONEY_LABEL = {"premium": "交强险保费", "vehicle_tax": "车船税"}


def parse_money(raw: str | None, field: str) -> str | None:
    """A yuan amount from the policy ("360", "1,100.00", "360元"), or None when left empty."""
    text = (raw or "").strip().replace(",", "").replace("，", "").removesuffix("元").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > _MONEY_MAX[field]:
        raise _bad(f"{_MONEY_LABEL[field]}「{(raw or '')[:12]}」不对：请照保单填写金额（元），例如 360 或 950.00；"
                   "不知道可以空着。", field)
    return f"{value.quantize(Decimal('0.01')):f}".removesuffix(".00")


def _bad(message: str, field: str) -> BadInput:
    """A BadInput naming the form field it is about, so the window can put the message beside it."""
    exc = BadInput(message)
    exc.field = field  # type: ignore[attr-defined]
    return exc


MAX_TERM_TEXT = 200  # a term's insurer and policy number on the wire (desktop.sync.protocol)


def build_term(t: NewTerm, staff: str, now: datetime, default_start: datetime | None = None) -> Term:
    """No start given: the default (core.renewal_start: the later of now and the current cover's
    end). A start before now is refused unless confirmed: it would hide a lapse or a hole."""
    try:
        start = parse_start(t.start) if t.start else default_start
    except DateParseError as exc:
        raise _bad(f"起保日期：{exc}", "start") from None
    if start is None:
        raise _bad("请填写新保单的起保日期（--start），例如 2026-12-01。", "start")
    try:
        end = parse_end(t.end) if t.end else one_year_after(start)
    except DateParseError as exc:
        raise _bad(f"保险止期：{exc}", "end") from None
    if end <= start:
        raise _bad("保险止期必须晚于起期。", "end")
    for value, label, field in ((t.insurer, "保险公司", "insurer"), (t.policy_no, "保单号", "policy_no")):
        if value and len(value.strip()) > MAX_TERM_TEXT:  # head office would answer rejected:bad_text
            raise _bad(f"{label}太长：最多 {MAX_TERM_TEXT} 个字。", field)
    if is_backdated(start, now) and not t.confirm_past_start:
        raise _bad("起保时间早于现在：这段时间车辆并没有保障，登记为已续保会掩盖脱保。"
                   "请改为现在或以后的时间；确实如此（如保单上就是这个时间）请勾选确认"
                   "（命令行加 --confirm-past-start）。", "start")
    return Term(kind="CI", start_at=start, end_at=end, insurer=(t.insurer or "").strip() or None,
                policy_no=(t.policy_no or "").strip() or None, source="counter", as_of=now,
                verified_by=staff, id=new_id())


def record_outcome(engine: Engine, session: StaffSession, vehicle_id: str, outcome: str,
                   new_term: NewTerm | None = None, note: str | None = None,
                   corrects: str | None = None, detail: dict | None = None,
                   now: datetime | None = None, next_date: date | None = None) -> str:
    """`next_date`: for 联系不上 the day to try again, for 客户会来 the day promised; the work
    lists plan the next contact on it."""
    require(session, "clerk")
    if outcome not in OUTCOMES:
        raise BadInput(f"结果应为以下之一：{', '.join(OUTCOMES)}")
    now = now or datetime.now(CST)
    if next_date is not None:
        if outcome not in FOLLOW_UP:
            raise _bad("只有“联系不上/客户会来”可以填写跟进日期（--next）。", "next_date")
        if next_date < cst_date(now):
            raise _bad(f"跟进日期 {next_date.isoformat()} 已经过去：请填今天或以后的日期。", "next_date")
        detail = {**(detail or {}), "next_date": next_date.isoformat()}
    term = None
    given = new_term is not None and bool(new_term.start or new_term.end or new_term.policy_no)
    if given and outcome not in ("renewed_here", "renewed_elsewhere"):
        raise BadInput("只有“本店续保/他处续保”可以登记新保单。")
    if given or outcome == "renewed_here":
        # 本店续保 always stores the new cover (DESIGN §7 makes --insurer/--policy-no/--start/--end
        # optional): unnamed, it starts at the later of now and the current cover's end and runs a
        # year, so the car reads RENEWED, not still due; the policy number may stay unknown.
        t = new_term or NewTerm(None, None, None, None)
        term = build_term(t, session.name, now, renewal_default_start(engine, vehicle_id, now))
        money = (parse_money(t.premium, "premium"), parse_money(t.vehicle_tax, "vehicle_tax"))
    event = EventRec(id=new_id(), vehicle_id=vehicle_id, kind="outcome", outcome=outcome,
                     detail=json.dumps(detail or {}, ensure_ascii=False) if detail else None,
                     note=(note or None), staff=session.name, at=now, corrects=corrects)
    with engine.begin() as conn:
        with outbox.changes(conn, now) as changes:
            if term is not None:
                writes.insert_terms(conn, (TermRec.of(vehicle_id, term, premium=money[0], vehicle_tax=money[1]),),
                                changes)
            writes.insert_events(conn, (event,), changes)
        facts: dict = {"outcome": outcome, "term": bool(term)}
        if term is not None and is_backdated(term.start_at, now):
            facts["past_start_confirmed"] = term.start_at.isoformat(timespec="minutes")
        audit.append(conn, "record", session.name, vehicle_id, facts)
    return event.id


def renewal_default_start(engine: Engine, vehicle_id: str, now: datetime) -> datetime:
    """The start the record form shows and the command line takes when none is given."""
    with engine.connect() as conn:
        bundles = vehicles_repo.load_bundles(conn, [vehicle_id], with_events=False)
        conn.rollback()
    return default_renewal_start(bundles[0].terms if bundles else (), now)
