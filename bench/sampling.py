"""Random vehicles from a store whose tables have no rowid (keys are UUIDv7, stored as 16 bytes)."""
from __future__ import annotations

import random
import uuid

from desktop.core.search_keys import primary_initials


def _id_number(value) -> int:
    """An id as a 128-bit number, whatever form the driver hands back: the stored 16 bytes (min()
    and max() are expressions, so no column converter runs: the usual case since migration 0009),
    UUID text (a converter, or a store from before 0009) or a uuid.UUID."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return int.from_bytes(bytes(value), "big")
    return uuid.UUID(str(value)).int


def random_vehicle_rows(db, k: int, rng: random.Random) -> list[tuple]:
    """k rows (plate, vin, name, name_initials, phone, id_number) of randomly chosen vehicles.

    `db` is a DBAPI connection. Takes the first vehicle id at or after a random point between the
    smallest and the largest id (UUIDv7 ids are near-uniform in time order within a fill).
    """
    lo, hi = db.execute("SELECT min(id), max(id) FROM vehicle").fetchone()
    if lo is None:
        return []
    lo_n, hi_n = _id_number(lo), _id_number(hi)
    rows: list[tuple] = []
    while len(rows) < k:
        point = rng.randint(lo_n, hi_n).to_bytes(16, "big")
        r = db.execute("SELECT v.plate, v.vin, c.name, c.phone, c.id_number FROM vehicle v "
                       "JOIN customer c ON c.id = v.owner_id WHERE v.id >= ? ORDER BY v.id LIMIT 1",
                       (point,)).fetchone()
        if r is not None:  # the initials a clerk would type (the store keeps them only as search keys)
            rows.append((r[0], r[1], r[2], primary_initials(r[2]), r[3], r[4]))
    return rows
