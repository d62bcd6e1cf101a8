"""The local print log of reminder letters (which vehicle got which batch, and returned mail).

It stays on this counter; what head office learns of a letter is its letter_printed /
letter_returned event, written beside these rows through store.writes.
"""
from __future__ import annotations

from collections.abc import Iterable

from .outbox import driver
from .uuidcol import blob


def log_letters(conn, rows: Iterable[tuple[str, str, str, str, str | None, str | None]]) -> None:
    """rows: (id, vehicle_id, batch, printed_at, staff, ci_end_date)."""
    driver(conn).executemany("INSERT INTO letter_log(id, vehicle_id, batch, printed_at, staff, ci_end_date) "
                             "VALUES (?,?,?,?,?,?)", [(blob(r[0]), blob(r[1]), *r[2:]) for r in rows])


def mark_latest_returned(conn, vehicle_id: str, at: str, reason: str) -> bool:
    """Mark the latest letter to this vehicle as returned; False when it never got one."""
    db = driver(conn)
    row = db.execute("SELECT id FROM letter_log WHERE vehicle_id = ? ORDER BY printed_at DESC LIMIT 1",
                     (blob(vehicle_id),)).fetchone()
    if row is None:
        return False
    db.execute("UPDATE letter_log SET returned_at = ?, return_reason = ? WHERE id = ?", (at, reason, blob(row[0])))
    return True
