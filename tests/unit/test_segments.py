"""Each renewal segment's definition on constructed histories (core.segments, pure), and the
report built from a real store: only a supervisor's confirmation turns a proposal into 失销."""
from datetime import date, datetime, timedelta

import pytest

from desktop.core.cadence import ContactFact
from desktop.core.segments import DEFINITIONS, SEGMENTS, classify
from desktop.core.status import Term
from desktop.core.timeutil import CST

NOV1, NOV30 = date(2026, 11, 1), date(2026, 11, 30)


def term(first: str, last: str) -> Term:
    s = datetime.fromisoformat(first).replace(tzinfo=CST)
    e = datetime.fromisoformat(last).replace(tzinfo=CST) + timedelta(days=1)
    return Term("CI", s, e)


def here(day: str) -> ContactFact:
    return ContactFact("outcome", date.fromisoformat(day), "renewed_here", at_text=day)


Y24 = term("2024-11-16", "2025-11-15")
Y25 = term("2025-11-16", "2026-11-15")   # ends in November 2026: due this month
Y26 = term("2026-11-16", "2027-11-15")   # its successor


def hits(terms, facts=()):
    return {(h.segment, h.outcome) for h in classify(terms, list(facts), NOV1, NOV30)}


def test_every_segment_has_a_definition_beside_it():
    assert set(DEFINITIONS) == set(SEGMENTS) and all(len(v) > 10 for v in DEFINITIONS.values())


def test_new_car_insured_here_renewing_here_is_xin_zhuan_xu():
    # first term sold here (新保) and renewed here
    assert hits([Y25, Y26], [here("2025-11-15"), here("2026-11-10")]) == {("新转续", "renewed_here")}


def test_first_term_from_elsewhere_is_shouci_and_still_open_without_a_successor():
    assert hits([Y25]) == {("首次", "open")}


def test_renewed_here_last_year_and_elsewhere_now_is_xu_zhuan_xu_lost_to_elsewhere():
    assert hits([Y24, Y25, Y26], [here("2025-11-10")]) == {("续转续", "renewed_elsewhere")}


def test_once_here_then_elsewhere_is_jian_zhuan_xu():
    assert hits([Y24, Y25, Y26], [here("2024-11-14"), here("2026-11-01")]) == {("间转续", "renewed_here")}


def test_never_here_is_qian_zhuan_xu():
    assert hits([Y24, Y25]) == {("潜转续", "open")}


def test_xinbao_counts_new_cars_whose_first_term_starts_this_month():
    first = term("2026-11-20", "2027-11-19")
    assert hits([first], [here("2026-11-20")]) == {("新保", "renewed_here")}
    assert hits([first]) == {("新保", "renewed_elsewhere")}


def test_in_service_not_insured_here_overlays_the_partition():
    visit = ContactFact("visit", date(2026, 6, 1))
    assert hits([Y24, Y25], [visit]) == {("潜转续", "open"), ("在修不在保", "open")}
    # a visit more than 12 months before the end does not count
    assert hits([Y24, Y25], [ContactFact("visit", date(2025, 10, 1))]) == {("潜转续", "open")}


def test_lapse_return_within_three_years():
    old = term("2024-03-01", "2025-02-28")          # lapsed since 2025-03-01
    back = term("2026-11-12", "2027-11-11")         # bought here in November
    assert hits([old, back], [here("2026-11-12")]) == {("断保回流", "renewed_here")}
    assert hits([old]) == {("断保回流", "open")}
    too_old = term("2021-01-01", "2021-12-31")
    assert hits([too_old]) == set()


@pytest.mark.parametrize("month_start, last_day, counted", [
    # 2023-11-01 .. 2026-11-01 holds 29 Feb 2024: three calendar years are 1096 days
    (NOV1, "2023-11-01", True), (NOV1, "2023-10-31", False),
    # 2024-11-01 .. 2027-11-01 holds no 29 Feb: 1095 days
    (date(2027, 11, 1), "2024-11-01", True), (date(2027, 11, 1), "2024-10-31", False),
])
def test_lapse_return_takes_three_calendar_years_like_the_lapsed_tab(month_start, last_day, counted):
    """The last covered day on or after the same date 3 years before the month's first day, by the
    calendar (timeutil.lapse_window_days, as 已脱保 and letters --include-lapsed): a fixed 1096
    days after the lapse took one or two days more than the tab shows."""
    start = date.fromisoformat(last_day) - timedelta(days=364)
    month_end = month_start.replace(day=30)
    got = {h.segment for h in classify([term(start.isoformat(), last_day)], [], month_start, month_end)}
    assert ("断保回流" in got) is counted


@pytest.mark.parametrize("facts, expected", [
    ([], ("潜转续", "open")),
    # a clerk's loss proposal alone stays open: only the supervisor's confirmation counts
    ([ContactFact("contact", date(2026, 10, 20), "declined", "phone", reason="price")], ("潜转续", "open")),
    ([ContactFact("loss_confirmed", date(2026, 10, 21), reason="price")], ("潜转续", "lost")),
    ([ContactFact("loss_confirmed", date(2026, 10, 21), reason="elsewhere")], ("潜转续", "renewed_elsewhere")),
    ([ContactFact("outcome", date(2026, 10, 21), "sold")], ("潜转续", "lost")),
])
def test_outcomes_of_a_due_vehicle(facts, expected):
    assert hits([Y24, Y25], facts) == {expected}


def test_report_from_the_store_counts_reasons_staff_and_needs_a_supervisor(app_ctx):
    from desktop.services import contact, renewal_report
    from desktop.services import settings as settings_svc
    from desktop.services.auth import StaffSession
    from desktop.services.errors import NotAllowed
    from tests.builders import add_vehicle

    engine = app_ctx.store().engine
    s = settings_svc.load(engine)
    clerk, sup = StaffSession("clerk", "clerk"), StaffSession("super", "supervisor")
    at = datetime(2026, 12, 1, 10, tzinfo=CST)
    a = add_vehicle(engine, ci=[("2024-11-16", "2025-11-15"), ("2025-11-16", "2026-11-15")])
    b = add_vehicle(engine, ci=[("2024-11-20", "2025-11-19"), ("2025-11-20", "2026-11-19")])
    contact.assign(engine, sup, a.id, "clerk", now=at - timedelta(days=40))
    contact.record_contact(engine, clerk, a.id, contact.ContactInput("phone", "declined", reason="price"), s,
                           now=at - timedelta(days=30))
    contact.record_contact(engine, sup, b.id, contact.ContactInput("phone", "renewed_elsewhere", insurer="某保险"), s,
                           now=at - timedelta(days=30))
    with pytest.raises(NotAllowed):
        renewal_report.build(engine, clerk, "2026-11", at, s)
    j = renewal_report.build(engine, sup, "2026-11", at, s).to_json()
    seg = next(x for x in j["segments"] if x["segment"] == "潜转续")
    assert (seg["due"], seg["open"], seg["renewed_elsewhere"], seg["rate"]) == (2, 1, 1, 0.0)
    assert j["reasons"] == {"已在他处续保": 1}
    assert j["by_staff"]["clerk"]["open"] == 1 and j["by_staff"]["未分配"]["renewed_elsewhere"] == 1
    contact.confirm_loss(engine, sup, a.id, s, now=at)
    j = renewal_report.build(engine, sup, "2026-11", at, s).to_json()
    assert j["reasons"] == {"已在他处续保": 1, "价格": 1}
    with pytest.raises(Exception, match="YYYY-MM"):
        renewal_report.build(engine, sup, "2026-13", at, s)
