"""policy_term.source at rest: "import:<batch uuid>" as 17 bytes (migration 0015), other sources as text.

Every imported term names its batch ("import:" and a 36-character UUID, 43 bytes; ~3.3 terms a
vehicle, ~140 B a vehicle in a store filled by imports). Stored as a zero byte then the UUID's 16
bytes, it takes 17. Text never starts with a zero byte, so the two forms cannot be confused.

- Reads are transparent: the column is declared ``TERMSOURCE`` and the driver converts a value of
  it back to its text (PARSE_DECLTYPES, like uuidcol's UUIDBLOB and timecol's ISOTIME).
- Binds are not: writers bind `stored(source)` (desktop.store.writes, sync_apply); a source bound
  as text still reads back the same, it only takes its 43 bytes. No query compares source in SQL.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy.types import LargeBinary, Text, TypeDecorator, UserDefinedType

from . import decltypes
from .uuidcol import text_of

# NUMERIC affinity (no INT, CHAR, CLOB, TEXT, BLOB, REAL… in the name): bytes stay bytes and a
# source's text stays text (the protocol admits only counter, hq and import:…, never a number).
DECLTYPE = "TERMSOURCE"
_IMPORT = "import:"
_MARK = b"\x00"


def stored(source: str | None) -> str | bytes | None:
    """The stored form: 17 bytes for "import:" + a canonical (lower-case) UUID, else the text."""
    if source is None or len(source) != 43 or not source.startswith(_IMPORT):
        return source
    u = source[7:]
    try:
        b = bytes.fromhex(u.replace("-", ""))
    except ValueError:
        return source
    if len(b) != 16 or text_of(b) != u:  # not the canonical form: kept as it is, to read back the same
        return source
    return _MARK + b


@lru_cache(maxsize=4096)  # a store holds few batches: the same values recur term after term
def _convert(raw: bytes) -> str:
    if len(raw) == 17 and raw[:1] == _MARK:
        return _IMPORT + text_of(raw[1:])
    return raw.decode("utf-8")


class _TermSourceType(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return DECLTYPE


class TermSource(TypeDecorator):
    """The source text in Python, 17 bytes at rest for an import batch's."""

    impl = _TermSourceType
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return stored(value)

    def process_result_value(self, value, dialect):
        return _convert(bytes(value)) if isinstance(value, (bytes, memoryview)) else value

    def compare_against_backend(self, dialect, conn_type) -> bool:
        return isinstance(conn_type, (LargeBinary, Text, _TermSourceType)) or type(conn_type).__name__ == "NullType"


decltypes.register_converter(DECLTYPE, _convert)
decltypes.teach_reflection(DECLTYPE, TermSource)
