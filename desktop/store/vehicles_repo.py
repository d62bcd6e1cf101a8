"""Vehicles, their owners and policy terms, and the search keys that find them.

Rows are written by desktop.store.writes (the one way to write a row). Every query here is
served by an index: search_key(key, vehicle_id) for lookups (vehicle.plate, vehicle.vin and
customer.id_number for a plate, a full VIN or ID), policy_term(vehicle_id) for a vehicle's terms, the partial
ix_policy_term_ci_vehicle (交强险 terms, migration 0017) read whole for due lists.
Ids are bound as 16-byte BLOBs (uuidcol.blob); the lookup path reads them back as the bytes
(CAST … AS BLOB) and turns only the ids it hands out into UUID strings.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from sqlalchemy import Connection, text

from desktop.core.search_keys import COLUMN_KINDS, ID_NUMBER, PLATE, VIN, search_keys_for
from desktop.core.status import Term
from desktop.core.timeutil import CST

from . import search_index
from .engine import begin_read, use_search_cache
from .fastrec import builder
from .records import CustomerRec, EventRec, VehicleBundle, VehicleRec, iso, parse_iso
from .timecol import stored
from .uuidcol import blob, blobs, text_of


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
    the kinds of desktop.core.search_keys (`plate_key`). A plate is asked of the plate column's
    index of live vehicles too: it keeps P keys only for plates stored in another form (0014)."""
    if key[:1] == PLATE and conn.exec_driver_sql(
            "SELECT 1 FROM vehicle WHERE plate = ? AND deleted = 0 LIMIT 1", (key[1:],)).first() is not None:
        return True
    return conn.execute(text("SELECT 1 FROM search_key WHERE key = :k LIMIT 1"), {"k": key}).first() is not None


def vin_taken(conn: Connection, vin: str) -> bool:
    """Whether a live vehicle already has this VIN (ix_vehicle_vin: VINs are not search keys)."""
    return conn.exec_driver_sql("SELECT 1 FROM vehicle WHERE vin = ? AND deleted = 0 LIMIT 1", (vin,)).first() is not None


def plate_key(plate: str) -> str:
    return PLATE + plate


def _marks(n: int) -> str:
    return ",".join("?" * n)


# Ids on the hot read path come back as the stored 16 bytes (an expression has no declared type,
# so the UUIDBLOB converter is skipped: it costs 1-2 µs a value, and a 50-match lookup read ~600
# of them). Bytes sort like the canonical strings, so ranking on them keeps the order; only the
# ids handed out are turned into text, here, by _text.
_RAW = "CAST({} AS BLOB)"
_text = text_of
_AS_STORED = "+{}"  # unary plus: the value unchanged, without the column's declared type (no converter)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc).astimezone(CST)


@lru_cache(maxsize=1 << 16)  # the same days and as_of recur from row to row and keystroke to keystroke
def _term_instant(value: int | str | None) -> datetime | None:
    """The one decode of a stored term instant on this path, read as stored (_AS_STORED): epoch
    seconds since 0012 (desktop.store.timecol), or ISO text in a store before it or left by it.
    The ISOTIME converter costs a Python call a value (three a term, ~150 terms a lookup) and its
    ISO text is then parsed again; here each distinct value is decoded once."""
    if value is None or isinstance(value, str):
        return parse_iso(value)
    return _EPOCH + timedelta(seconds=value)


_instant = parse_iso  # event times (ISO text)


def _reader(conn: Connection):
    """fetchall straight from the driver for the hot path: SQLAlchemy wraps every row it returns
    (~3 µs a row; a 50-match lookup returns ~250) and its execute costs ~0.1 ms more. The
    connect() block's read transaction is begun first, as SQLAlchemy's autobegin (its "begin"
    event: BEGIN DEFERRED, desktop.store.engine), as the first statement through SQLAlchemy began
    it before: the first read takes the snapshot and every statement after it reads the same one.
    The driver's trace callback still sees every statement (test_lookup_plans)."""
    begin_read(conn)
    return conn.connection.driver_connection.execute

_BY_KEY = f"SELECT ?, {_RAW.format('vehicle_id')} FROM (SELECT vehicle_id FROM search_key WHERE key = ? " \
          "ORDER BY vehicle_id LIMIT ?)"
_BY_PLATE = f"SELECT ?, {_RAW.format('id')} FROM (SELECT id FROM vehicle WHERE plate = ? AND deleted = 0 " \
            "ORDER BY id LIMIT ?)"


def find_ids(conn: Connection, exact: Sequence[tuple[str, int]], prefixes: Sequence[tuple[str, int]],
             limit: int) -> list[tuple[str, int]]:
    """The best `limit` vehicle ids matching any key, each with its best rank, best first (exact
    kinds before partial, then by id).

    Each exact key reads only its first `limit` vehicles in id order (the primary key's order):
    a vehicle among the best `limit` is among the first `limit` of the key that gives its best
    rank, so the cut changes nothing. When a key fills its `limit`, exact matches alone fill the
    list and the prefix scans (a worse rank) are skipped; otherwise every exact match was read and
    the scans run as before."""
    best: dict[bytes, int] = {}

    def take(rows, rank) -> None:
        for (vid,) in rows:
            if rank < best.get(vid, 99):
                best[vid] = rank

    use_search_cache(conn)  # the connection that answers lookups keeps the big page cache (engine)
    run = _reader(conn)
    full = False
    rank_of = {k: r for k, r in exact if k[:1] not in COLUMN_KINDS}
    if rank_of:
        keys = list(rank_of)
        # A plate: the live vehicles' plate index (ix_vehicle_plate, partial: deleted = 0), and its
        # P key, kept only for a plate stored in another form (desktop.core.search_keys, 0014).
        plates = [k for k in keys if k[:1] == PLATE]
        sql = " UNION ALL ".join([_BY_KEY] * len(keys) + [_BY_PLATE] * len(plates))
        params = tuple(x for k in keys for x in (k, k, limit)) + tuple(x for k in plates for x in (k, k[1:], limit))
        rows = run(sql, params).fetchall()
        for key, vid in rows:
            r = rank_of[key]
            if r < best.get(vid, 99):
                best[vid] = r
        full = len(rows) >= limit and any(n >= limit for n in _counts(rows).values())
    # A full VIN or ID number: the column indexes (no search keys of these kinds, see search_keys).
    # A value stored before the checks normalised it (lower-case, a 15-digit ID) is found as well,
    # as its normalised key found it. Every match is read (a VIN or an ID names few vehicles).
    for key, rank in exact:
        v = key[1:]
        if key[:1] == VIN:
            forms = tuple(dict.fromkeys((v, v.lower())))
            take(run(f"SELECT {_RAW.format('id')} FROM vehicle WHERE vin IN ({_marks(len(forms))}) AND deleted = 0",
                     forms).fetchall(), rank)
        elif key[:1] == ID_NUMBER:
            forms = tuple(dict.fromkeys((v, v.lower(), v[:6] + v[8:17] if len(v) == 18 else v)))
            take(run(f"SELECT {_RAW.format('v.id')} FROM customer c JOIN vehicle v ON v.owner_id = c.id "
                     f"WHERE c.id_number IN ({_marks(len(forms))}) AND v.deleted = 0", forms).fetchall(), rank)
    for prefix, rank in prefixes:
        if full or len(best) >= limit * 4:
            break
        # A range scan on the primary key: "P京A1" <= key < "P京A1\uffff".
        rows = run(f"SELECT {_RAW.format('vehicle_id')} FROM search_key WHERE key >= ? AND key < ? LIMIT ?",
                   (prefix, prefix + "\uffff", limit * 2)).fetchall()
        take(rows, rank)
        if prefix[:1] == PLATE:  # and on the plate index, in the same (plate) order
            take(run(f"SELECT {_RAW.format('id')} FROM vehicle WHERE plate >= ? AND plate < ? AND deleted = 0 "
                     "LIMIT ?", (prefix[1:], prefix[1:] + "\uffff", limit * 2)).fetchall(), rank)
    ranked = sorted(best.items(), key=lambda kv: (kv[1], kv[0]))[:limit]
    return [(_text(vid), rank) for vid, rank in ranked]


def _counts(rows: Sequence[tuple[str, bytes]]) -> dict[str, int]:
    n: dict[str, int] = {}
    for key, _vid in rows:
        n[key] = n.get(key, 0) + 1
    return n


def _chunks(ids: Sequence[str], n: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


_VEHICLE_OWNER = (f"SELECT {_RAW.format('v.id')}, v.plate, v.vin, {_RAW.format('v.owner_id')}, v.vehicle_class, "
                  "v.use, v.seats, v.energy, v.registered_on, c.id IS NOT NULL, c.name, c.phone, c.id_number, "
                  "c.address, c.consent_contact, c.consent_mail, c.notes "
                  "FROM vehicle v LEFT JOIN customer c ON c.id = v.owner_id WHERE v.id IN ({}) AND v.deleted = 0")
_TERMS = (f"SELECT {_RAW.format('vehicle_id')}, {_RAW.format('id')}, kind, {_AS_STORED.format('start_at')}, "
          f"{_AS_STORED.format('end_at')}, insurer, policy_no, source, {_AS_STORED.format('as_of')}, verified_by "
          "FROM policy_term WHERE vehicle_id IN ({})")
_EVENTS = (f"SELECT {_RAW.format('vehicle_id')}, {_RAW.format('id')}, kind, outcome, detail, note, staff, at, "
           f"{_RAW.format('corrects')} FROM event WHERE vehicle_id IN ({{}}) ORDER BY at")


_vehicle = builder(VehicleRec)
_customer = builder(CustomerRec)
_term = builder(Term)
_event = builder(EventRec)
_bundle = builder(VehicleBundle)


def load_bundles(conn: Connection, vehicle_ids: Sequence[str], with_events: bool = True) -> list[VehicleBundle]:
    """Bundles in the order of vehicle_ids (missing and deleted ids are skipped).

    Three statements a chunk (vehicles with their owners, terms, events), read straight from the
    driver (_reader): SQLAlchemy's row wrapping and the UUIDBLOB converter cost more than SQLite's
    reads for a 50-vehicle result. The records are made by fastrec.builder (the same frozen
    instances without their __init__'s per-field setattr: ~250 records a 50-match lookup)."""
    wanted = list(vehicle_ids)
    found: dict[bytes, tuple[VehicleRec, CustomerRec | None]] = {}
    terms: dict[bytes, list[Term]] = {}
    events: dict[bytes, list[EventRec]] = {}
    blob_of: dict[str, bytes] = {}
    run = _reader(conn)
    term, instant, text_ = _term, _term_instant, _text
    for chunk in _chunks(list(dict.fromkeys(wanted))):
        ids, marks = blobs(chunk), _marks(len(chunk))
        id_of = dict(zip(ids, chunk, strict=True))
        blob_of.update(zip(chunk, ids, strict=True))
        for r in run(_VEHICLE_OWNER.format(marks), ids):
            owner_id = text_(r[3])
            owner = _customer(owner_id, r[10], r[11], r[12], r[13], bool(r[14]), bool(r[15]), r[16]) \
                if r[9] else None
            found[r[0]] = (_vehicle(id_of[r[0]], r[1], r[2], owner_id, r[4], r[5], r[6], r[7], r[8]), owner)
        for r in run(_TERMS.format(marks), ids):
            # Term's fields in order: kind, start_at, end_at, insurer, policy_no, source, as_of, verified_by, id
            t = term(r[2], instant(r[3]), instant(r[4]), r[5], r[6], r[7], instant(r[8]), r[9], text_(r[1]))
            got = terms.get(r[0])
            if got is None:
                terms[r[0]] = [t]
            else:
                got.append(t)
        if with_events:
            for r in run(_EVENTS.format(marks), ids):
                events.setdefault(r[0], []).append(_event(text_(r[1]), id_of[r[0]], r[2], r[3], r[4], r[5], r[6],
                                                          _instant(r[7]), text_(r[8])))
    out = []
    no_terms: tuple = ()
    for vid in wanted:
        b = blob_of[vid]
        v_owner = found.get(b)
        if v_owner is None:
            continue
        t = terms.get(b)
        e = events.get(b)
        out.append(_bundle(v_owner[0], v_owner[1], tuple(t) if t else no_terms, tuple(e) if e else no_terms))
    return out


def vehicles_with_ci_end_between(conn: Connection, lo: datetime, hi: datetime) -> list[str]:
    """Vehicles having a 交强险 term ending in [lo, hi), any of its terms (not only the latest: a car
    renewed early has an earlier one ending here): the candidates for a due list. The epoch seconds,
    and ends kept as text because they did not round-trip (desktop.store.timecol), as text order
    found them before. One pass over the covering ix_policy_term_ci_vehicle, the planner's pick (no end_at
    index since 0020: it cost ~110 bytes a vehicle; no INDEXED BY: a store before 0017 reads the table)."""
    rows = conn.exec_driver_sql(
        "SELECT DISTINCT vehicle_id FROM policy_term WHERE kind = 'CI' "
        "AND ((end_at >= ? AND end_at < ?) OR (end_at >= ? AND end_at < ?))",
        (stored(iso(lo)), stored(iso(hi)), iso(lo), iso(hi)))
    return [r[0] for r in rows]


def all_vehicle_ids(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(text("SELECT id FROM vehicle WHERE deleted = 0 ORDER BY id"))]
