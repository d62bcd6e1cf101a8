"""Default start of a renewal: the later of now and the current cover's end instant."""
from __future__ import annotations

from datetime import datetime

from desktop.core.renewal_start import current_cover_end, default_renewal_start, is_backdated, one_year_after
from desktop.core.status import Term
from desktop.core.timeutil import CST


def T(s, e, kind="CI"):
    return Term(kind, datetime.fromisoformat(s).replace(tzinfo=CST), datetime.fromisoformat(e).replace(tzinfo=CST))


NOW = datetime(2026, 12, 1, 10, 0, tzinfo=CST)


def test_lapsed_345_days_starts_now_not_the_old_end():
    terms = [T("2024-12-21", "2025-12-21")]
    assert default_renewal_start(terms, NOW) == NOW


def test_cover_ending_at_nine_today_gives_no_hole():
    end = datetime(2026, 12, 1, 9, 0, tzinfo=CST)
    terms = [T("2025-12-01T09:00", "2026-12-01T09:00")]
    # at 08:00 the cover still runs: the new one starts at 09:00 exactly (not 00:00 next day)
    assert default_renewal_start(terms, datetime(2026, 12, 1, 8, 0, tzinfo=CST)) == end
    # at 10:00 it has ended: now, and never the old end (that would backdate an hour)
    assert default_renewal_start(terms, NOW) == NOW


def test_due_cover_continues_from_its_end_and_a_renewed_one_from_the_successor():
    due = [T("2026-01-15", "2027-01-15")]
    assert default_renewal_start(due, NOW) == datetime(2027, 1, 15, tzinfo=CST)
    renewed = due + [T("2027-01-15", "2028-01-15")]
    assert current_cover_end(renewed, NOW) == datetime(2028, 1, 15, tzinfo=CST)
    assert default_renewal_start([T("2026-01-15", "2027-01-15", kind="BI")], NOW) == NOW  # BI never counts


def test_seconds_round_up_and_backdating_is_detected():
    now = datetime(2026, 12, 1, 10, 0, 30, tzinfo=CST)
    assert default_renewal_start([], now) == datetime(2026, 12, 1, 10, 1, tzinfo=CST)
    assert is_backdated(datetime(2026, 12, 1, tzinfo=CST), NOW)
    assert not is_backdated(NOW, NOW)
    # Through 28 Feb 24:00, the last covered day being 28 Feb, not 27 Feb.
    assert one_year_after(datetime(2028, 2, 29, tzinfo=CST)) == datetime(2029, 3, 1, tzinfo=CST)
