"""The daily work tabs (今日工作, issue 13): who to contact today, this week, who is overdue,
about to lapse, lapsed, promised to come, and what was finished this month.

Visibility: a supervisor sees everyone's; a clerk sees the vehicles assigned to them and the
unassigned pool (a store that never assigns still has a list). Every list honours 停止联系,
the customer's do-not-contact flag, and the frequency cap (a capped vehicle leaves today's
and the overdue list until the cap allows another attempt).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from desktop.core import cadence
from desktop.core.masking import mask_name
from desktop.core.status import CoverageStatus
from desktop.core.timeutil import CST, cst_date
from desktop.store import renewal_repo, vehicles_repo
from desktop.store.records import VehicleBundle

from .auth import StaffSession, require
from .errors import BadInput
from .renewal_facts import case_facts, closing_fact, facts_of
from .settings import CounterSettings
from .statuses import iter_statuses

TABS = ("today", "week", "overdue", "lapsing", "lapsed", "visits", "done")
TAB_LABEL = {"today": "今日待办", "week": "未来7天", "overdue": "逾期未跟进", "lapsing": "将脱保",
             "lapsed": "已脱保", "visits": "预约到店", "done": "本月已办结"}
LAPSE_DAYS = 3 * 365 + 1  # 已脱保 lists lapses of at most 3 years
WEEK = 7


@dataclass(frozen=True)
class WorkRow:
    vehicle_id: str
    plate: str | None
    owner: str | None          # masked
    status: str
    days_left: int | None
    last_contact: dict | None
    next_date: date | None
    assigned_to: str | None
    week_attempts: int = 0

    def to_json(self) -> dict:
        return {"plate": self.plate, "owner": self.owner, "status": self.status, "days_left": self.days_left,
                "last_contact": self.last_contact, "next_date": self.next_date.isoformat() if self.next_date else None,
                "assigned_to": self.assigned_to}


@dataclass(frozen=True)
class WorkLists:
    today: date
    tabs: dict[str, list[WorkRow]]
    capped: int  # vehicles due today or overdue but held back by the frequency cap

    def counts(self) -> dict[str, int]:
        return {t: len(self.tabs.get(t, [])) for t in TABS}


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _candidates(engine: Engine, at: datetime, s: CounterSettings) -> list[str]:
    today = cst_date(at)
    midnight = datetime(today.year, today.month, today.day, tzinfo=CST)
    ahead = max(s.lead_days, *cadence.parse_cadence(s.contact_cadence)) + WEEK + 2
    with engine.connect() as conn:
        ids = set(vehicles_repo.vehicles_with_ci_end_between(conn, midnight - timedelta(days=LAPSE_DAYS + 2),
                                                             midnight + timedelta(days=ahead)))
        # A named date (next contact, promised visit, 本次关闭) may fall outside the end-date window,
        # and this month's closed cases belong on 已办结.
        since = min(midnight - timedelta(days=s.lead_days + 400), midnight)
        ids.update(renewal_repo.vehicles_with_events_since(conn, ("contact", "contact_close", "outcome",
                                                                  "loss_confirmed", "contact_stop"), since))
        conn.rollback()
    return sorted(ids)


def _row(b: VehicleBundle, c: CoverageStatus, facts: list[cadence.ContactFact], next_date: date | None,
         today: date, s: CounterSettings) -> WorkRow:
    o = b.owner
    cap = cadence.cap_state(facts, today, s.contact_cap_day, s.contact_cap_week)
    return WorkRow(b.vehicle.id, b.vehicle.plate, mask_name(o.name) if o and o.name else None, c.status, c.days_left,
                   cadence.describe_contact(cadence.last_contact(facts)), next_date, cadence.assigned_to(facts),
                   cap.week)


def classify(b: VehicleBundle, c: CoverageStatus, today: date, s: CounterSettings,
             cadence_days: tuple[int, ...]) -> tuple[list[str], WorkRow | None, bool]:
    """The tabs one vehicle belongs on, its row, and whether the cap held it back from today/overdue."""
    facts = facts_of(b.events)
    tabs: list[str] = []
    end = c.ci_end_date
    case = case_facts(facts, end, s)
    closed = closing_fact(case)
    month0 = _month_start(today)
    if closed is not None and closed.day >= month0:
        tabs.append("done")
    stop = cadence.stopped(facts)
    if stop is not None and stop.day >= month0 and "done" not in tabs:
        tabs.append("done")
    no_contact = stop is not None or (b.owner is not None and not b.owner.consent_contact)
    lapsed_ok = c.status == "LAPSED" and c.days_left is not None and c.days_left >= -LAPSE_DAYS
    live = (closed is None and not no_contact and c.next_start_date is None
            and (c.status in ("DUE", "ACTIVE") or lapsed_ok))
    next_date = None
    capped = False
    if live:
        p = cadence.plan(end if c.status != "LAPSED" else None, case, today, cadence_days, s.lead_days)
        next_date = p.next_date
        if p.closed_until is None and next_date is not None:
            cap = cadence.cap_state(facts, today, s.contact_cap_day, s.contact_cap_week)
            if next_date <= today and cap.blocked:
                capped = True
            elif next_date == today:
                tabs.append("today")
            elif next_date < today:
                tabs.append("overdue")
            elif next_date <= today + timedelta(days=WEEK):
                tabs.append("week")
        if c.status == "DUE" and c.days_left is not None and 0 <= c.days_left <= s.lapsing_days:
            tabs.append("lapsing")
        if lapsed_ok:
            tabs.append("lapsed")
        visit = _promised_visit(case)
        if visit is not None:
            tabs.append("visits")
            next_date = visit
    if not tabs and not capped:
        return [], None, False
    return tabs, _row(b, c, facts, next_date, today, s), capped


def _promised_visit(case: list[cadence.ContactFact]) -> date | None:
    """The day a reached customer promised to come, unless a later contact superseded it."""
    last = cadence.last_contact(case)
    if last is not None and last.result == "will_come" and last.next_date is not None:
        return last.next_date
    return None


def _sort_key(tab: str):
    def key(r: WorkRow):
        if tab == "visits" or tab in ("today", "week", "overdue"):
            return (r.next_date or date.max, r.days_left if r.days_left is not None else 10**6, r.plate or "")
        if tab == "lapsed":
            return (-(r.days_left or 0), r.plate or "")
        return (r.days_left if r.days_left is not None else 10**6, r.plate or "")
    return key


def build(engine: Engine, session: StaffSession, at: datetime, s: CounterSettings,
          cancel: Callable[[], bool] | None = None) -> WorkLists:
    require(session, "clerk")
    today = cst_date(at)
    cadence_days = cadence.parse_cadence(s.contact_cadence)
    tabs: dict[str, list[WorkRow]] = {t: [] for t in TABS}
    capped = 0
    sees_all = session.may("supervisor")
    for b, c in iter_statuses(engine, _candidates(engine, at, s), at, s.lead_days, cancel):
        where, row, held = classify(b, c, today, s, cadence_days)
        if row is None or not (sees_all or row.assigned_to in (None, session.name)):
            continue
        capped += held
        for t in where:
            tabs[t].append(row)
    for t, rows in tabs.items():
        rows.sort(key=_sort_key(t))
    return WorkLists(today, tabs, capped)


def tab_json(lists: WorkLists, tab: str) -> dict:
    if tab not in TABS:
        raise BadInput(f"工作列表应为以下之一：{', '.join(TABS)}")
    rows = lists.tabs[tab]
    return {"tab": tab, "count": len(rows), "rows": [r.to_json() for r in rows]}
