"""Queries behind the renewal work lists and the monthly report (issue 13).

Renewal facts are events (contact, contact_stop, contact_close, assign, loss_confirmed, and the
record outcomes), so they sync like every other event; these queries only find candidates, the
pure core (core.cadence, core.segments) decides.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from .records import iso

RENEWAL_KINDS = ("contact", "contact_stop", "contact_close", "assign", "loss_confirmed", "outcome",
                 "inspection_override", "float_notice")


def _marks(n: int) -> str:
    return ",".join("?" * n)


def vehicles_with_events_since(conn: Connection, kinds: Sequence[str], since: datetime,
                               until: datetime | None = None) -> list[str]:
    """Vehicles with an event of these kinds at or after `since` (and before `until`)."""
    sql = f"SELECT DISTINCT vehicle_id FROM event WHERE kind IN ({_marks(len(kinds))}) AND at >= ?"
    params: list = [*kinds, iso(since)]
    if until is not None:
        sql += " AND at < ?"
        params.append(iso(until))
    return [r[0] for r in conn.exec_driver_sql(sql + " AND vehicle_id IS NOT NULL", tuple(params)).fetchall()]


def vehicles_with_ci_start_between(conn: Connection, lo: datetime, hi: datetime) -> list[str]:
    rows = conn.exec_driver_sql("SELECT DISTINCT vehicle_id FROM policy_term WHERE kind = 'CI' AND start_at >= ? "
                                "AND start_at < ?", (iso(lo), iso(hi))).fetchall()
    return [r[0] for r in rows]


def active_staff(conn: Connection) -> dict[str, str]:
    """{name: role} of the staff who may hold a work list."""
    return {r[0]: r[1] for r in conn.exec_driver_sql("SELECT name, role FROM staff WHERE active = 1").fetchall()}
