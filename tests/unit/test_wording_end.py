"""The printed end of cover: "当日24时止" only when the cover really runs to midnight."""
from datetime import date, datetime

from desktop.core.status import Term, coverage_status
from desktop.core.timeutil import CST
from desktop.core.wording import ci_end_phrase, end_date_phrase


def _at(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=CST)


def test_midnight_end_is_the_24_oclock_convention():
    assert end_date_phrase(date(2026, 12, 31)) == "2026年12月31日（当日24时止）"
    assert end_date_phrase(date(2026, 12, 31), _at("2027-01-01T00:00")) == "2026年12月31日（当日24时止）"


def test_instant_cover_prints_its_end_time():
    # 即时生效 at 09:00 a year ago: cover ends 09:00 today, not at midnight.
    term = Term("CI", _at("2025-12-01T09:00"), _at("2026-12-01T09:00"), insurer="安泰财产保险")
    st = coverage_status([term], _at("2026-12-01T10:00"))
    assert st.status == "LAPSED" and st.days_left == -1
    assert ci_end_phrase(st) == "2026年12月1日 9:00 止"
    st_before = coverage_status([term], _at("2026-12-01T08:00"))
    assert ci_end_phrase(st_before) == "2026年12月1日 9:00 止" and st_before.days_left == 0


def test_no_cover_no_phrase():
    assert ci_end_phrase(coverage_status([], _at("2026-12-01T10:00"))) == ""
