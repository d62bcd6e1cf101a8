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
from desktop.core.reminders import Reminder, merged_reminders, tax_with_ci
from desktop.core.status import CoverageStatus
from desktop.core.timeutil import cst_date, lapse_window_days
from desktop.store import work_repo
from desktop.store.records import VehicleBundle

from .auth import StaffSession, require
from .card_facts import _ci_due, inspection_of
from .errors import BadInput
from .renewal_facts import case_facts, closing_fact, facts_of
from .settings import CounterSettings
from .statuses import iter_statuses

TABS = ("today", "week", "overdue", "lapsing", "lapsed", "visits", "done")
TAB_LABEL = {"today": "今日待办", "week": "未来7天", "overdue": "逾期未跟进", "lapsing": "将脱保",
             "lapsed": "已脱保", "visits": "预约到店", "done": "本月已办结"}
WEEK = 7
PAGE = 200  # rows shown per tab; the count is always the whole tab


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
    # One merged reminder per date (core.reminders): 交强险 with the 年检 when they fall due together.
    reminders: tuple[Reminder, ...] = ()

    @property
    def reminder_text(self) -> str:
        return "；".join(f"{r.label} {r.day.isoformat()}" for r in self.reminders)

    def to_json(self) -> dict:
        return {"plate": self.plate, "owner": self.owner, "status": self.status, "days_left": self.days_left,
                "last_contact": self.last_contact, "next_date": self.next_date.isoformat() if self.next_date else None,
                "assigned_to": self.assigned_to}  # the shape exactly (scripts rely on it)


@dataclass(frozen=True)
class WorkLists:
    today: date
    tabs: dict[str, list[WorkRow]]  # the first `limit` rows of each tab
    capped: int  # vehicles due today or overdue but held back by the frequency cap
    totals: dict[str, int] | None = None  # every tab's full count (the rows may be its first page)
    limit: int | None = None

    def counts(self) -> dict[str, int]:
        if self.totals is not None:
            return {t: self.totals.get(t, 0) for t in TABS}
        return {t: len(self.tabs.get(t, [])) for t in TABS}


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _row(b: VehicleBundle, c: CoverageStatus, facts: list[cadence.ContactFact], next_date: date | None,
         today: date, s: CounterSettings, cap: cadence.CapState) -> WorkRow:
    o = b.owner
    insp, _why = inspection_of(b, today)
    # the same reminder as the card's and the letter's (车船税 joins 交强险 unless the car is outside it)
    reminders = merged_reminders(_ci_due(c, today), insp.due if insp else None, tax_with_ci(b.vehicle.energy, b.vehicle.plate))
    return WorkRow(b.vehicle.id, b.vehicle.plate, mask_name(o.name) if o and o.name else None, c.status, c.days_left,
                   cadence.describe_contact(cadence.last_contact(facts)), next_date, cadence.assigned_to(facts),
                   cap.week, reminders)


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
    lapsed_ok = c.status == "LAPSED" and c.days_left is not None and c.days_left >= -lapse_window_days(today)
    live = (closed is None and not no_contact and c.next_start_date is None
            and (c.status in ("DUE", "ACTIVE") or lapsed_ok))
    next_date = None
    capped = False
    cap = cadence.cap_state(facts, today, s.contact_cap_day, s.contact_cap_week)
    if live:
        p = cadence.plan(end if c.status != "LAPSED" else None, case, today, cadence_days, s.lead_days)
        next_date = p.next_date
        if p.closed_until is None and next_date is not None:
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
    return tabs, _row(b, c, facts, next_date, today, s, cap), capped


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


def params(at: datetime, s: CounterSettings) -> work_repo.TabParams:
    return work_repo.TabParams(at, cst_date(at), s.lead_days, cadence.parse_cadence(s.contact_cadence),
                               s.lapsing_days, s.contact_cap_day, s.contact_cap_week,
                               lapse_window_days(cst_date(at)))  # 已脱保: at most 3 years, as letters


def _python_rows(engine: Engine, session: StaffSession, at: datetime, s: CounterSettings, ids: list[str],
                 only_done: set[str], cancel) -> tuple[dict[str, list[WorkRow]], int]:
    """The rows the Python engine decides: every tab of `ids`, only 已办结 of those in `only_done`."""
    today = cst_date(at)
    cadence_days = cadence.parse_cadence(s.contact_cadence)
    sees_all = session.may("supervisor")
    tabs: dict[str, list[WorkRow]] = {t: [] for t in TABS}
    capped = 0
    for b, c in iter_statuses(engine, ids, at, s.lead_days, cancel):
        where, row, held = classify(b, c, today, s, cadence_days)
        if row is None or not (sees_all or row.assigned_to in (None, session.name)):
            continue
        if b.vehicle.id in only_done:
            where, held = [t for t in where if t == "done"], False
        capped += held
        for t in where:
            tabs[t].append(row)
    return tabs, capped


def build(engine: Engine, session: StaffSession, at: datetime, s: CounterSettings,
          cancel: Callable[[], bool] | None = None, limit: int = PAGE,
          only: tuple[str, ...] = TABS) -> WorkLists:
    """Every tab's count and its first `limit` rows (sorted as the tab shows them).

    SQL (store.work_repo, store.work_cases, store.work_done for 已办结) counts the vehicles it can
    decide exactly (all but odd stored times, events dated after today beyond the case window and,
    for 已办结, a cover starting after a gap) and names the ones that could be on the first page;
    the Python engine (classify) builds those rows and decides the rest. Nothing else goes through
    the status engine.
    `only` builds some tabs (the window's one tab); `capped` is then only about those tabs."""
    require(session, "clerk")
    p = params(at, s)
    with engine.connect() as conn:
        viewer = None if session.may("supervisor") else session.name
        sql_tabs = {t: work_repo.tab_rows(conn, p, t, limit, viewer) for t in only if t in work_repo.SQL_TABS}
        full = work_repo.python_candidates(conn, p)
        done_only: set[str] = set()
        if "done" in only:
            sql_tabs["done"], done_only = work_repo.done_tab(conn, p, _month_start(p.today), limit, viewer, full)
        conn.rollback()
    py_tabs, capped = _python_rows(engine, session, at, s, sorted(full | done_only), done_only, cancel)
    page_ids = sorted({v for st in sql_tabs.values() for v in st.first} - full)
    sql_rows, _ = _python_rows(engine, session, at, s, page_ids, set(), cancel)
    tabs: dict[str, list[WorkRow]] = {}
    totals: dict[str, int] = {}
    for t in TABS:
        if t not in only:
            continue
        st = sql_tabs.get(t)
        first = set(st.first) if st else set()
        rows = py_tabs[t] + [r for r in sql_rows[t] if r.vehicle_id in first]
        rows.sort(key=_sort_key(t))
        tabs[t] = rows[:limit]
        totals[t] = len(py_tabs[t]) + (st.count if st else 0)
        if st and t in ("today", "overdue"):
            capped += st.capped
    return WorkLists(p.today, tabs, capped, totals, limit)


def tab_json(lists: WorkLists, tab: str) -> dict:
    if tab not in TABS:
        raise BadInput(f"工作列表应为以下之一：{', '.join(TABS)}")
    rows = lists.tabs.get(tab)
    if rows is None:
        raise BadInput(f"工作列表 {tab} 不在这次的结果里。")
    return {"tab": tab, "count": lists.counts()[tab], "rows": [r.to_json() for r in rows]}
