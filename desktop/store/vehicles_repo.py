"""Vehicles, their owners and policy terms, and the search keys that find them.

Rows are written by desktop.store.writes (the one way to write a row). Every query here is
served by an index: search_key(key, vehicle_id) for lookups (vehicle.vin and customer.id_number
for a full VIN or ID), policy_term(vehicle_id) for a vehicle's terms, the partial
ix_policy_term_ci_end (交强险 terms by end_at, migration 0011) for due lists.
Ids are bound as 16-byte BLOBs (uuidcol.blob) and read back as UUID strings by the driver.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, text

from desktop.core.search_keys import COLUMN_KINDS, ID_NUMBER, PLATE, VIN, search_keys_for
from desktop.core.status import Term

from . import search_index
from .records import CustomerRec, EventRec, VehicleBundle, VehicleRec, iso, parse_iso
from .uuidcol import blob, blobs

_V_COLS = "id, plate, vin, owner_id, vehicle_class, use, seats, energy, registered_on"
_C_COLS = "id, name, phone, id_number, address, consent_contact, consent_mail, notes"
_T_COLS = "id, vehicle_id, kind, start_at, end_at, insurer, policy_no, source, as_of, verified_by"


def write_search_keys(db, vehicle_id: str, plate: str | None, vin: str | None, owner_name: str | None,
                      owner_phone: str | None, owner_id_number: str | None, replace: bool = True) -> None:
    """Every key that finds this vehicle, through a DBAPI connection inside the caller's transaction.
    `replace` first deletes the keys the vehicle's rows as stored now give, so call it before the
    rows change or when they did not (writes.update_* keep keys right by themselves);
    `replace=False` for a vehicle added in this transaction: it has no keys to delete yet."""
    vid = blob(vehicle_id)
    if replace:  # the keys its stored rows give (search_key has no index by vehicle)
        search_index.drop(db, [vehicle_id])
    keys = search_keys_for(plate, vin, owner_name, owner_phone, owner_id_number)
    db.executemany("INSERT OR IGNORE INTO search_key(key, vehicle_id) VALUES (?, ?)", [(k, vid) for k in keys])


def replace_search_keys(conn: Connection, vehicle: VehicleRec, owner: CustomerRec | None) -> None:
    write_search_keys(conn.connection.driver_connection, vehicle.id, vehicle.plate, vehicle.vin,
                      owner.name if owner else None, owner.phone if owner else None,
                      owner.id_number if owner else None)


def key_taken(conn: Connection, key: str) -> bool:
    """Whether some vehicle already has this search key (a plate registered twice): build it with
    the kinds of desktop.core.search_keys (`plate_key`)."""
    return conn.execute(text("SELECT 1 FROM search_key WHERE key = :k LIMIT 1"), {"k": key}).first() is not None


def vin_taken(conn: Connection, vin: str) -> bool:
    """Whether a live vehicle already has this VIN (ix_vehicle_vin: VINs are not search keys)."""
    return conn.exec_driver_sql("SELECT 1 FROM vehicle WHERE vin = ? AND deleted = 0 LIMIT 1", (vin,)).first() is not None


def plate_key(plate: str) -> str:
    return PLATE + plate


def _marks(n: int) -> str:
    return ",".join("?" * n)


def find_ids(conn: Connection, exact: Sequence[tuple[str, int]], prefixes: Sequence[tuple[str, int]],
             limit: int) -> list[tuple[str, int]]:
    """Vehicle ids matching any key, each with its best rank, best first (exact kinds before partial)."""
    best: dict[str, int] = {}

    def take(rows, rank) -> None:
        for (vid,) in rows:
            if rank < best.get(vid, 99):
                best[vid] = rank

    rank_of = {k: r for k, r in exact if k[:1] not in COLUMN_KINDS}
    if rank_of:
        keys = list(rank_of)
        rows = conn.exec_driver_sql(f"SELECT key, vehicle_id FROM search_key WHERE key IN ({_marks(len(keys))})",
                                    tuple(keys)).fetchall()
        for key, vid in rows:
            take([(vid,)], rank_of[key])
    # A full VIN or ID number: the column indexes (no search keys of these kinds, see search_keys).
    # A value stored before the checks normalised it (lower-case, a 15-digit ID) is found as well,
    # as its normalised key found it.
    for key, rank in exact:
        v = key[1:]
        if key[:1] == VIN:
            forms = tuple(dict.fromkeys((v, v.lower())))
            take(conn.exec_driver_sql(f"SELECT id FROM vehicle WHERE vin IN ({_marks(len(forms))}) AND deleted = 0",
                                      forms), rank)
        elif key[:1] == ID_NUMBER:
            forms = tuple(dict.fromkeys((v, v.lower(), v[:6] + v[8:17] if len(v) == 18 else v)))
            take(conn.exec_driver_sql("SELECT v.id FROM customer c JOIN vehicle v ON v.owner_id = c.id "
                                      f"WHERE c.id_number IN ({_marks(len(forms))}) AND v.deleted = 0", forms), rank)
    for prefix, rank in prefixes:
        if len(best) >= limit * 4:
            break
        # A range scan on the primary key: "P京A1" <= key < "P京A1\uffff".
        rows = conn.exec_driver_sql("SELECT vehicle_id FROM search_key WHERE key >= ? AND key < ? LIMIT ?",
                                    (prefix, prefix + "\uffff", limit * 2)).fetchall()
        for (vid,) in rows:
            if rank < best.get(vid, 99):
                best[vid] = rank
    return sorted(best.items(), key=lambda kv: (kv[1], kv[0]))


def _chunks(ids: Sequence[str], n: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


def load_bundles(conn: Connection, vehicle_ids: Sequence[str], with_events: bool = True) -> list[VehicleBundle]:
    """Bundles in the order of vehicle_ids (missing ids are skipped).

    Plain driver SQL with fetchall: for a 50-vehicle result this is ~2× faster than iterating
    SQLAlchemy rows, and the statements still pass through the engine's events.
    """
    vehicles: dict[str, VehicleRec] = {}
    owners: dict[str, CustomerRec] = {}
    terms: dict[str, list[Term]] = {}
    events: dict[str, list[EventRec]] = {}
    run = conn.exec_driver_sql
    for chunk in _chunks(list(vehicle_ids)):
        ids, marks = blobs(chunk), _marks(len(chunk))
        chunk_vehicles = [VehicleRec(*r) for r in run(
            f"SELECT {_V_COLS} FROM vehicle WHERE id IN ({marks}) AND deleted = 0", ids).fetchall()]
        vehicles.update((v.id, v) for v in chunk_vehicles)
        owner_ids = blobs({v.owner_id for v in chunk_vehicles if v.owner_id})
        if owner_ids:
            for r in run(f"SELECT {_C_COLS} FROM customer WHERE id IN ({_marks(len(owner_ids))})",
                         owner_ids).fetchall():
                owners[r[0]] = CustomerRec(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7])
        for r in run(f"SELECT {_T_COLS} FROM policy_term WHERE vehicle_id IN ({marks})", ids).fetchall():
            terms.setdefault(r[1], []).append(Term(
                kind=r[2], start_at=parse_iso(r[3]), end_at=parse_iso(r[4]), insurer=r[5], policy_no=r[6],
                source=r[7], as_of=parse_iso(r[8]), verified_by=r[9], id=r[0]))
        if with_events:
            for r in run("SELECT id, vehicle_id, kind, outcome, detail, note, staff, at, corrects FROM event "
                         f"WHERE vehicle_id IN ({marks}) ORDER BY at", ids).fetchall():
                events.setdefault(r[1], []).append(EventRec(*r[:7], parse_iso(r[7]), r[8]))
    out = []
    for vid in vehicle_ids:
        v = vehicles.get(vid)
        if v is None:
            continue
        out.append(VehicleBundle(v, owners.get(v.owner_id) if v.owner_id else None,
                                 tuple(terms.get(vid, ())), tuple(events.get(vid, ()))))
    return out


def vehicles_with_ci_end_between(conn: Connection, lo: datetime, hi: datetime) -> list[str]:
    """Vehicles having a 交强险 term ending in [lo, hi): the candidates for a due list (index range)."""
    rows = conn.execute(text("SELECT DISTINCT vehicle_id FROM policy_term WHERE kind = 'CI' "
                             "AND end_at >= :lo AND end_at < :hi"), {"lo": iso(lo), "hi": iso(hi)})
    return [r[0] for r in rows]


def all_vehicle_ids(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(text("SELECT id FROM vehicle WHERE deleted = 0 ORDER BY id"))]
