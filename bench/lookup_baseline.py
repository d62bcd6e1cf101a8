"""The lookup repository path as it was before the bytes-read rewrite (main at 1fc8aeb), frozen so
bench/lookup.py can measure the current path against it in the same run, on the same store.

Not used by the app. Every id is read through the UUIDBLOB converter and every exact match is
fetched, as vehicles_repo.find_ids / load_bundles did then.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from desktop.core.search_keys import COLUMN_KINDS, ID_NUMBER, PLATE, VIN
from desktop.core.status import Term
from desktop.store.records import CustomerRec, EventRec, VehicleBundle, VehicleRec, parse_iso
from desktop.store.uuidcol import blobs

_V_COLS = "id, plate, vin, owner_id, vehicle_class, use, seats, energy, registered_on"
_C_COLS = "id, name, phone, id_number, address, consent_contact, consent_mail, notes"
_T_COLS = "id, vehicle_id, kind, start_at, end_at, insurer, policy_no, source, as_of, verified_by"


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
        for key in (k for k in keys if k[:1] == PLATE):  # plates: the column index since 0014
            take(conn.exec_driver_sql("SELECT id FROM vehicle WHERE plate = ? AND deleted = 0", (key[1:],)),
                 rank_of[key])
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
        if prefix[:1] == PLATE:
            rows = rows + conn.exec_driver_sql("SELECT id FROM vehicle WHERE plate >= ? AND plate < ? AND deleted = 0 "
                                               "LIMIT ?", (prefix[1:], prefix[1:] + "\uffff", limit * 2)).fetchall()
        for (vid,) in rows:
            if rank < best.get(vid, 99):
                best[vid] = rank
    return sorted(best.items(), key=lambda kv: (kv[1], kv[0]))


def load_bundles(conn: Connection, vehicle_ids: Sequence[str]) -> list[VehicleBundle]:
    vehicles: dict[str, VehicleRec] = {}
    owners: dict[str, CustomerRec] = {}
    terms: dict[str, list[Term]] = {}
    events: dict[str, list[EventRec]] = {}
    run = conn.exec_driver_sql
    chunk = list(vehicle_ids)  # ≤ 50 here: one chunk
    if chunk:
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
        for r in run("SELECT id, vehicle_id, kind, outcome, detail, note, staff, at, corrects FROM event "
                     f"WHERE vehicle_id IN ({marks}) ORDER BY at", ids).fetchall():
            events.setdefault(r[1], []).append(EventRec(*r[:7], parse_iso(r[7]), r[8]))
    out = []
    for vid in vehicle_ids:
        v = vehicles.get(vid)
        if v is not None:
            out.append(VehicleBundle(v, owners.get(v.owner_id) if v.owner_id else None,
                                     tuple(terms.get(vid, ())), tuple(events.get(vid, ()))))
    return out
