"""The one status engine (DESIGN §3): screen, print, export and CLI all call ``coverage_status``.

Only 交强险 (CI) terms drive the status; 商业险 (BI) is reported beside it. A term covers
``[start_at, end_at)``; overlapping or touching CI terms merge into one coverage interval.
This runs for every row of a letter batch, so it is a single sort plus linear scans.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.core.timeutil import cst_date, last_covered_day, to_cst

ACTIVE = "ACTIVE"
DUE = "DUE"
RENEWED = "RENEWED"
LAPSED = "LAPSED"
PENDING = "PENDING"
NONE = "NONE"
STATUSES = (ACTIVE, DUE, RENEWED, LAPSED, PENDING, NONE)

CI = "CI"
BI = "BI"

_ONE_US = timedelta(microseconds=1)


@dataclass(frozen=True)
class Term:
    kind: str  # "CI" 交强险 | "BI" 商业险
    start_at: datetime
    end_at: datetime  # exclusive
    insurer: str | None = None
    policy_no: str | None = None
    source: str | None = None  # counter | import:<batch> | hq
    as_of: datetime | None = None
    verified_by: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Gap:
    from_date: date  # first day with uncovered time
    to_date: date  # last day with uncovered time
    days: int  # to_date - from_date + 1


@dataclass(frozen=True)
class CoverageStatus:
    status: str  # ACTIVE DUE RENEWED LAPSED PENDING NONE
    days_left: int | None
    ci_end_date: date | None
    bi_end_date: date | None
    next_start_at: datetime | None
    next_start_date: date | None
    gaps: tuple[Gap, ...]
    source_term: Term | None  # the CI term that supplies ci_end_date


@dataclass
class _Interval:
    start: datetime
    end: datetime
    last: Term  # the term whose end is ``end`` (first such in start order)
    first_index: int  # index range into the sorted CI term list
    stop_index: int


def _merge(terms: list[tuple[datetime, datetime, Term]]) -> list[_Interval]:
    """Merge start-sorted (start, end, term) triples; touching (next start == end) merges too."""
    out: list[_Interval] = []
    for i, (s, e, t) in enumerate(terms):
        if out and s <= out[-1].end:
            cur = out[-1]
            cur.stop_index = i + 1
            if e > cur.end:
                cur.end = e
                cur.last = t
        else:
            out.append(_Interval(s, e, t, i, i + 1))
    return out


def _gap(hole_start: datetime, hole_end: datetime) -> Gap:
    # A hole is [hole_start, hole_end). Its first day is the day of hole_start (uncovered from that
    # instant on); its last day is the day of the last uncovered microsecond. So a hole ending at
    # 14:00 on 03-05 includes 03-05, one ending at 00:00 on 03-05 stops at 03-04.
    first = cst_date(hole_start)
    last = last_covered_day(hole_end)
    return Gap(first, last, (last - first).days + 1)


def _bi_end_date(bi: list[tuple[datetime, datetime, Term]], at: datetime) -> date | None:
    if not bi:
        return None
    covering = [e for s, e, _ in bi if s <= at < e]
    end = max(covering) if covering else max(e for _, e, _ in bi)
    return last_covered_day(end)


def coverage_status(terms: Iterable[Term], at: datetime, lead_days: int = 90) -> CoverageStatus:
    """Status of one vehicle at instant ``at`` (naive = CST), per DESIGN §3 to the letter."""
    if lead_days < 0:
        raise ValueError("lead_days must be >= 0")
    at = to_cst(at)
    ci: list[tuple[datetime, datetime, Term]] = []
    bi: list[tuple[datetime, datetime, Term]] = []
    for t in terms:
        s, e = to_cst(t.start_at), to_cst(t.end_at)
        # An empty or inverted term covers nothing and cannot have "ended" meaningfully; it is bad
        # data that the entry forms reject, so it must not turn NONE into LAPSED here.
        if e <= s:
            continue
        if t.kind == CI:
            ci.append((s, e, t))
        elif t.kind == BI:
            bi.append((s, e, t))
    bi_end = _bi_end_date(bi, at)
    if not ci:
        return CoverageStatus(NONE, None, None, bi_end, None, None, (), None)

    # Stable sort on (start, end) only: Term itself is not orderable, and ties keep input order.
    ci.sort(key=lambda x: (x[0], x[1]))
    intervals = _merge(ci)

    # Index of the last interval starting at or before ``at``.
    k = bisect_right([iv.start for iv in intervals], at) - 1
    inside = k >= 0 and at < intervals[k].end
    # The interval after ``at`` that is not the current one: the next cover to start.
    nxt = intervals[k + 1] if k + 1 < len(intervals) else None
    next_start_at = nxt.start if nxt else None
    next_start_date = cst_date(nxt.start) if nxt else None

    gaps = []
    for a, b in zip(intervals, intervals[1:], strict=False):
        if a.end <= at < b.start:  # the running lapse is reported as LAPSED, not as a gap
            continue
        gaps.append(_gap(a.end, b.start))
    gap_tuple = tuple(gaps)
    today = cst_date(at)

    if inside:
        iv = intervals[k]
        end_date = last_covered_day(iv.end)
        # Current term: the latest-ending term containing ``at``. Only terms starting at or before
        # ``at`` can contain it, and those are a prefix of the interval's start-sorted slice.
        current: tuple[datetime, datetime, Term] | None = None
        for s, e, t in ci[iv.first_index : iv.stop_index]:
            if s > at:
                break
            if e > at and (current is None or e > current[1]):
                current = (s, e, t)
        assert current is not None  # ``at`` is inside the interval, so some term contains it
        if iv.end > current[1]:
            status, source = RENEWED, iv.last
        else:
            status = DUE if iv.end - at <= timedelta(days=lead_days) else ACTIVE
            source = current[2]
        return CoverageStatus(
            status, (end_date - today).days, end_date, bi_end,
            next_start_at, next_start_date, gap_tuple, source,
        )

    if k >= 0:  # some interval ended at or before ``at``: the latest one is the lapsed cover
        iv = intervals[k]
        end_date = last_covered_day(iv.end)
        days = min(-1, (end_date - today).days)
        return CoverageStatus(
            LAPSED, days, end_date, bi_end, next_start_at, next_start_date, gap_tuple, iv.last,
        )

    return CoverageStatus(PENDING, None, None, bi_end, next_start_at, next_start_date, gap_tuple, None)
