"""The monthly renewal report by segment (issue 13): figures from terms and events, each beside
its definition; also by 战败 reason and by specialist; text, JSON and an Excel workbook.
"""
from __future__ import annotations

import calendar
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core import cadence, segments
from desktop.core.timeutil import CST, YEAR_MAX, YEAR_MIN, lapse_window_days
from desktop.io.report_xlsx import PERCENT, write_workbook
from desktop.store import audit, renewal_repo, vehicles_repo, work_repo

from .auth import StaffSession, require
from .contact import loss_reasons
from .errors import BadInput
from .renewal_facts import facts_of
from .settings import CounterSettings

OUTCOMES = ("renewed_here", "renewed_elsewhere", "lost", "open")
UNASSIGNED = "未分配"


@dataclass
class SegmentFigures:
    segment: str
    counts: Counter = field(default_factory=Counter)

    @property
    def due(self) -> int:
        return sum(self.counts[o] for o in OUTCOMES)

    @property
    def rate(self) -> float | None:
        return round(self.counts["renewed_here"] / self.due, 4) if self.due else None

    def to_json(self) -> dict:
        return {"segment": self.segment, "due": self.due, **{o: self.counts[o] for o in OUTCOMES},
                "rate": self.rate, "definition": segments.DEFINITIONS[self.segment]}


@dataclass
class RenewalReport:
    month: str
    first: date
    last: date
    segments: list[SegmentFigures]
    reasons: Counter
    by_staff: dict[str, Counter]
    reason_labels: dict[str, str]

    def to_json(self) -> dict:
        staff = {}
        for name, c in sorted(self.by_staff.items()):
            due = sum(c[o] for o in OUTCOMES)
            staff[name] = {"due": due, **{o: c[o] for o in OUTCOMES},
                           "rate": round(c["renewed_here"] / due, 4) if due else None}
        return {"month": self.month, "segments": [s.to_json() for s in self.segments],
                "reasons": {self.reason_labels.get(k, k): v for k, v in self.reasons.most_common()},
                "by_staff": staff, "outcome_definition": segments.OUTCOME_DEFINITION}


def parse_month(text: str) -> tuple[date, date]:
    try:
        y, m = (int(p) for p in text.strip().split("-"))
        if not YEAR_MIN <= y <= YEAR_MAX:  # 9999-12 overflows further on (exit 1)
            raise ValueError(y)
        first = date(y, m, 1)
    except (ValueError, TypeError):
        raise BadInput(f"--month 应为 YYYY-MM，例如 2026-11（收到：{text[:20]}）。") from None
    return first, date(y, m, calendar.monthrange(y, m)[1])


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=CST)


def _candidates(engine: Engine, first: date, last: date) -> list[str]:
    lo, hi = _midnight(first), _midnight(last + timedelta(days=1))
    with engine.connect() as conn:
        # ends whose last covered day is in the month: end_at in (first 00:00, day after last 00:00]
        ids = set(vehicles_repo.vehicles_with_ci_end_between(conn, lo + timedelta(seconds=1), hi + timedelta(seconds=1)))
        ids.update(renewal_repo.vehicles_with_ci_start_between(conn, lo, hi))  # 新保, 断保回流
        # 断保回流 (lapsed at the month's first day, for at most 3 years): either nothing ended after
        # that (the latest end is in the 3 years before it), or the latest-ending term starts after
        # the first day (one that started by then and ended after it would have covered it).
        ids.update(work_repo.latest_end_between(conn, lo - timedelta(days=segments.LAPSE_DAYS + 2), lo))
        ids.update(work_repo.latest_start_from(conn, lo + timedelta(days=1)))
        conn.rollback()
    return sorted(ids)


def build(engine: Engine, session: StaffSession, month: str, at: datetime, s: CounterSettings,
          use_sql: bool = True) -> RenewalReport:
    """A supervisor's report (it names every specialist's figures).

    SQL (store.renewal_repo.segment_counts) decides every vehicle with canonical stored times;
    the pure core (segments.classify) decides the rest, or every candidate with use_sql=False
    (the reference the SQL is tested against)."""
    require(session, "supervisor")
    first, last = parse_month(month)
    figures = {seg: SegmentFigures(seg) for seg in segments.SEGMENTS}
    reasons: Counter = Counter()
    by_staff: dict[str, Counter] = {}

    def add(segment: str, outcome: str, reason: str | None, who: str | None, n: int) -> None:
        figures[segment].counts[outcome] += n
        if segment in segments.RENEWAL_SEGMENTS:
            if reason and outcome in ("lost", "renewed_elsewhere"):
                reasons[reason] += n
            by_staff.setdefault(who or UNASSIGNED, Counter())[outcome] += n

    with engine.connect() as conn:
        if use_sql:
            for c in renewal_repo.segment_counts(conn, first, last, s.lead_days, lapse_window_days(first)):
                add(c.segment, c.outcome, c.reason, c.assigned_to, c.count)
            ids = renewal_repo.python_report_ids(conn)
        conn.rollback()
    if not use_sql:
        ids = _candidates(engine, first, last)
    with engine.connect() as conn:
        for i in range(0, len(ids), 500):
            for b in vehicles_repo.load_bundles(conn, ids[i:i + 500]):
                facts = facts_of(b.events)
                for h in segments.classify(b.terms, facts, first, last, s.lead_days):
                    add(h.segment, h.outcome, h.reason, cadence.assigned_to(facts), 1)
        conn.rollback()
    audit.record(engine, "report", session.name, None, {"what": "renewal", "month": month})
    return RenewalReport(f"{first:%Y-%m}", first, last, list(figures.values()), reasons, by_staff, loss_reasons(s))


def _pct(r: float | None) -> str:
    return "—" if r is None else f"{r * 100:.1f}%"


def as_text(r: RenewalReport) -> str:
    lines = [f"续保率报表 {r.month}（{r.first.isoformat()} 至 {r.last.isoformat()}）"]
    for sf in r.segments:
        c = sf.counts
        lines.append(f"【{sf.segment}】应续 {sf.due}，本店续保 {c['renewed_here']}，他处续保 {c['renewed_elsewhere']}，"
                     f"战败 {c['lost']}，未结 {c['open']}，续保率 {_pct(sf.rate)}")
        lines.append(f"    定义：{segments.DEFINITIONS[sf.segment]}")
    lines.append(f"口径：{segments.OUTCOME_DEFINITION}")
    if r.reasons:
        lines.append("战败原因：" + "，".join(f"{r.reason_labels.get(k, k)} {v}" for k, v in r.reasons.most_common()))
    for name, row in r.to_json()["by_staff"].items():
        lines.append(f"专员 {name}：应续 {row['due']}，本店续保 {row['renewed_here']}，续保率 {_pct(row['rate'])}")
    return "\n".join(lines)


def write_xlsx(r: RenewalReport, out: Path) -> None:
    """The rate is written as a number with a percent format (empty when nothing was due)."""
    j = r.to_json()
    seg_rows = [[s["segment"], s["due"], s["renewed_here"], s["renewed_elsewhere"], s["lost"], s["open"],
                 s["rate"], s["definition"]] for s in j["segments"]]
    seg_rows.append(["口径", None, None, None, None, None, None, segments.OUTCOME_DEFINITION])
    write_workbook(out, [
        (f"续保率 {r.month}", ["细分", "应续", "本店续保", "他处续保", "战败", "未结", "续保率", "定义"], seg_rows,
         {6: PERCENT}),
        ("战败原因", ["原因", "车辆数"], [[k, v] for k, v in j["reasons"].items()]),
        ("按专员", ["专员", "应续", "本店续保", "他处续保", "战败", "未结", "续保率"],
         [[n, x["due"], x["renewed_here"], x["renewed_elsewhere"], x["lost"], x["open"], x["rate"]]
          for n, x in j["by_staff"].items()], {6: PERCENT}),
    ])
