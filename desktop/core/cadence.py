"""Renewal contact cadence (domain-rules §7, issue 13): when to call, who counts as followed up,
and how often a customer may be contacted. Pure: events come in as plain facts, dates as days.

Touchpoints: the cadence days before the last covered day (default 45, 33, 30), never earlier
than renewal is allowed (E − lead_days). A touchpoint is met by a *reached* contact on or after
it; unreached attempts are recorded but never count as a follow-up. A contact that names a next
date (or 本次关闭 until a date) replaces the touchpoints before that date. 停止联系 ends it.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

CHANNELS = {"phone": "电话", "sms": "短信", "wechat": "微信", "letter": "信件", "counter": "柜台面谈"}
# Inbound contact (the customer came to the counter) is never refused by the frequency cap.
OUTBOUND = frozenset({"phone", "sms", "wechat", "letter"})

REACHED = {
    "will_renew": "会续保", "quote_requested": "要报价", "will_come": "约定到店",
    "renewed_elsewhere": "已在他处续保", "sold": "车辆已卖出", "declined": "不再续保",
}
NOT_REACHED = {"no_answer": "无人接听", "refused": "拒接", "wrong_number": "号码错误", "switched_off": "关机"}
RESULTS = {**REACHED, **NOT_REACHED}
# Results that end this renewal as a loss: a 战败 reason is required and a supervisor confirms 失销.
LOSS_RESULTS = frozenset({"renewed_elsewhere", "sold", "declined"})

# The locked core of 战败 / 未续 reasons; a store may add its own beside them, never remove these.
LOSS_REASONS = {
    "elsewhere": "已在他处续保", "price": "价格", "service": "服务", "transferred": "车辆转让",
    "scrapped": "报废", "unreachable": "联系不上", "other": "其他",
}
DEFAULT_CADENCE = (45, 33, 30)

# Outcomes recorded with `renewdesk record` (services.record) that close the renewal case.
CLOSING_OUTCOMES = frozenset({"renewed_here", "renewed_elsewhere", "sold", "scrapped"})


@dataclass(frozen=True)
class ContactFact:
    """One renewal-relevant event of a vehicle, reduced to what the cadence needs."""
    kind: str                 # contact | contact_stop | contact_close | outcome | loss_confirmed | assign
    day: date                 # calendar day (UTC+8) it happened
    result: str | None = None  # contact result code / record outcome
    channel: str | None = None
    next_date: date | None = None  # contact --next, contact_close until, will_come visit day
    staff: str | None = None
    reason: str | None = None
    insurer: str | None = None
    assigned_to: str | None = None
    at_text: str = ""         # the stored instant, to order facts of the same day

    @property
    def reached(self) -> bool:
        return self.kind == "contact" and self.result in REACHED


@dataclass(frozen=True)
class CapState:
    today: int   # attempts today
    week: int    # attempts this calendar week (Monday to Sunday)
    blocked: bool


def parse_cadence(text: str | Sequence[int]) -> tuple[int, ...]:
    """'45,33,30' → (45, 33, 30), largest first; ValueError (Chinese) when not a list of days."""
    if not isinstance(text, str):
        days = [int(d) for d in text]
    else:
        try:
            days = [int(p) for p in text.replace("，", ",").split(",") if p.strip()]
        except ValueError:
            raise ValueError("联系节奏应为用逗号分隔的天数，例如 45,33,30。") from None
    if not days or any(d < 0 or d > 365 for d in days):
        raise ValueError("联系节奏应为 0 到 365 之间的天数，例如 45,33,30。")
    return tuple(sorted(set(days), reverse=True))


def touchpoints(end_day: date, cadence: Sequence[int], lead_days: int) -> list[date]:
    """Planned contact days for a cover whose last covered day is `end_day`, oldest first.
    A cadence day beyond the lead time moves to the first day renewal is allowed."""
    days = sorted({min(d, lead_days) for d in cadence}, reverse=True)
    return [end_day - timedelta(days=d) for d in days]


def week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def cap_state(facts: Iterable[ContactFact], today: date, per_day: int = 1, per_week: int = 3) -> CapState:
    """Attempts (reached or not) counted against the frequency cap."""
    monday = week_start(today)
    attempts = [f for f in facts if f.kind == "contact"]
    n_today = sum(1 for f in attempts if f.day == today)
    n_week = sum(1 for f in attempts if monday <= f.day <= today)
    return CapState(n_today, n_week, n_today >= per_day or n_week >= per_week)


def _ordered(facts: Iterable[ContactFact]) -> list[ContactFact]:
    return sorted(facts, key=lambda f: (f.day, f.at_text))


def last_contact(facts: Iterable[ContactFact]) -> ContactFact | None:
    contacts = [f for f in _ordered(facts) if f.kind == "contact"]
    return contacts[-1] if contacts else None


def stopped(facts: Iterable[ContactFact]) -> ContactFact | None:
    """The 停止联系 in force (never again), if any."""
    stops = [f for f in _ordered(facts) if f.kind == "contact_stop"]
    return stops[-1] if stops else None


def assigned_to(facts: Iterable[ContactFact]) -> str | None:
    """The one specialist the vehicle belongs to: the latest assignment stands."""
    assigns = [f for f in _ordered(facts) if f.kind == "assign"]
    return assigns[-1].assigned_to if assigns else None


@dataclass(frozen=True)
class Plan:
    next_date: date | None   # the contact the specialist should make, None when nothing is planned
    overdue: bool            # next_date is before today
    closed_until: date | None  # 本次关闭 in force (snoozed until that day)


def plan(end_day: date | None, facts: Sequence[ContactFact], today: date, cadence: Sequence[int],
         lead_days: int) -> Plan:
    """Next planned contact for a cover ending on `end_day` (the case's facts since it opened).

    A named date (contact --next, 本次关闭 until, a promised visit) set after the last reached
    contact wins; otherwise the latest touchpoint on or before today that no reached contact has
    met (overdue when before today), else the next future touchpoint."""
    ordered = _ordered(facts)
    named: tuple[date, bool] | None = None  # (date, is_close)
    for f in ordered:
        if f.kind in ("contact", "contact_close") and f.next_date is not None:
            named = (f.next_date, f.kind == "contact_close")
        elif f.reached:
            named = None  # a later reached contact without a date supersedes an older named date
    reached_days = [f.day for f in ordered if f.reached]
    if named is not None:
        d, is_close = named
        if not any(r >= d for r in reached_days):
            return Plan(d, d < today, d if is_close and d > today else None)
    if end_day is None:
        return Plan(None, False, None)
    points = touchpoints(end_day, cadence, lead_days)
    if named is not None:
        points = [p for p in points if p >= named[0]]
    last_reached = max(reached_days) if reached_days else None
    open_points = [p for p in points if last_reached is None or last_reached < p]
    past = [p for p in open_points if p <= today]
    if past:
        return Plan(past[-1], past[-1] < today, None)
    future = [p for p in open_points if p > today]
    return Plan(future[0] if future else None, False, None)


def describe_contact(f: ContactFact | None) -> dict | None:
    """The 'last contact' cell: when, how, outcome, by whom."""
    if f is None:
        return None
    return {"date": f.day.isoformat(), "channel": f.channel, "channel_label": CHANNELS.get(f.channel or "", f.channel),
            "result": f.result, "result_label": RESULTS.get(f.result or "", f.result), "reached": f.reached,
            "by": f.staff}
