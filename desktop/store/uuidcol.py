"""UUID primary and foreign keys stored as 16-byte BLOBs (36-character text before migration 0009).

Python code keeps canonical lower-case UUID strings everywhere (records, payloads, the wire); only
the store holds the 16 bytes, which halves every key, foreign key and index entry that carries one.

- Reads are transparent: columns are declared ``UUIDBLOB`` and the driver connection converts
  a value of such a column to its string (``detect_types=PARSE_DECLTYPES`` with a registered
  converter), for ORM, Core and raw driver SQL alike. An expression over an id column
  (``MAX(id)``, ``COALESCE(vehicle_id, …)``) has no declared type and comes back as bytes: select
  the column itself.
- Binds are not: a SQLAlchemy Core/ORM statement converts through `UuidBlob`; raw driver SQL
  passes `blob(id)` / `blobs(ids)`. A text id bound against a BLOB column matches nothing, and a
  text id inserted raw is refused by the converter when read back (it is not 16 bytes).
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.types import LargeBinary, TypeDecorator, UserDefinedType

from . import decltypes

DECLTYPE = "UUIDBLOB"  # BLOB affinity (the name contains BLOB): SQLite stores the bytes as given


def blob(value: str | bytes | None) -> bytes | None:
    """The stored form of a canonical UUID string (None, and bytes already stored, stay as they are)."""
    if value.__class__ is not str and (value is None or isinstance(value, bytes)):
        return value
    b = bytes.fromhex(value.replace("-", ""))
    if len(b) != 16:
        raise ValueError("not a UUID")
    return b


def blobs(values: Iterable[str | bytes]) -> tuple[bytes, ...]:
    return tuple(v if isinstance(v, bytes) else bytes.fromhex(v.replace("-", "")) for v in values)


def text_of(b: bytes | None) -> str | None:
    """The canonical lower-case string of 16 stored bytes."""
    if b is None:
        return None
    if len(b) != 16:
        raise ValueError("a UUID column holds a value that is not 16 bytes (an id bound as text?)")
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class _UuidBlobType(UserDefinedType):
    cache_ok = True

    def get_col_spec(self, **_kw) -> str:
        return DECLTYPE


class UuidBlob(TypeDecorator):
    """A str UUID in Python, 16 bytes in the store."""

    impl = _UuidBlobType
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return blob(value) if isinstance(value, str) else value

    def process_result_value(self, value, dialect):
        # The driver's converter has usually turned it into text already.
        return text_of(value) if isinstance(value, (bytes, memoryview)) else value

    def compare_against_backend(self, dialect, conn_type) -> bool:
        # Reflection sees UUIDBLOB as an untyped (BLOB-affinity) column.
        return isinstance(conn_type, (LargeBinary, _UuidBlobType)) or type(conn_type).__name__ == "NullType"


def register_converters() -> None:
    """Teach both drivers (SQLCipher, and plain sqlite3 for benchmarks) to read UUIDBLOB columns."""
    decltypes.register_converter(DECLTYPE, text_of)


register_converters()
decltypes.teach_reflection(DECLTYPE, UuidBlob)
