"""Reading dates from paper, Excel and the counter keyboard (DESIGN §3 "Reading dates")."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.timeutil import (
    CST,
    DateParseError,
    cst_date,
    last_covered_day,
    parse_at,
    parse_end,
    parse_instant,
    parse_start,
    to_cst,
)


def cst(*a: int) -> datetime:
    return datetime(*a, tzinfo=CST)


DEC1 = cst(2026, 12, 1)
DEC2 = cst(2026, 12, 2)

# (input, expected parse_start, expected parse_end)
ACCEPTED = [
    pytest.param(date(2026, 12, 1), DEC1, DEC2, id="date"),
    pytest.param("2026-12-01", DEC1, DEC2, id="iso-date"),
    pytest.param("2026/12/1", DEC1, DEC2, id="slash"),
    pytest.param("2026.12.1", DEC1, DEC2, id="dots"),
    pytest.param("2026年12月1日", DEC1, DEC2, id="chinese"),
    pytest.param("20261201", DEC1, DEC2, id="compact"),
    pytest.param(" 2026-12-01 ", DEC1, DEC2, id="spaces"),
    pytest.param("２０２６－１２－０１", DEC1, DEC2, id="full-width"),
    pytest.param("２０２６年１２月１日", DEC1, DEC2, id="full-width-chinese"),
    pytest.param("2026-12-01 10:30", cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="hh:mm"),
    pytest.param("2026/12/1 10:30:00", cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="hh:mm:ss"),
    pytest.param("2026-12-01T10:30:00", cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="iso-T"),
    pytest.param("２０２６/１２/１ １０：３０", cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="fw-time"),
    pytest.param("2026-12-01 24:00", DEC2, DEC2, id="24:00"),
    pytest.param("2026年12月1日24时", DEC2, DEC2, id="24时"),
    pytest.param("2026年12月1日24时止", DEC2, DEC2, id="24时止"),
    pytest.param("2026年12月1日0时起", DEC1, DEC1, id="0时起"),
    pytest.param("2026年12月1日14时30分", cst(2026, 12, 1, 14, 30), cst(2026, 12, 1, 14, 30), id="时分"),
    pytest.param("2026年12月1日 14点30分15秒", cst(2026, 12, 1, 14, 30, 15), cst(2026, 12, 1, 14, 30, 15),
                 id="点分秒"),
    pytest.param("2026-12-01 23:59:59", cst(2026, 12, 1, 23, 59, 59), DEC2, id="23:59:59"),
    pytest.param("2026-12-01 23:59:59.999", cst(2026, 12, 1, 23, 59, 59, 999000), DEC2, id="23:59:59.999"),
    pytest.param("2026-12-01 23:59", cst(2026, 12, 1, 23, 59), cst(2026, 12, 1, 23, 59), id="23:59-literal"),
    pytest.param("2026-12-01 00:00", DEC1, DEC1, id="midnight-exclusive"),
    pytest.param("2026-12-01 00:00:00", DEC1, DEC1, id="midnight-seconds"),
    pytest.param("2026-12-01T02:30:00+00:00", cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="utc-offset"),
    pytest.param("2026-12-01T10:30Z", cst(2026, 12, 1, 18, 30), cst(2026, 12, 1, 18, 30), id="zulu"),
    pytest.param("2026-12-01T10:30+08:00", cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="cst-offset"),
    pytest.param("2026-11-30T16:00:00+00:00", DEC1, DEC1, id="utc-to-cst-midnight"),
    pytest.param(datetime(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="naive-dt"),
    pytest.param(datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc), cst(2026, 12, 1, 10, 30),
                 cst(2026, 12, 1, 10, 30), id="aware-dt"),
    pytest.param(datetime(2026, 12, 1), DEC1, DEC1, id="dt-midnight-exclusive"),
    pytest.param(datetime(2026, 12, 1, 23, 59, 59), cst(2026, 12, 1, 23, 59, 59), DEC2, id="dt-23:59:59"),
    pytest.param(46357, DEC1, DEC2, id="excel-int"),
    pytest.param(46357.0, DEC1, DEC2, id="excel-whole-float"),
    pytest.param(46357.4375, cst(2026, 12, 1, 10, 30), cst(2026, 12, 1, 10, 30), id="excel-fraction"),
    pytest.param(46357 + 86399 / 86400, cst(2026, 12, 1, 23, 59, 59), DEC2, id="excel-23:59:59"),
    pytest.param(46357 + 14.5 / 24, cst(2026, 12, 1, 14, 30), cst(2026, 12, 1, 14, 30), id="excel-14:30"),
]


@pytest.mark.parametrize(("value", "start", "end"), ACCEPTED)
def test_accepted_forms(value, start, end):
    got_start, got_end = parse_start(value), parse_end(value)
    assert got_start == start and got_end == end
    assert got_start.utcoffset() == timedelta(hours=8) and got_end.utcoffset() == timedelta(hours=8)


REJECTED = [
    pytest.param("", id="empty"),
    pytest.param("abc", id="text"),
    pytest.param("2026-02-30", id="no-such-day"),
    pytest.param("2026-13-01", id="month-13"),
    pytest.param("2026-12-01 25:00", id="hour-25"),
    pytest.param("2026-12-01 24:30", id="24:30"),
    pytest.param("2026-12-01 10:61", id="minute-61"),
    pytest.param("2026-12-01 10", id="bare-hour"),
    pytest.param("12/01/2026", id="us-order"),
    pytest.param("26-12-01", id="two-digit-year"),
    pytest.param("2026-12", id="no-day"),
    pytest.param("46357", id="serial-as-text"),
    pytest.param("2026-12-01Z", id="tz-without-time"),
    pytest.param(True, id="bool"),
    pytest.param(None, id="none"),
    pytest.param(0, id="serial-0"),
    pytest.param(-5, id="negative-serial"),
    pytest.param(float("nan"), id="nan"),
    pytest.param(float("inf"), id="inf"),
    pytest.param(1e9, id="serial-too-big"),
    pytest.param([2026, 12, 1], id="list"),
]


@pytest.mark.parametrize("value", REJECTED)
def test_rejected_forms(value):
    for fn in (parse_start, parse_end, parse_instant):
        with pytest.raises(DateParseError) as exc:
            fn(value)
        assert "无法识别的日期" in str(exc.value) and "2026-12-31" in str(exc.value)
        assert isinstance(exc.value, ValueError)


def test_error_echoes_value_but_truncates_long_cells():
    with pytest.raises(DateParseError) as exc:
        parse_start("x" * 200)
    assert "xxxx" in str(exc.value) and len(str(exc.value)) < 120


def test_instant_of_calendar_day_is_midnight():
    assert parse_instant("2026-12-01") == DEC1
    assert parse_instant("2026-12-01 24:00") == DEC2


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (60, date(1900, 2, 28)), (61, date(1900, 3, 1)),
     (46023, date(2026, 1, 1))],
)
def test_excel_1900_system(serial, expected):
    assert parse_start(serial).date() == expected


LAST_ACCEPTED_SERIAL = 109939  # 2200-12-31 (timeutil.YEAR_MAX)


@given(st.integers(min_value=1, max_value=LAST_ACCEPTED_SERIAL), st.integers(min_value=0, max_value=86399))
def test_excel_serials_agree_with_openpyxl(day, second):
    from openpyxl.utils.datetime import from_excel

    serial = day + second / 86400
    expected = from_excel(serial)
    got = parse_instant(serial).replace(tzinfo=None)
    assert abs(got - expected) <= timedelta(milliseconds=1)


@given(st.integers(min_value=LAST_ACCEPTED_SERIAL + 1, max_value=2958465), st.integers(min_value=0, max_value=86399))
def test_serials_beyond_the_accepted_years_are_rejected_not_overflowed(day, second):
    """Excel goes to 9999-12-31; a policy does not. Such a cell rejects its row (issue 10 item 8)."""
    with pytest.raises(DateParseError, match="年份"):
        parse_end(day + second / 86400)


@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01", "9999-12-31T23:00-05:00", "0001-01-01T00:00+14:00",
                                   datetime(9999, 12, 31), date(1, 1, 1), datetime(1, 1, 1, tzinfo=timezone.utc),
                                   "2026-12-01T10:00+15:00", "2026-12-01T10:00-14:01", "2026-12-01T10:00+23:59"])
def test_calendar_edges_are_a_date_error_never_an_overflow(value):
    for parse in (parse_start, parse_end, parse_instant):
        with pytest.raises(DateParseError):
            parse(value)


def test_offsets_up_to_14_hours_are_real_and_accepted():
    assert parse_instant("2026-12-01T10:00+14:00") == cst(2026, 12, 1, 4)
    assert parse_instant("2026-12-01T10:00-12:00") == cst(2026, 12, 2, 6)


def test_to_cst_and_cst_date():
    assert to_cst(datetime(2026, 1, 1)) == cst(2026, 1, 1)
    utc = datetime(2026, 12, 31, 16, 30, tzinfo=timezone.utc)
    assert to_cst(utc) == cst(2027, 1, 1, 0, 30)
    assert to_cst(utc).utcoffset() == timedelta(hours=8)
    assert cst_date(utc) == date(2027, 1, 1)


def test_last_covered_day():
    assert last_covered_day(cst(2027, 1, 1)) == date(2026, 12, 31)
    assert last_covered_day(cst(2027, 1, 5, 9, 0)) == date(2027, 1, 5)
    assert last_covered_day(cst(2027, 1, 5, 0, 0, 0, 1)) == date(2027, 1, 5)
    assert last_covered_day(datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)) == date(2026, 12, 31)


@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 1, 1)))
def test_calendar_day_round_trip(d):
    assert last_covered_day(parse_end(d)) == d
    assert cst_date(parse_start(d)) == d
    assert parse_end(d) - parse_start(d) == timedelta(days=1)


@pytest.mark.parametrize(
    ("s", "expected"),
    [("2026-12-01", DEC1), ("2026-12-01T10:30", cst(2026, 12, 1, 10, 30)),
     ("2026-12-01T10:30:00+00:00", cst(2026, 12, 1, 18, 30)), ("2026-12-01 10:30:00", cst(2026, 12, 1, 10, 30))],
)
def test_parse_at(s, expected):
    assert parse_at(s) == expected


@pytest.mark.parametrize(
    ("s", "expected"),
    [("20261201T103000", cst(2026, 12, 1, 10, 30)), ("20261201T023000Z", cst(2026, 12, 1, 10, 30)),
     ("2026-12-01T10", cst(2026, 12, 1, 10)), ("2026-12-01t10:30", cst(2026, 12, 1, 10, 30)),
     ("2026-12-01T10:30:00,5", cst(2026, 12, 1, 10, 30, 0, 500000)), ("2026-W49-2", DEC1)],
)
def test_parse_at_takes_every_iso_8601_form(s, expected):
    # DESIGN §7: --at ISO-DATETIME; the basic format, an hour alone, a comma fraction and a week
    # date are ISO 8601 as much as 2026-12-01T10:30 is.
    assert parse_at(s) == expected


@pytest.mark.parametrize("s", ["2026-12-01T10:00:00+23:00", "1899-12-31T10:00", "99991231T235959-1200"])
def test_parse_at_iso_forms_keep_the_limits(s):
    with pytest.raises(DateParseError):
        parse_at(s)


@pytest.mark.parametrize("s", ["", "tomorrow", "2026-02-30", 46357])
def test_parse_at_rejects(s):
    with pytest.raises(DateParseError):
        parse_at(s)
