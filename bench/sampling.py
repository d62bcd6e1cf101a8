"""Random vehicles from a store whose tables have no rowid (keys are UUIDv7, stored as 16 bytes)."""
from __future__ import annotations

import random

from desktop.core.search_keys import primary_initials


def random_vehicle_rows(db, k: int, rng: random.Random) -> list[tuple]:
    """k rows (plate, vin, name, name_initials, phone, id_number) of randomly chosen vehicles.

    `db` is a DBAPI connection. Takes the first vehicle id at or after a random point between the
    smallest and the largest id (UUIDv7 ids are near-uniform in time order within a fill).
    """
    lo, hi = db.execute("SELECT min(id), max(id) FROM vehicle").fetchone()
    if lo is None:
        return []
    # min()/max() are expressions: the driver hands them back as the stored bytes, not as text.
    lo_n, hi_n = int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
    rows: list[tuple] = []
    while len(rows) < k:
        point = rng.randint(lo_n, hi_n).to_bytes(16, "big")
        r = db.execute("SELECT v.plate, v.vin, c.name, c.phone, c.id_number FROM vehicle v "
                       "JOIN customer c ON c.id = v.owner_id WHERE v.id >= ? ORDER BY v.id LIMIT 1",
                       (point,)).fetchone()
        if r is not None:  # the initials a clerk would type (the store keeps them only as search keys)
            rows.append((r[0], r[1], r[2], primary_initials(r[2]), r[3], r[4]))
    return rows
