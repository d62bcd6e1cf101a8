"""The search_key rows of vehicles, kept without an index by vehicle.

search_key is keyed by (key, vehicle_id) only: a second index by vehicle_id was a copy of the
whole table (~350 bytes a vehicle). A vehicle's keys are derived from its row and its owner's
(desktop.core.search_keys), so the rows it has are found again by deriving them from the stored
rows — which is why a change to a vehicle or its owner drops the keys BEFORE it changes the rows
and adds them after (desktop.store.writes does both for every write it makes).

`db` is the DBAPI connection, inside the caller's transaction.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from desktop.core.search_keys import search_keys_for

from .uuidcol import blob, blobs

_IN = 400


def _chunks(ids: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), _IN):
        yield ids[i:i + _IN]


def stored_keys(db, vehicle_ids: Iterable[str], live_only: bool = False) -> list[tuple[str, bytes]]:
    """(key, stored vehicle id) of every key the stored rows of these vehicles and owners give."""
    ids = list(dict.fromkeys(vehicle_ids))
    out: list[tuple[str, bytes]] = []
    live = " AND v.deleted = 0" if live_only else ""
    for chunk in _chunks(ids):
        rows = db.execute("SELECT v.id, v.plate, v.vin, c.name, c.phone, c.id_number FROM vehicle v "
                          "LEFT JOIN customer c ON c.id = v.owner_id "
                          f"WHERE v.id IN ({','.join('?' * len(chunk))}){live}", blobs(chunk)).fetchall()
        for vid, plate, vin, name, phone, idn in rows:
            vb = blob(vid)
            out.extend((k, vb) for k in search_keys_for(plate, vin, name, phone, idn))
    return out


def drop(db, vehicle_ids: Iterable[str]) -> None:
    """Delete these vehicles' keys, derived from their rows as stored now (call before changing them)."""
    keys = stored_keys(db, vehicle_ids)
    if keys:
        db.executemany("DELETE FROM search_key WHERE key = ? AND vehicle_id = ?", keys)


def add(db, vehicle_ids: Iterable[str]) -> None:
    """Insert the keys of these live vehicles from their rows as stored now (call after changing them)."""
    keys = sorted(stored_keys(db, vehicle_ids, live_only=True))  # key order: each leaf page once
    if keys:
        db.executemany("INSERT OR IGNORE INTO search_key(key, vehicle_id) VALUES (?, ?)", keys)


def vehicles_of_owners(db, customer_ids: Iterable[str]) -> list[str]:
    ids = list(dict.fromkeys(customer_ids))
    out: list[str] = []
    for chunk in _chunks(ids):
        out.extend(r[0] for r in db.execute(
            f"SELECT id FROM vehicle WHERE owner_id IN ({','.join('?' * len(chunk))})", blobs(chunk)))
    return out
