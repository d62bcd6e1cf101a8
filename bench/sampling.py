"""Random vehicles from a store whose tables have no rowid (keys are UUIDv7 text)."""
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
    lo_n, hi_n = int(lo.replace("-", ""), 16), int(hi.replace("-", ""), 16)
    rows: list[tuple] = []
    while len(rows) < k:
        h = f"{rng.randint(lo_n, hi_n):032x}"
        point = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        r = db.execute("SELECT v.plate, v.vin, c.name, c.phone, c.id_number FROM vehicle v "
                       "JOIN customer c ON c.id = v.owner_id WHERE v.id >= ? ORDER BY v.id LIMIT 1",
                       (point,)).fetchone()
        if r is not None:  # the initials a clerk would type (the store keeps them only as search keys)
            rows.append((r[0], r[1], r[2], primary_initials(r[2]), r[3], r[4]))
    return rows
