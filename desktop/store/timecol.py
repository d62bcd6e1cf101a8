"""Policy-term instants stored as INTEGER epoch seconds (25-character ISO text before migration 0012).

Python code, payloads and the wire keep the UTC+8 ISO text of desktop.store.records.iso
("2026-12-01T00:00:00+08:00"); policy_term.start_at / end_at / as_of hold its epoch seconds
(4 bytes instead of 25: ~200 bytes a vehicle, and ~50 more in the due index). Integer order is
time order, as the fixed-offset text order was.

- Every writer stores a number: `stored` takes any ISO time with an offset as the instant it
  names (records.iso's "+08:00" form round-trips exactly; another offset reads back as the same
  instant in "+08:00"; a fraction of a second is dropped) and refuses one without an offset, so
  the column never mixes numbers and text. Migration 0012 converts the same way; text that names
  no instant (none was ever written by the app) stays text: work_triggers gives its vehicle to the
  Python engine (tier 3), and vehicles_with_ci_end_between also asks the range as text.
- Reads are transparent: the columns are declared ``ISOTIME`` and the driver converts a value of
  such a column back to its ISO text (PARSE_DECLTYPES, like uuidcol's UUIDBLOB), for ORM, Core
  and raw driver SQL alike. An expression over the column (``max(end_at)``) comes back as the
  number: select the column itself.
- Binds are not: Core statements convert through `IsoTime`; raw driver SQL binds `stored(t)`.
"""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy.types import Integer, TypeDecorator, UserDefinedType

from desktop.core.timeutil import CST

from . import decltypes

DECLTYPE = "ISOTIME"  # NUMERIC affinity: an integer stays an integer, ISO text stays text
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc).astimezone(CST)  # not fromtimestamp: Windows refuses < 1970
_NAIVE_EPOCH_CST = datetime(1970, 1, 1, 8)  # the epoch's UTC+8 wall time (naive arithmetic is the cheapest)


def iso_of(seconds: int) -> str:
    return (_EPOCH + timedelta(seconds=seconds)).isoformat(timespec="seconds")


def stored(value: str | int | None) -> str | int | None:
    """The stored form of an instant: its epoch seconds. Any ISO time with an offset is taken as the
    instant it names (another offset, a space for the T; a fraction of a second is dropped, terms
    are whole seconds), so a column never mixes numbers and text (SQLite sorts every number before
    every text: a range query would miss or catch the text ones). A time without an offset names
    no instant: refused (writers never pass one: records.iso, and the sync protocol checks)."""
    if not isinstance(value, str):
        return value
    if len(value) == 25 and value.endswith("+08:00"):  # records.iso's shape: the usual case, exact
        try:
            seconds = int(datetime.fromisoformat(value).timestamp())
        except ValueError:
            seconds = None
        if seconds is not None and iso_of(seconds) == value:
            return seconds
    try:
        d = datetime.fromisoformat(value)
    except ValueError:
        d = None
    if d is None or d.tzinfo is None:
        raise ValueError(f"policy term time {value[:40]!r} is not an ISO time with a UTC offset")
    return math.floor(d.timestamp())


@lru_cache(maxsize=1 << 16)  # ~3 values a term, 50 vehicles a lookup: the same days and as_of recur
def _convert(raw: bytes) -> str:
    s = raw.decode("utf-8")
    # An ISO time always has a "-" after its first digit; an integer never has one past position 0.
    if not s.lstrip("-").isdigit():
        return s
    return (_NAIVE_EPOCH_CST + timedelta(seconds=int(s))).isoformat() + "+08:00"


class _IsoTimeType(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return DECLTYPE


class IsoTime(TypeDecorator):
    """ISO text in Python, epoch seconds in the store (when exact)."""

    impl = _IsoTimeType
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return stored(value)

    def process_result_value(self, value, dialect):
        return iso_of(value) if isinstance(value, int) else value

    def compare_against_backend(self, dialect, conn_type) -> bool:
        return isinstance(conn_type, (Integer, _IsoTimeType)) or type(conn_type).__name__ in ("NullType", "NUMERIC")


def register_converters() -> None:
    decltypes.register_converter(DECLTYPE, _convert)


register_converters()
decltypes.teach_reflection(DECLTYPE, IsoTime)
