"""The status engine (DESIGN §3) and its wording: a table of cases plus property tests."""

import random
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import wording
from desktop.core.status import CoverageStatus, Gap, Term, coverage_status
from desktop.core.timeutil import CST, cst_date, last_covered_day, parse_end, parse_instant, parse_start
from desktop.rates import lapse_fine_example


def T(start: str, end: str, kind: str = "CI", tid: str | None = None) -> Term:
    """A term from counter-style text: a bare end day is the last covered day."""
    return Term(kind, parse_start(start), parse_end(end), id=tid or f"{kind}:{start}")


def at(s: str) -> datetime:
    return parse_instant(s)


def D(s: str) -> date:
    return date.fromisoformat(s)


Y2026 = T("2026-01-01", "2026-12-31", tid="A")  # ends 2027-01-01 00:00
Y2027 = T("2027-01-01", "2027-12-31", tid="B")  # touches Y2026

# id, terms, at, lead_days, expected fields
CASES = [
    ("active-far-from-end", [Y2026], "2026-03-01 10:00", 90,
     dict(status="ACTIVE", days_left=305, ci_end_date=D("2026-12-31"), source="A", gaps=())),
    ("due-exactly-lead-days", [Y2026], "2026-10-03 00:00", 90,
     dict(status="DUE", days_left=89, ci_end_date=D("2026-12-31"))),
    ("active-just-over-lead-days", [Y2026], "2026-10-02 23:59:59", 90,
     dict(status="ACTIVE", days_left=90)),
    ("last-day", [Y2026], "2026-12-31 18:00", 90,
     dict(status="DUE", days_left=0, phrase="今天是最后一天")),
    ("last-microsecond", [Y2026], "2026-12-31 23:59:59.999999", 90, dict(status="DUE", days_left=0)),
    ("first-lapsed-day", [Y2026], "2027-01-01 00:00", 90,
     dict(status="LAPSED", days_left=-1, ci_end_date=D("2026-12-31"), source="A", phrase="已脱保 1 天")),
    ("lapsed-5-days", [Y2026], "2027-01-05 12:00", 90,
     dict(status="LAPSED", days_left=-5, phrase="已脱保 5 天", next_start_date=None, gaps=())),
    ("ended-0900-today-is-minus-1-at-1000",
     [T("2026-01-05 09:00", "2027-01-05 09:00", tid="M")], "2027-01-05 10:00", 90,
     dict(status="LAPSED", days_left=-1, ci_end_date=D("2027-01-05"), source="M")),
    ("ends-0900-today-still-covered-at-0800",
     [T("2026-01-05 09:00", "2027-01-05 09:00")], "2027-01-05 08:00", 90,
     dict(status="DUE", days_left=0, ci_end_date=D("2027-01-05"))),
    ("touching-successor-renewed", [Y2026, Y2027], "2026-11-15 09:00", 90,
     dict(status="RENEWED", days_left=411, ci_end_date=D("2027-12-31"), source="B",
          next_start_date=None, gaps=(), phrase="已续保，保障至 2027年12月31日")),
    ("touching-successor-renewed-even-far-from-end", [Y2026, Y2027], "2026-02-01", 90,
     dict(status="RENEWED", ci_end_date=D("2027-12-31"))),
    ("overlapping-successor-renewed",
     [Y2026, T("2026-12-15 14:30", "2027-12-15 14:30", tid="O")], "2026-11-15", 90,
     dict(status="RENEWED", ci_end_date=D("2027-12-15"), source="O", gaps=())),
    ("inside-overlap-current-is-successor",
     [Y2026, T("2026-12-15 14:30", "2027-12-15 14:30", tid="O")], "2026-12-20", 90,
     dict(status="ACTIVE", ci_end_date=D("2027-12-15"), source="O")),
    ("chain-of-three-renewed-to-last", [Y2026, Y2027, T("2028-01-01", "2028-12-31", tid="C")],
     "2026-11-15", 90, dict(status="RENEWED", ci_end_date=D("2028-12-31"), source="C")),
    ("at-on-renewal-boundary-is-in-successor", [Y2026, Y2027], "2027-01-01 00:00", 90,
     dict(status="ACTIVE", days_left=364, ci_end_date=D("2027-12-31"), source="B")),
    ("successor-after-gap-due", [Y2026, T("2027-01-10", "2028-01-09", tid="G")], "2026-11-15", 90,
     dict(status="DUE", days_left=46, ci_end_date=D("2026-12-31"), source="A",
          next_start_date=D("2027-01-10"), gaps=(Gap(D("2027-01-01"), D("2027-01-09"), 9),))),
    ("successor-after-gap-active", [Y2026, T("2027-01-10", "2028-01-09")], "2026-03-01", 90,
     dict(status="ACTIVE", next_start_date=D("2027-01-10"), gaps=(Gap(D("2027-01-01"), D("2027-01-09"), 9),))),
    ("lapse-then-future-term",
     [T("2025-01-01", "2025-12-31", tid="P"), T("2026-02-01", "2027-01-31", tid="F")], "2026-01-10 15:00", 90,
     dict(status="LAPSED", days_left=-10, ci_end_date=D("2025-12-31"), source="P",
          next_start_date=D("2026-02-01"), gaps=())),
    ("pending", [T("2026-06-01", "2027-05-31")], "2026-05-01", 90,
     dict(status="PENDING", days_left=None, ci_end_date=None, source=None,
          next_start_date=D("2026-06-01"), phrase="尚未生效")),
    ("pending-midday-start", [T("2026-01-05 14:30", "2027-01-05 14:30")], "2026-01-05 10:00", 90,
     dict(status="PENDING", next_start_date=D("2026-01-05"), warning="新保单 1 月 5 日 14:30 生效，生效前不得上路")),
    ("none", [], "2026-05-01", 90,
     dict(status="NONE", days_left=None, ci_end_date=None, bi_end_date=None, phrase="没有交强险记录")),
    ("bi-only-is-none-with-bi-end", [T("2026-01-01", "2026-12-31", "BI")], "2026-05-01", 90,
     dict(status="NONE", bi_end_date=D("2026-12-31"), ci_end_date=None)),
    ("bi-covering-wins-over-later-bi",
     [Y2026, T("2025-06-01", "2026-05-31", "BI"), T("2026-06-01", "2027-05-31", "BI")], "2026-03-01", 90,
     dict(status="ACTIVE", bi_end_date=D("2026-05-31"))),
    ("bi-none-covering-latest-ending",
     [Y2026, T("2024-06-01", "2025-05-31", "BI"), T("2025-06-01", "2026-02-28", "BI")], "2026-03-01", 90,
     dict(status="ACTIVE", bi_end_date=D("2026-02-28"))),
    ("bi-never-drives-status", [T("2026-01-01", "2026-12-31", "BI"), T("2027-01-01", "2027-12-31", "BI")],
     "2026-11-15", 90, dict(status="NONE", bi_end_date=D("2026-12-31"))),
    ("midday-hole-counts-partial-last-day",
     [T("2025-03-01", "2026-02-28", tid="X"), T("2026-03-05 14:00", "2027-03-05 14:00", tid="Y")], "2027-01-01", 90,
     dict(status="DUE", gaps=(Gap(D("2026-03-01"), D("2026-03-05"), 5),), source="Y")),
    ("midnight-hole-excludes-end-day",
     [T("2025-03-01", "2026-02-28"), T("2026-03-05", "2027-03-04")], "2027-01-01", 90,
     dict(gaps=(Gap(D("2026-03-01"), D("2026-03-04"), 4),))),
    ("hole-inside-one-day",
     [T("2025-03-01 09:00", "2026-03-01 09:00"), T("2026-03-01 14:30", "2027-03-01 14:30")], "2027-01-01", 90,
     dict(gaps=(Gap(D("2026-03-01"), D("2026-03-01"), 1),))),
    ("hole-across-midnight-midday",
     [T("2025-03-01 14:30", "2026-03-01 14:30"), T("2026-03-02 14:30", "2027-03-02 14:30")], "2027-01-01", 90,
     dict(gaps=(Gap(D("2026-03-01"), D("2026-03-02"), 2),))),
    ("multiple-past-gaps-oldest-first",
     [T("2022-01-01", "2022-12-31"), T("2023-02-01", "2024-01-31"), T("2024-03-01", "2025-02-28"),
      T("2025-03-01", "2026-02-28")], "2025-01-15", 90,
     dict(status="RENEWED", ci_end_date=D("2026-02-28"),
          gaps=(Gap(D("2023-01-01"), D("2023-01-31"), 31), Gap(D("2024-02-01"), D("2024-02-29"), 29)))),
    ("unsorted-term-list",
     [T("2025-03-01", "2026-02-28"), T("2022-01-01", "2022-12-31"), T("2024-03-01", "2025-02-28"),
      T("2023-02-01", "2024-01-31")], "2025-01-15", 90,
     dict(status="RENEWED", ci_end_date=D("2026-02-28"),
          gaps=(Gap(D("2023-01-01"), D("2023-01-31"), 31), Gap(D("2024-02-01"), D("2024-02-29"), 29)))),
    ("running-lapse-hole-not-a-gap",
     [T("2022-01-01", "2022-12-31"), T("2023-02-01", "2024-01-31", tid="L"), T("2024-06-01", "2025-05-31")],
     "2024-03-15", 90,
     dict(status="LAPSED", days_left=-44, ci_end_date=D("2024-01-31"), source="L",
          next_start_date=D("2024-06-01"), gaps=(Gap(D("2023-01-01"), D("2023-01-31"), 31),))),
    ("lead-30-active-at-31-days", [Y2026], "2026-11-30 23:59", 30, dict(status="ACTIVE")),
    ("lead-30-due-at-30-days", [Y2026], "2026-12-02 00:00", 30, dict(status="DUE", days_left=29)),
    ("lead-0-never-due-before-end", [Y2026], "2026-12-31 23:00", 0, dict(status="ACTIVE", days_left=0)),
    ("duplicate-terms", [Y2026, T("2026-01-01", "2026-12-31", tid="dup")], "2026-06-01", 90,
     dict(status="ACTIVE", ci_end_date=D("2026-12-31"))),
    ("empty-term-ignored", [Term("CI", at("2026-01-01"), at("2026-01-01"))], "2026-06-01", 90,
     dict(status="NONE")),
]


@pytest.mark.parametrize(("terms", "at_s", "lead", "exp"), [pytest.param(*c[1:], id=c[0]) for c in CASES])
def test_status_table(terms, at_s, lead, exp):
    st_ = coverage_status(terms, at(at_s), lead_days=lead)
    for field, value in exp.items():
        if field == "source":
            assert (st_.source_term.id if st_.source_term else None) == value
        elif field == "phrase":
            assert wording.days_phrase(st_) == value
        elif field == "warning":
            assert wording.next_start_warning(st_) == value
        else:
            assert getattr(st_, field) == value, field
    # the engine never reports a status without its symbol and label
    assert wording.STATUS_LABEL[st_.status] and wording.STATUS_SYMBOL[st_.status]


def test_next_start_at_keeps_the_instant_and_naive_at_is_cst():
    st_ = coverage_status([T("2026-01-05 14:30", "2027-01-05 14:30")], datetime(2026, 1, 5, 10, 0))
    assert st_.next_start_at == datetime(2026, 1, 5, 14, 30, tzinfo=CST)
    assert st_.status == "PENDING"


def test_wording():
    assert wording.end_date_phrase(D("2026-12-31")) == "2026年12月31日（当日24时止）"
    due = coverage_status([Y2026], at("2026-12-08"))
    assert wording.days_phrase(due) == "还有 23 天到期"
    st_ = coverage_status([T("2025-01-01", "2025-12-31"), T("2026-01-05", "2026-12-31")], at("2026-01-02"))
    assert wording.next_start_warning(st_) == "新保单 1 月 5 日生效，生效前不得上路"
    assert wording.next_start_warning(coverage_status([Y2026], at("2026-06-01"))) is None
    assert set(wording.STATUS_LABEL.values()) == {"有效", "可续保", "已续保", "已脱保", "未生效", "无记录"}
    assert set(wording.STATUS_LABEL) == set(wording.STATUS_SYMBOL)
    texts = wording.lapse_consequences(lapse_fine_example())
    assert any("扣留" in t for t in texts) and any("2 倍" in t for t in texts)
    # the example fine is 2 × the family-car base premium of the shipped rate table (950 元)
    assert any("年检" in t for t in texts) and any("举例" in t and "约 1,900 元" in t for t in texts)
    assert not any("举例" in t for t in wording.lapse_consequences())  # no table, no made-up figure
    assert not any("优惠" in t or "折扣" in t for t in texts)  # the discount reset is unconfirmed
    texts.append("x")
    assert "x" not in wording.lapse_consequences()


# --- property tests -----------------------------------------------------------------------------

BASE = datetime(2026, 1, 1, tzinfo=CST)
HOUR = timedelta(hours=1)


@st.composite
def scenarios(draw):
    """Terms on an hour grid (incl. mid-day starts) over ~6 years, and an instant among them."""
    n = draw(st.integers(0, 6))
    terms = []
    for i in range(n):
        start = draw(st.integers(0, 6 * 365 * 24))
        length = draw(st.sampled_from([24 * 365, 24 * 366, 24 * 30, 24 * 7, 5, draw(st.integers(1, 24 * 400))]))
        kind = draw(st.sampled_from(["CI", "CI", "CI", "BI"]))
        terms.append(Term(kind, BASE + start * HOUR, BASE + (start + length) * HOUR, id=str(i)))
    at_h = draw(st.integers(-24 * 30, 7 * 365 * 24))
    minutes = draw(st.sampled_from([0, 0, 30, 59]))
    lead = draw(st.sampled_from([90, 30, 0, 365]))
    return terms, BASE + at_h * HOUR + timedelta(minutes=minutes), lead


def _oracle_end(ci: list[Term], at_: datetime) -> tuple[Term | None, datetime | None]:
    """Brute force: the current term, and the end of the cover reachable from it."""
    containing = [t for t in ci if t.start_at <= at_ < t.end_at]
    if not containing:
        return None, None
    current = max(containing, key=lambda t: t.end_at)
    end = current.end_at
    changed = True
    while changed:
        changed = False
        for t in ci:
            if t.start_at <= end < t.end_at:
                end, changed = t.end_at, True
    return current, end


def _key(s: CoverageStatus):
    src = s.source_term
    return (s.status, s.days_left, s.ci_end_date, s.bi_end_date, s.next_start_at, s.gaps,
            (src.start_at, src.end_at) if src else None)


@settings(max_examples=400, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_properties(scenario, rnd: random.Random):
    terms, at_, lead = scenario
    s = coverage_status(terms, at_, lead)
    ci = [t for t in terms if t.kind == "CI"]

    # merging is order-independent
    shuffled = list(terms)
    rnd.shuffle(shuffled)
    assert _key(coverage_status(shuffled, at_, lead)) == _key(s)

    current, end = _oracle_end(ci, at_)
    today = cst_date(at_)
    if not ci:
        assert s.status == "NONE"
    elif current is not None:
        assert s.status in ("ACTIVE", "DUE", "RENEWED")
        assert s.ci_end_date == last_covered_day(end) and s.days_left >= 0
        if end > current.end_at:
            assert s.status == "RENEWED"
            # RENEWED implies more days than the current term alone would give
            assert s.days_left > (last_covered_day(current.end_at) - today).days
        else:
            assert s.status == ("DUE" if end - at_ <= timedelta(days=lead) else "ACTIVE")
        assert s.source_term.end_at == end
    elif any(t.end_at <= at_ for t in ci):
        assert s.status == "LAPSED" and s.days_left <= -1
        latest = max(t.end_at for t in ci if t.end_at <= at_)
        assert s.ci_end_date == last_covered_day(latest)
        assert s.source_term.end_at == latest
    else:
        assert s.status == "PENDING" and s.days_left is None and s.ci_end_date is None

    # next start: the earliest CI start after at that is not reachable from the current cover
    later = [t.start_at for t in ci if t.start_at > at_ and (end is None or t.start_at > end)]
    assert s.next_start_at == (min(later) if later else None)

    # gaps: oldest first, well formed, none of them is the hole containing at
    for g in s.gaps:
        assert g.days == (g.to_date - g.from_date).days + 1 >= 1
    for g1, g2 in zip(s.gaps, s.gaps[1:], strict=False):
        assert g1.to_date <= g2.from_date
    # independent oracle for gap days: cut the timeline at every boundary, test each piece
    points = sorted({t.start_at for t in ci} | {t.end_at for t in ci})
    uncovered_days: set[date] = set()
    running_days: set[date] = set()
    for p, q in zip(points, points[1:], strict=False):
        if any(t.start_at <= p < t.end_at for t in ci):
            continue
        days = _days(cst_date(p), last_covered_day(q))
        (running_days if p <= at_ < q else uncovered_days).update(days)
    reported = set().union(*(_days(g.from_date, g.to_date) for g in s.gaps)) if s.gaps else set()
    assert reported == uncovered_days
    assert len(s.gaps) == sum(
        1 for p, q in zip(points, points[1:], strict=False)
        if not any(t.start_at <= p < t.end_at for t in ci) and not (p <= at_ < q)
    )


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}
