"""Reading and normalising the dates and times found on paper, in Excel and typed at the counter.

Every instant leaving this module is a timezone-aware ``datetime`` in China Standard Time (UTC+8,
no DST). A value that carries no time of day is a *calendar day*: as a start it means 00:00 of
that day, as an end it is the last covered day, so the exclusive ``end_at`` is 00:00 of the next
day (DESIGN §3 "Reading dates", domain-rules §1).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta, timezone
from numbers import Real

CST = timezone(timedelta(hours=8), "CST")

_ONE_DAY = timedelta(days=1)
_ONE_US = timedelta(microseconds=1)
# Excel's 1900 date system as openpyxl.utils.datetime.from_excel implements it: serial 1 is
# 1900-01-01, and serials below 60 are shifted one day because Excel counts a fictitious
# 1900-02-29 (serial 60). Nobody insures a car in 1900; we only need to agree with openpyxl.
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958466  # 10000-01-01: beyond Excel's own range
# The years a policy, a registration or --at can sensibly name. Beyond them datetime arithmetic
# (a day after 9999-12-31, 0001-01-01 in UTC-5 seen from UTC+8) overflows: reject the value, not
# the whole command (issue 10 item 8).
YEAR_MIN, YEAR_MAX = 1900, 2200
_MAX_OFFSET = timedelta(hours=14)  # the widest real UTC offsets are −12 h and +14 h


class DateParseError(ValueError):
    """A value that is not a date we can read. The message is Chinese and shown to counter staff."""

    def __init__(self, value: object, detail: str | None = None) -> None:
        shown = str(value)
        if len(shown) > 40:  # a whole pasted cell should not flood the message box
            shown = shown[:40] + "…"
        msg = f"无法识别的日期「{shown}」，请写成 2026-12-31 这样的格式"
        if detail:
            msg += f"（{detail}）"
        super().__init__(msg)
        self.message = msg


# --- date part: 2026-12-01, 2026/12/1, 2026.12.1, 2026年12月1日, 20261201 ---------------------
_DATE_SEP = r"\s*[-/.年]\s*"
_DATE_RE = (
    rf"(?P<y>\d{{4}}){_DATE_SEP}(?P<m>\d{{1,2}})\s*[-/.月]\s*(?P<d>\d{{1,2}})\s*日?"
    r"|(?P<y8>\d{4})(?P<m8>\d{2})(?P<d8>\d{2})"
)
# --- optional time part: 10:30, 10:30:00(.123), 24:00, 24时, 10时30分, 10点30分15秒 ---------------
_TIME_RE = (
    r"(?:\s*T|\s+|(?<=日))\s*"
    r"(?P<H>\d{1,2})\s*[:时点]\s*(?:(?P<M>\d{1,2})\s*分?)?"
    r"(?:\s*(?::|(?<=分))\s*(?P<S>\d{1,2}(?:\.\d{1,6})?)\s*秒?)?"
)
_TZ_RE = r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?"
# 起/止 are printed on policies ("2026年12月31日24时止"); they add nothing we need.
_FULL_RE = re.compile(rf"^(?:{_DATE_RE})(?:{_TIME_RE})?{_TZ_RE}\s*[起止]?$")


def _normalise_text(s: str) -> str:
    # NFKC folds full-width digits and punctuation (２０２６／１２／１, ：) to ASCII.
    return unicodedata.normalize("NFKC", s).strip()


def _read(value: object) -> date | datetime:
    """Return a ``date`` for a calendar day or an aware CST ``datetime`` for an instant.

    ``24:00`` has already been rolled to 00:00 of the next day here.
    """
    if isinstance(value, date) and not YEAR_MIN <= value.year <= YEAR_MAX:
        raise DateParseError(value, f"年份应在 {YEAR_MIN}–{YEAR_MAX} 之间")
    try:
        v = _read_any(value)
    except OverflowError:
        raise DateParseError(value, f"年份应在 {YEAR_MIN}–{YEAR_MAX} 之间") from None
    if not YEAR_MIN <= v.year <= YEAR_MAX:
        raise DateParseError(value, f"年份应在 {YEAR_MIN}–{YEAR_MAX} 之间")
    return v


def _read_any(value: object) -> date | datetime:
    if isinstance(value, datetime):
        return to_cst(value)
    if isinstance(value, date):
        return value
    if isinstance(value, bool):  # bool is an int subclass; True is not serial 1
        raise DateParseError(value)
    if isinstance(value, Real):
        return _from_excel_serial(value)
    if isinstance(value, str):
        return _from_text(value)
    raise DateParseError(value)


def _from_excel_serial(value: Real) -> date | datetime:
    serial = float(value)
    if not math.isfinite(serial) or serial < 1 or serial >= _EXCEL_MAX_SERIAL:
        raise DateParseError(value, "Excel 日期序号超出范围")
    day, fraction = divmod(serial, 1)
    days = int(day)
    if days < 60:
        days += 1
    base = _EXCEL_EPOCH + timedelta(days=days)
    if fraction == 0:
        return base.date()
    # Excel stores times as binary fractions of a day: round to the second it displays, so
    # 23:59:59 stays 23:59:59 (and then counts as an end of day) instead of 23:59:58.99998.
    seconds = round(fraction * 86400)
    return (base + timedelta(seconds=seconds)).replace(tzinfo=CST)


def _from_text(raw: str) -> date | datetime:
    s = _normalise_text(raw)
    m = _FULL_RE.match(s)
    if not m:
        raise DateParseError(raw)
    g = m.groupdict()
    try:
        if g["y"] is not None:
            day = date(int(g["y"]), int(g["m"]), int(g["d"]))
        else:
            day = date(int(g["y8"]), int(g["m8"]), int(g["d8"]))
    except ValueError:
        raise DateParseError(raw, "没有这一天") from None
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise DateParseError(raw, f"年份应在 {YEAR_MIN}–{YEAR_MAX} 之间")
    if g["H"] is None:
        if g["tz"]:
            raise DateParseError(raw)
        return day
    hour = int(g["H"])
    minute = int(g["M"] or 0)
    sec_f = float(g["S"] or 0)
    second = int(sec_f)
    micro = round((sec_f - second) * 1_000_000)
    if hour == 24:
        if minute or sec_f:
            raise DateParseError(raw, "24 时之后不能再有分秒")
        naive = datetime.combine(day + _ONE_DAY, time())
    else:
        try:
            naive = datetime.combine(day, time(hour, minute, second, micro))
        except ValueError:
            raise DateParseError(raw, "时间不对") from None
    tz = _tz_from(g["tz"], raw) if g["tz"] else CST
    return naive.replace(tzinfo=tz).astimezone(CST)


def _tz_from(text: str, raw: str = "") -> timezone:
    if text == "Z":
        return timezone.utc
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes >= 60 or offset > _MAX_OFFSET:
        raise DateParseError(raw or text, "时区偏移应在 ±14 小时以内")
    return timezone(sign * offset)


def _day_start(d: date) -> datetime:
    return datetime.combine(d, time(), tzinfo=CST)


# --- public API -----------------------------------------------------------------------------


def to_cst(dt: datetime) -> datetime:
    """Aware CST datetime. Naive values are taken to be CST already (that is how counters write them)."""
    if dt.tzinfo is None or dt.tzinfo.utcoffset(dt) is None:
        return dt.replace(tzinfo=CST)
    return dt.astimezone(CST)


def cst_date(dt: datetime) -> date:
    """The calendar day in China Standard Time on which the instant falls."""
    return to_cst(dt).date()


LAPSE_YEARS = 3  # letters --include-lapsed and the 已脱保 tab take lapses of at most 3 years


def lapse_window_days(today: date, years: int = LAPSE_YEARS) -> int:
    """How many days back "a lapse of at most `years` years" reaches from `today`, by the calendar:
    a vehicle is in when its last covered day is on or after the same date `years` years ago
    (29 Feb -> 28 Feb), i.e. days_left >= -lapse_window_days(today). 1095 or 1096 days, depending
    on whether a 29 Feb falls inside, so one fixed count would disagree with the calendar."""
    try:
        back = today.replace(year=today.year - years)
    except ValueError:  # 29 Feb, and that year has none
        back = today.replace(year=today.year - years, day=28)
    return (today - back).days


def last_covered_day(end_at: datetime) -> date:
    """Last calendar day with any cover for an exclusive end: 2027-01-01 00:00 → 2026-12-31."""
    return cst_date(end_at - _ONE_US)


def parse_instant(value: object) -> datetime:
    """Any accepted form as an instant; a bare calendar day means 00:00 of that day."""
    v = _read(value)
    if isinstance(v, datetime):
        return v
    return _day_start(v)


def parse_start(value: object) -> datetime:
    """A term's start: a calendar day starts at 00:00; an instant (即时生效 14:30) is kept as is."""
    return parse_instant(value)


def parse_end(value: object) -> datetime:
    """A term's exclusive end.

    A calendar day is the last covered day → 00:00 of the next day. ``24:00`` (already rolled over
    by the reader) and ``23:59:59`` mean the end of that day → 00:00 of the next day. An end at
    00:00:00 is already exclusive. Any other time is kept: an 即时生效 term ends at its start time.
    """
    v = _read(value)
    if not isinstance(v, datetime):
        return _day_start(v + _ONE_DAY)
    t = v.timetz()
    # 23:59:59 and anything later in that second (23:59:59.999 from some exports) is end of day.
    if (t.hour, t.minute, t.second) == (23, 59, 59):
        return _day_start(v.date() + _ONE_DAY)
    return v


def parse_at(s: str) -> datetime:
    """The CLI's ``--at``: an ISO datetime or a date (naive = CST; a bare date = 00:00 that day)."""
    if not isinstance(s, str):
        raise DateParseError(s)
    try:
        return parse_instant(s)
    except DateParseError as e:
        # The other ISO 8601 spellings (basic 20261201T103000, an hour alone, a comma fraction, a
        # week date) that the counter's own readers do not need, with the same limits.
        try:
            v = datetime.fromisoformat(s.strip())
        except ValueError:
            raise e from None
        off = v.utcoffset()
        if off is not None and abs(off) > _MAX_OFFSET:
            raise DateParseError(s, "时区偏移应在 ±14 小时以内") from None
        return parse_instant(v)
