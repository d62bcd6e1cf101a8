"""Where a renewal's new 交强险 cover starts by default (domain-rules §1).

New start = old end, but never before now: a lapsed car renewed today is covered from today, and
the lapse stays on record (backdating it would print 已续保 over days the car was uninsured). The
old end is the end instant of the merged cover that contains `now` (a cover ending at 09:00 gives a
09:00 start, no hole), so a car already renewed continues from its successor's end.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from desktop.core.status import CI, Term
from desktop.core.timeutil import to_cst


def current_cover_end(terms: Iterable[Term], now: datetime) -> datetime | None:
    """End instant of the merged 交强险 cover containing `now` (touching terms merge), else None."""
    now = to_cst(now)
    spans = sorted((to_cst(t.start_at), to_cst(t.end_at)) for t in terms
                   if t.kind == CI and t.end_at > t.start_at)
    end: datetime | None = None
    for s, e in spans:
        if end is None:
            if s <= now < e:
                end = e
        elif s <= end:
            end = max(end, e)
    return end


def _to_minute_ceiling(t: datetime) -> datetime:
    whole = t.replace(second=0, microsecond=0)
    return whole if whole == t else whole + timedelta(minutes=1)


def default_renewal_start(terms: Iterable[Term], now: datetime) -> datetime:
    """The later of now (to the next whole minute, never a second in the past) and the current
    cover's end instant."""
    now = to_cst(now)
    end = current_cover_end(terms, now)
    return end if end is not None and end > now else _to_minute_ceiling(now)


def one_year_after(start: datetime) -> datetime:
    """New end = new start + 1 year. A cover from 29 February runs through 28 February of the next
    year (ends 28日24时 = 1 March 00:00): ending at 28 February 00:00 would lose a whole day."""
    try:
        return start.replace(year=start.year + 1)
    except ValueError:
        return start.replace(year=start.year + 1, month=3, day=1)


def is_backdated(start: datetime, now: datetime) -> bool:
    """A start before now leaves the hours between uncovered on paper yet covered in the ledger."""
    return to_cst(start) < to_cst(now).replace(second=0, microsecond=0)
