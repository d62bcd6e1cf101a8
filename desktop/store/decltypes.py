"""A column type of our own, declared in the DDL by name (UUIDBLOB, ISOTIME): how both drivers read
it and how reflection knows it. Shared by uuidcol and timecol, so that a third such type cannot
teach one driver and forget the other.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any


def register_converter(decltype: str, convert: Callable[[bytes], Any]) -> None:
    """Both drivers (SQLCipher, and plain sqlite3 for benchmarks) convert the declared type."""
    import sqlite3

    sqlite3.register_converter(decltype, convert)
    try:
        import sqlcipher3
    except ImportError:  # pragma: no cover - the app always ships it
        return
    sqlcipher3.register_converter(decltype, convert)


def teach_reflection(decltype: str, type_: type) -> None:
    """Reflected columns of the declared type (Alembic batch rebuilds, autogenerate) come back as
    `type_`, not as an untyped column that cannot be re-created."""
    from sqlalchemy.dialects.sqlite import base

    base.ischema_names.setdefault(decltype, type_)
