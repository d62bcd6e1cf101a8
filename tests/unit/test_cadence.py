"""The contact cadence on boundary days, reached versus unreached, the frequency cap, and
停止联系 versus 本次关闭 (core.cadence, pure)."""
from datetime import date, timedelta

import pytest

from desktop.core import cadence
from desktop.core.cadence import ContactFact, cap_state, plan, touchpoints

END = date(2026, 12, 31)  # last covered day
CAD = (45, 33, 30)


def d(n_before_end: int) -> date:
    return END - timedelta(days=n_before_end)


def call(day: date, result: str, next_date: date | None = None) -> ContactFact:
    return ContactFact("contact", day, result, "phone", next_date, "clerk", at_text=day.isoformat())


def test_touchpoints_are_45_33_30_days_before_the_last_covered_day():
    assert touchpoints(END, CAD, 90) == [date(2026, 11, 16), date(2026, 11, 28), date(2026, 12, 1)]


def test_a_cadence_day_beyond_the_lead_time_moves_to_the_first_allowed_day():
    # lead_days 40: insurers refuse a renewal 45 days out, so the first call is 40 days out
    assert touchpoints(END, CAD, 40) == [d(40), d(33), d(30)]


@pytest.mark.parametrize("today, expected, overdue", [
    (d(46), d(45), False),   # the day before the first touchpoint: it is the next one, not due yet
    (d(45), d(45), False),   # on the boundary day it is today's
    (d(44), d(45), True),    # a day later and nobody reached the customer: overdue
    (d(34), d(45), True),
    (d(33), d(33), False),   # the second touchpoint replaces the missed first
    (d(30), d(30), False),
    (d(29), d(30), True),
])
def test_plan_on_boundary_days_without_contact(today, expected, overdue):
    p = plan(END, [], today, CAD, 90)
    assert (p.next_date, p.overdue) == (expected, overdue)


def test_only_a_reached_contact_meets_a_touchpoint():
    unreached = [call(d(45), "no_answer")]
    p = plan(END, unreached, d(44), CAD, 90)
    assert p.next_date == d(45) and p.overdue  # still owed a follow-up
    reached = [call(d(45), "will_renew")]
    p = plan(END, reached, d(44), CAD, 90)
    assert p.next_date == d(33) and not p.overdue


def test_a_late_reached_contact_meets_every_earlier_touchpoint():
    p = plan(END, [call(d(31), "quote_requested")], d(31), CAD, 90)
    assert p.next_date == d(30)  # no catching up on 45 and 33


def test_after_the_last_touchpoint_is_met_nothing_is_planned():
    p = plan(END, [call(d(30), "will_renew")], d(20), CAD, 90)
    assert p.next_date is None and not p.overdue


def test_a_named_next_date_replaces_the_touchpoints_before_it():
    facts = [call(d(45), "will_renew", next_date=d(31))]
    assert plan(END, facts, d(33), CAD, 90).next_date == d(31)  # 33 is skipped: the customer named a day
    assert plan(END, facts, d(30), CAD, 90) == cadence.Plan(d(31), True, None)


def test_close_until_snoozes_and_comes_back_on_its_day():
    close = ContactFact("contact_close", d(45), next_date=d(20), at_text="x")
    p = plan(END, [close], d(40), CAD, 90)
    assert p.closed_until == d(20) and p.next_date == d(20)
    back = plan(END, [close], d(20), CAD, 90)
    assert back.closed_until is None and back.next_date == d(20) and not back.overdue


def test_stop_contact_is_found_and_close_is_not_a_stop():
    close = ContactFact("contact_close", d(45), next_date=d(20))
    stop = ContactFact("contact_stop", d(40), reason="客户要求")
    assert cadence.stopped([close]) is None
    assert cadence.stopped([close, stop]) == stop


def test_frequency_cap_one_a_day_three_a_calendar_week():
    monday = date(2026, 11, 30)
    assert monday.weekday() == 0
    week = [call(monday, "no_answer"), call(monday + timedelta(days=1), "switched_off")]
    s = cap_state(week, monday + timedelta(days=2), 1, 3)
    assert (s.today, s.week, s.blocked) == (0, 2, False)
    s = cap_state(week + [call(monday + timedelta(days=2), "no_answer")], monday + timedelta(days=2), 1, 3)
    assert (s.today, s.week, s.blocked) == (1, 3, True)
    # last week's attempts do not count on Monday
    s = cap_state(week, monday + timedelta(days=7), 1, 3)
    assert (s.today, s.week, s.blocked) == (0, 0, False)
    # unreached attempts count against the cap too (the phone rang either way)
    assert cap_state([call(monday, "no_answer")], monday, 1, 3).blocked


def test_parse_cadence():
    assert cadence.parse_cadence("30，45,33") == (45, 33, 30)
    with pytest.raises(ValueError, match="45,33,30"):
        cadence.parse_cadence("soon")
    with pytest.raises(ValueError):
        cadence.parse_cadence("400")


def test_the_loss_reason_core_is_complete():
    assert list(cadence.LOSS_REASONS.values()) == ["已在他处续保", "价格", "服务", "车辆转让", "报废", "联系不上", "其他"]
    assert cadence.LOSS_RESULTS <= set(cadence.REACHED)
