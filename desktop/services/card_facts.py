"""What the vehicle card shows beyond the status (issues 11 and 13): VIN and class, the 交强险
premium 估算 with the 浮动告知单 coefficient and last year's premium, 车船税 beside 交强险, the 年检
date with its rule, the merged reminder, the vehicle's history, and the import file behind a term.

A plain function on the database lane; everything it returns is plain data with no personal field.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy.engine import Engine

from desktop.core import cadence
from desktop.core import premium as premium_core
from desktop.core.cadence import CHANNELS, RESULTS
from desktop.core.inspection import InspectionDue, inspection_class, next_inspection
from desktop.core.reminders import Reminder, merged_reminders, tax_with_ci
from desktop.core.status import CoverageStatus, Term, coverage_status
from desktop.core.timeutil import cst_date, to_cst
from desktop.rates import rule_doc, table
from desktop.store import card_repo
from desktop.store.records import EventRec, VehicleBundle, parse_iso

from .auth import StaffSession, require
from .one_vehicle import bundle_on
from .record import OUTCOME_LABEL

HISTORY_MAX = 40
PAPER_LABEL = {"a4": "A4", "a5": "A5", "80mm": "80毫米小票", "58mm": "58毫米小票"}


@dataclass(frozen=True)
class PremiumLine:
    amount: Decimal
    note: str                      # how it was computed (always an estimate: 估算)
    coefficient: str | None        # the 告知单 factor used, when one was recorded
    coefficient_day: date | None
    last_premium: Decimal | None   # what the current (or latest) 交强险 term cost
    last_year: int | None


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    what: str                 # Chinese, readable: "记录：本店续保", "联系（电话）：无人接听", "打印告知单（A4）"
    year: int | None          # the policy year (start year of the 交强险 term in force then)
    policy_no: str | None
    staff: str | None


@dataclass(frozen=True)
class CardFacts:
    vehicle_id: str
    vin: str | None
    class_name: str | None            # the rate table's class, e.g. 家庭自用汽车 6座以下
    class_stored: str | None          # what the store holds when it matched no class
    premium: PremiumLine | None
    premium_problem: str | None       # why there is no estimate (Chinese)
    vehicle_tax: Decimal | None       # 车船税 with the latest 交强险 term, when known
    vehicle_tax_year: int | None
    inspection: InspectionDue | None
    inspection_problem: str | None
    reminders: tuple[Reminder, ...]
    history: tuple[HistoryRow, ...]
    sources: dict[str, str]           # term source "import:<batch>" → "文件名.xlsx（2026年11月3日导入）"
    class_missing: bool = False       # no use/class recorded: no 年检 rule (services.vehicle_class fixes it)


@dataclass(frozen=True)
class ContactWeek:
    """The card's contact line (issue 13 item 2): this week's attempts against the store's cap."""
    week: int            # attempts this calendar week, reached or not (both count against the cap)
    reached: int         # of which reached the customer (only these count as a follow-up)
    per_day: int
    per_week: int
    blocked_today: bool  # today's allowance is used up
    blocked_week: bool   # this week's allowance is used up (the list holds the car back until Monday)


def contact_week(facts, today: date, per_day: int, per_week: int) -> ContactWeek:
    cap = cadence.cap_state(facts, today, per_day, per_week)
    monday = cadence.week_start(today)
    reached = sum(1 for f in facts if f.reached and monday <= f.day <= today)
    return ContactWeek(cap.week, reached, per_day, per_week, cap.today >= per_day, cap.week >= per_week)


def _dec(s: str | None) -> Decimal | None:
    try:
        return Decimal(s) if s not in (None, "") else None
    except InvalidOperation:
        return None


def _detail(e: EventRec) -> dict:
    try:
        d = json.loads(e.detail) if e.detail else {}
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def latest_event(events, kind: str) -> EventRec | None:
    got = [e for e in events if e.kind == kind]
    return max(got, key=lambda e: (e.at, e.id)) if got else None


def inspection_override(events) -> date | None:
    e = latest_event(events, "inspection_override")
    try:
        return date.fromisoformat(_detail(e)["due"]) if e else None
    except (KeyError, ValueError, TypeError):
        return None


def inspection_of(b: VehicleBundle, today: date) -> tuple[InspectionDue | None, str | None]:
    """The next 年检 of a vehicle (rule table, or the counter's override), or why there is none."""
    v = b.vehicle
    override = inspection_override(b.events)
    klass = inspection_class(premium_core.resolve_use(table("ci_base_2008"), v.vehicle_class, v.use, today), v.seats)
    registered = _day(v.registered_on)
    if override is not None and (registered is None or klass is None):
        return InspectionDue(override, "online", "柜台人工录入", False, True), None
    if registered is None:
        return None, "没有初次登记日期，无法推算年检；可按行驶证副页录入年检日期"
    if klass is None:
        return None, ("没有使用性质和座位数（导入的文件里没有），无法推算年检：请按行驶证录入使用性质和核定载人数"
                      "（例如 家庭自用、5 座），或按行驶证副页录入年检日期")
    due = next_inspection(registered, klass, today, rule_doc("inspection"), override)
    return due, (None if due else "年检规则表中没有适用的规则")


def _day(s: str | None) -> date | None:
    try:
        return date.fromisoformat(str(s)[:10]) if s else None
    except ValueError:
        return None


def _ci_terms(terms) -> list[Term]:
    return sorted((t for t in terms if t.kind == "CI"), key=lambda t: t.start_at)


def current_ci(terms, at: datetime) -> Term | None:
    """The 交强险 term in force at `at`, else the latest one that started before it."""
    ci = [t for t in _ci_terms(terms) if t.start_at <= at]
    inside = [t for t in ci if t.end_at > at]
    return (inside or ci or [None])[-1]


def vehicle_tax_of(terms, money: dict[str, card_repo.TermMoney], at: datetime) -> tuple[Decimal | None, int | None]:
    """车船税 recorded with the current 交强险 term (or the latest earlier one), and its year."""
    for t in reversed([t for t in _ci_terms(terms) if t.start_at <= at] or _ci_terms(terms)):
        tax = _dec(money[t.id].vehicle_tax) if t.id in money else None
        if tax is not None:
            return tax, to_cst(t.start_at).year
    return None, None


def _premium(b: VehicleBundle, cov: CoverageStatus, money, region: str, at: datetime,
             cls) -> tuple[PremiumLine | None, str | None]:
    if cls is None:
        return None, "车辆类别不明（费率表中找不到），无法估算保费"
    on = max(cst_date(at), cov.ci_end_date + timedelta(days=1) if cov.ci_end_date else cst_date(at))
    notice = latest_event(b.events, "float_notice")
    coef = _detail(notice).get("coefficient") if notice else None
    try:
        est = premium_core.estimate_ci_premium(table("ci_base_2008"), table("ci_floating"), cls["code"],
                                               region or None, None, on, recorded_coefficient=coef)
    except premium_core.PremiumError as e:
        return None, str(e)
    last = current_ci(b.terms, at)
    last_premium = _dec(money[last.id].premium) if last is not None and last.id in money else None
    note = est.note if est.note.startswith("估算") else "估算：" + est.note
    return PremiumLine(est.amount, note, str(coef) if coef is not None else None,
                       cst_date(notice.at) if notice else None, last_premium,
                       to_cst(last.start_at).year if last_premium is not None else None), None


def _term_at(terms, at: datetime) -> Term | None:
    for t in reversed(_ci_terms(terms)):
        if t.start_at <= at < t.end_at:
            return t
    return None


def _event_text(e: EventRec) -> str | None:
    d = _detail(e)
    if e.kind == "outcome":
        text = "记录：" + OUTCOME_LABEL.get(e.outcome or "", e.outcome or "")
        return text + ("（更正）" if e.corrects else "")
    if e.kind == "contact":
        return f"联系（{CHANNELS.get(d.get('channel', ''), d.get('channel') or '—')}）：" + RESULTS.get(
            e.outcome or "", e.outcome or "")
    if e.kind == "contact_stop":
        return "停止联系" + (f"：{d['reason']}" if d.get("reason") else "")
    if e.kind == "contact_close":
        return "本次关闭" + (f"，{d['until']} 再联系" if d.get("until") else "")
    if e.kind == "slip_printed":
        return f"打印告知单（{PAPER_LABEL.get(d.get('paper', ''), d.get('paper') or 'A4')}）"
    if e.kind == "letter_printed":
        return "打印提醒信"
    if e.kind == "letter_returned":
        return "提醒信退回" + (f"：{e.note}" if e.note else "")
    if e.kind == "float_notice":
        return f"录入浮动告知单：系数 {d.get('coefficient', '—')}"
    if e.kind == "inspection_override":
        return f"更正年检日期为 {d.get('due', '—')}" + (f"（{d['reason']}）" if d.get("reason") else "")
    if e.kind == "visit":
        return "到店（维修保养）"
    if e.kind == "assign":
        return f"分配给 {d.get('to', '—')}"
    return None


def history_of(b: VehicleBundle) -> tuple[HistoryRow, ...]:
    """Terms, outcomes, contacts and prints, newest first, each with its policy year and number."""
    rows: list[HistoryRow] = []
    for t in b.terms:
        kind = "交强险" if t.kind == "CI" else "商业险"
        end = cst_date(t.end_at - timedelta(microseconds=1))
        what = f"{kind}保单生效，保至 {end.isoformat()}" + (f"，{t.insurer}" if t.insurer else "")
        rows.append(HistoryRow(t.start_at, what, to_cst(t.start_at).year, t.policy_no, t.verified_by))
    for e in b.events:
        what = _event_text(e)
        if what is None:
            continue
        term = _term_at(b.terms, e.at)
        d = _detail(e)
        rows.append(HistoryRow(e.at, what, to_cst(term.start_at).year if term else None,
                               d.get("policy_no") or (term.policy_no if term else None), e.staff))
    rows.sort(key=lambda r: r.at, reverse=True)
    return tuple(rows[:HISTORY_MAX])


def source_names(terms, names: dict[str, card_repo.BatchName]) -> dict[str, str]:
    out = {}
    for t in terms:
        src = t.source or ""
        if src.startswith("import:") and src[7:] in names:
            n = names[src[7:]]
            day = cst_date(parse_iso(n.started_at))
            out[src] = f"{n.file}（{day.year}年{day.month}月{day.day}日导入）"
    return out


def _ci_due(cov: CoverageStatus, today: date) -> date | None:
    """The day to renew 交强险 by: its last covered day; a lapsed car today (it is overdue); none
    when the next cover is already bought (RENEWED, PENDING)."""
    if cov.status == "LAPSED":
        return today
    if cov.status in ("RENEWED", "PENDING") or cov.next_start_date is not None:
        return None
    return cov.ci_end_date


def card_facts(engine: Engine, session: StaffSession, vehicle_id: str, at: datetime, lead_days: int = 90,
               region: str = "") -> CardFacts:
    require(session, "clerk")
    with engine.connect() as conn:
        b = bundle_on(conn, vehicle_id)
        money = card_repo.term_money(conn, [vehicle_id])
        batches = card_repo.batch_names(conn, [(t.source or "")[7:] for t in b.terms
                                               if (t.source or "").startswith("import:")])
        conn.rollback()
    today = cst_date(at)
    cov = coverage_status(b.terms, at, lead_days)
    v = b.vehicle
    cls = premium_core.resolve_class(table("ci_base_2008"), v.vehicle_class, v.use, v.seats, today)
    prem, prem_problem = _premium(b, cov, money, region, at, cls)
    tax, tax_year = vehicle_tax_of(b.terms, money, at)
    insp, insp_problem = inspection_of(b, today)
    return CardFacts(
        vehicle_id=v.id, vin=v.vin, class_name=cls["name"] if cls else None,
        class_stored=None if cls else v.vehicle_class, premium=prem, premium_problem=prem_problem,
        vehicle_tax=tax, vehicle_tax_year=tax_year, inspection=insp, inspection_problem=insp_problem,
        reminders=merged_reminders(_ci_due(cov, today), insp.due if insp else None, tax_with_ci(v.energy, v.plate)),
        history=history_of(b), sources=source_names(b.terms, batches),
        class_missing=not (v.use or v.vehicle_class))
