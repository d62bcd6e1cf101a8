"""What an import batch reads and writes, chunk by chunk, at the driver level (10⁵–10⁶ rows).

The importer hands the ledger a chunk of parsed rows at a time. `prefetch` reads every stored
vehicle, customer and term the chunk can match with a few IN queries (instead of three or four
queries per row); the rows are then matched against that and against the chunk's own writes, kept
in memory; `flush` writes the chunk through desktop.store.writes with one executemany per table,
its outbox changes (one per changed entity) and the search keys of every vehicle it touched, in
the caller's one BEGIN IMMEDIATE transaction (the batch stays atomic).

`DryLedger` reads the store the same way but never writes: a dry run changes not one byte of the
store, audit included, yet counts exactly what a real run would.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import repeat

from desktop.core.ids import IdPool
from desktop.core.search_keys import search_keys_for

from . import work_triggers, writes
from .outbox import Changes, driver
from .records import CustomerRec, TermRec, VehicleRec
from .timecol import stored as stored_time
from .uuidcol import blob, blobs

_V = "id, plate, vin, owner_id, vehicle_class, use, seats, energy, registered_on"
_C = "id, name, phone, id_number, address, consent_contact, consent_mail, notes"
_C_JOINED = ", ".join(f"c.{col}" for col in _C.split(", "))
_IN = 500  # parameters per IN (...) list: far below SQLite's limit, big enough to be cheap


@dataclass(frozen=True)
class TermKey:
    """What identifies a term within its vehicle (DESIGN §7)."""
    kind: str
    policy_no: str | None
    start_at: str
    end_at: str


def _customer(r) -> CustomerRec:
    return CustomerRec(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7])


def _chunks(values: Sequence, n: int = _IN) -> Iterable[Sequence]:
    for i in range(0, len(values), n):
        yield values[i:i + n]


def _absent(values: Iterable, known: dict) -> set:
    """The values not yet known, in the time of the values alone: `set - dict.keys()` goes through
    dict_keys.__rsub__, which walks the whole dict, and a dry run's ledger keeps every row's
    identities for the whole batch (10^5 rows in 1,600 window steps: 100 s of a dry run's 140)."""
    return {v for v in values if v not in known}


def _plate_first(a: VehicleRec | None, b: VehicleRec) -> VehicleRec:
    """Of two cars with one plate, the one without a VIN answers a plate lookup (a plate is only
    trusted to name a car no VIN already identifies)."""
    return b if a is None or (a.vin is not None and b.vin is None) else a


class StoreLedger:
    writes_outbox = True

    def __init__(self, db, source: str, as_of: str, staff: str | None, now: datetime | None = None):
        self.db, self.source, self.as_of, self.staff = db, source, as_of, staff
        self.changes: Changes | None = Changes(db, now) if self.writes_outbox else None
        self.new_id = IdPool()  # ids of the batch's new rows (terms here, customers and vehicles by the importer)
        self._clear()

    def _clear(self) -> None:
        # Latest known state by id (store rows read for this chunk, overwritten by its own writes).
        self._veh: dict[str, VehicleRec] = {}
        self._cust: dict[str, CustomerRec] = {}
        self._terms: dict[str, list[TermKey]] = {}
        # identity → id (None: known to be absent)
        self._by_vin: dict[str, str | None] = {}
        self._by_plate: dict[str, str | None] = {}
        self._by_idn: dict[str, str | None] = {}
        self._by_np: dict[tuple[str, str], str | None] = {}
        # this chunk's writes
        self._new_c: dict[str, CustomerRec] = {}
        self._upd_c: dict[str, list[str]] = {}  # id → contact fields changed
        self._new_v: dict[str, VehicleRec] = {}
        self._upd_v: set[str] = set()
        self._new_t: list[TermRec] = []
        self._keys: dict[str, bool] = {}  # vehicle id → added in this chunk (no keys to delete)
        # (plate, vin, name, phone, id_number) → its search keys, made by the child reader
        self._made_keys: dict[tuple, tuple[str, ...]] = {}

    # -- reads ---------------------------------------------------------------------------------
    def prefetch(self, rows: Sequence) -> None:
        """Read what the parsed rows of one chunk can match, a few IN queries in all."""
        self._made_keys = dict(r.search_keys for r in rows if r.search_keys is not None)
        vins = _absent((r.vehicle.vin for r in rows if r.vehicle.vin), self._by_vin)
        plates = _absent((r.vehicle.plate for r in rows if r.vehicle.plate), self._by_plate)
        idns = _absent((r.customer.id_number for r in rows if r.customer and r.customer.id_number), self._by_idn)
        nps = _absent(((r.customer.name, r.customer.phone) for r in rows
                       if r.customer and r.customer.name and r.customer.phone), self._by_np)
        found = []
        for col, keys, index in (("vin", vins, self._by_vin), ("plate", plates, self._by_plate)):
            index.update(dict.fromkeys(keys))
            for chunk in _chunks(sorted(keys)):
                for r in self.db.execute(f"SELECT {_V} FROM vehicle WHERE {col} IN ({','.join('?' * len(chunk))}) "
                                         "AND deleted = 0", tuple(chunk)):
                    v = self._veh.setdefault(r[0], VehicleRec(*r))
                    found.append(v)
                    key = getattr(v, col)
                    if col == "vin":
                        if index.get(key) is None:
                            index[key] = v.id
                    else:
                        cur = index.get(key)
                        index[key] = _plate_first(self._veh[cur] if cur else None, v).id
        self._by_idn.update(dict.fromkeys(idns))
        for r in self._select_customers("id_number", sorted(idns)):
            if self._by_idn.get(r.id_number) is None:
                self._by_idn[r.id_number] = r.id
        self._by_np.update(dict.fromkeys(nps))
        for r in self._select_by_name_phone(sorted(nps)):
            if self._by_np.get((r.name, r.phone)) is None:
                self._by_np[(r.name, r.phone)] = r.id
        owners = sorted(_absent((v.owner_id for v in found if v.owner_id), self._cust))
        for _ in self._select_customers("id", owners):
            pass
        vids = sorted(_absent((v.id for v in found), self._terms))
        for vid in vids:
            self._terms[vid] = []
        for chunk in _chunks(vids):
            for vid, *key in self.db.execute("SELECT vehicle_id, kind, policy_no, start_at, end_at FROM policy_term "
                                             f"WHERE vehicle_id IN ({','.join('?' * len(chunk))})", blobs(chunk)):
                self._terms[vid].append(TermKey(*key))

    def _select_by_name_phone(self, pairs: Sequence[tuple[str, str]]) -> list[CustomerRec]:
        """Customers with exactly these (name, phone) pairs: one index seek per pair. Not `name IN
        (...)`, which in a large store reads every namesake of the chunk's common names (王伟…)."""
        out = []
        for chunk in _chunks(pairs, _IN // 2):
            values = ",".join("(?,?)" for _ in chunk)
            sql = (f"SELECT {_C_JOINED} FROM (VALUES {values}) AS p CROSS JOIN customer AS c "
                   "ON c.name = p.column1 AND c.phone = p.column2 WHERE c.deleted = 0")
            for r in self.db.execute(sql, tuple(x for pair in chunk for x in pair)):
                out.append(self._cust.setdefault(r[0], _customer(r)))
        return out

    def _select_customers(self, col: str, values: Sequence) -> list[CustomerRec]:
        out = []
        for chunk in _chunks(values):
            where = f"{col} IN ({','.join('?' * len(chunk))})" + (" AND deleted = 0" if col != "id" else "")
            params = blobs(chunk) if col == "id" else tuple(chunk)  # ids are stored as 16 bytes
            for r in self.db.execute(f"SELECT {_C} FROM customer WHERE {where}", params):
                out.append(self._cust.setdefault(r[0], _customer(r)))
        return out

    def _vehicle_at(self, vid: str | None) -> VehicleRec | None:
        return self._veh.get(vid) if vid else None

    def vehicle_by_vin(self, vin: str) -> VehicleRec | None:
        v = self._vehicle_at(self._by_vin.get(vin))
        return v if v is not None and v.vin == vin else None

    def vehicle_by_plate(self, plate: str) -> VehicleRec | None:
        v = self._vehicle_at(self._by_plate.get(plate))
        return v if v is not None and v.plate == plate else None

    def customer_by_id_number(self, id_number: str) -> CustomerRec | None:
        c = self._cust.get(self._by_idn.get(id_number) or "")
        return c if c is not None and c.id_number == id_number else None

    def customer_by_name_phone(self, name: str, phone: str) -> CustomerRec | None:
        c = self._cust.get(self._by_np.get((name, phone)) or "")
        return c if c is not None and (c.name, c.phone) == (name, phone) else None

    def customer(self, cid: str) -> CustomerRec | None:
        c = self._cust.get(cid)
        if c is None:
            got = self._select_customers("id", [cid])
            c = got[0] if got else None
        return c

    def terms(self, vehicle_id: str) -> list[TermKey]:
        return list(self._terms.get(vehicle_id, ()))

    def vehicles_of(self, customer_id: str) -> list[VehicleRec]:
        out = {r[0]: self._veh.setdefault(r[0], VehicleRec(*r)) for r in self.db.execute(
            f"SELECT {_V} FROM vehicle WHERE owner_id = ? AND deleted = 0", (blob(customer_id),))}
        out.update((v.id, v) for v in self._veh.values() if v.owner_id == customer_id)
        return [v for v in out.values() if v.owner_id == customer_id]

    # -- writes (kept for this chunk, written by flush) -------------------------------------------
    def _index_customer(self, c: CustomerRec) -> None:
        self._cust[c.id] = c
        if c.id_number:
            self._by_idn[c.id_number] = c.id
        if c.name and c.phone:
            self._by_np[(c.name, c.phone)] = c.id

    def _index_vehicle(self, v: VehicleRec) -> None:
        self._veh[v.id] = v
        if v.vin:
            self._by_vin[v.vin] = v.id
        if v.plate:
            cur = self._by_plate.get(v.plate)
            self._by_plate[v.plate] = _plate_first(self._veh.get(cur) if cur and cur != v.id else None, v).id

    def add_customer(self, c: CustomerRec) -> None:
        self._index_customer(c)
        self._new_c[c.id] = c

    def update_customer(self, c: CustomerRec, fields: list[str]) -> None:
        self._index_customer(c)
        if c.id in self._new_c:
            self._new_c[c.id] = c
        else:
            changed = self._upd_c.setdefault(c.id, [])
            changed.extend(f for f in fields if f not in changed)

    def add_vehicle(self, v: VehicleRec) -> None:
        self._index_vehicle(v)
        self._new_v[v.id] = v
        self._terms.setdefault(v.id, [])

    def update_vehicle(self, v: VehicleRec) -> None:
        self._index_vehicle(v)
        if v.id in self._new_v:
            self._new_v[v.id] = v
        else:
            self._upd_v.add(v.id)

    def add_term(self, vehicle_id: str, t: TermKey, insurer: str | None, premium: str | None,
                 vehicle_tax: str | None) -> None:
        self._terms.setdefault(vehicle_id, []).append(t)
        self._new_t.append(TermRec(self.new_id(), vehicle_id, t.kind, t.start_at, t.end_at, insurer, t.policy_no,
                                   premium, None, vehicle_tax, self.source, self.as_of, self.staff))

    def refresh_keys(self, v: VehicleRec, new: bool = False) -> None:
        """The vehicle's search keys are rewritten at flush, from its and its owner's final state."""
        self._keys[v.id] = new or self._keys.get(v.id, False)

    def flush(self) -> None:
        """Write this chunk (customers, vehicles, terms: the order receivers need) and forget it."""
        db, ch = self.db, self.changes
        # work_index rows of the chunk's new cars and of cars given a term: one set-based refresh
        # after the inserts instead of the insert triggers' program per row (work_triggers).
        fresh, others = self._fresh_work_rows()
        touched = blobs(others)
        suspended = work_triggers.suspend_inserts(db) if touched or fresh or self._new_c else []
        writes.insert_customers(db, self._new_c.values(), self.as_of, ch)
        writes.update_customers(db, ((self._cust[i], f) for i, f in self._upd_c.items()), self.as_of, ch)
        writes.insert_vehicles(db, self._new_v.values(), self.as_of, ch)
        writes.update_vehicles(db, (self._veh[i] for i in self._upd_v), ch)
        writes.insert_terms(db, self._new_t, ch)
        work_triggers.resume_inserts(db, suspended, touched, fresh)
        self._write_keys()
        if ch is not None:
            ch.flush()
        self._clear()

    def _fresh_work_rows(self) -> tuple[list[tuple], set[str]]:
        """The work_index rows (work_triggers.resume_inserts' `fresh`) of this chunk's new cars,
        computed here as its refresh would: the latest-ending valid 交强险 term (the earliest start
        among those ending then), the owner's consent, tier 3 for an inverted 交强险 term. A car
        with a term time that is not epoch seconds, or whose owner is not at hand, is left to the
        SQL refresh (the second set, with every stored car this chunk gave a term)."""
        others = {t.vehicle_id for t in self._new_t if t.vehicle_id not in self._new_v}
        ci: dict[str, list[TermRec]] = {}
        for t in self._new_t:
            if t.kind == "CI":
                ci.setdefault(t.vehicle_id, []).append(t)
        seconds: dict = {}
        rows = []
        for vid, v in self._new_v.items():
            owner = self._cust.get(v.owner_id) if v.owner_id else None
            if v.owner_id and owner is None:
                others.add(vid)
                continue
            end = start = None
            tier = 0
            for t in ci.get(vid, ()):
                a = seconds.get(t.start_at) or seconds.setdefault(t.start_at, stored_time(t.start_at))
                b = seconds.get(t.end_at) or seconds.setdefault(t.end_at, stored_time(t.end_at))
                if a.__class__ is not int or b.__class__ is not int:
                    break
                if b <= a:
                    tier = 3
                elif end is None or b > end or (b == end and a < start):
                    end, start = b, a
            else:
                contactable = 1 if owner is None or owner.consent_contact else 0
                rows.append((blob(vid), end, start, contactable, tier))
                continue
            others.add(vid)
        return rows, others

    def _write_keys(self) -> None:
        # Keys of stored vehicles that changed were dropped and re-added by writes.update_*; these
        # INSERT OR IGNOREs only add what is new.
        keys = []
        made = self._made_keys
        for vid in self._keys:
            v = self._veh[vid]
            o = self.customer(v.owner_id) if v.owner_id else None
            vid_b = blob(vid)
            who = (v.plate, v.vin, o.name if o else None, o.phone if o else None, o.id_number if o else None)
            found = made.get(who)  # the same identifiers give the same keys: made by the child reader
            # zip/repeat pairs each key with the id in C (a generator here cost ~1 µs a key, 4×10⁵ keys)
            keys.extend(zip(found if found is not None else search_keys_for(*who, checked=True), repeat(vid_b)))
        keys.sort()  # in key order, each index leaf page is visited once per chunk
        self.db.executemany("INSERT OR IGNORE INTO search_key(key, vehicle_id) VALUES (?, ?)", keys)

    def finish(self) -> None:
        """After the last chunk (inside the batch's transaction, before COMMIT)."""
        self.flush()


class DryLedger(StoreLedger):
    """Reads like StoreLedger; its writes stay in memory for the whole batch and are never stored."""

    writes_outbox = False

    def flush(self) -> None:
        # The store does not change in a dry run, so everything read stays true and the batch's own
        # "writes" stay visible to later chunks; only the pending lists are dropped.
        self._new_c, self._upd_c, self._new_v, self._upd_v = {}, {}, {}, set()
        self._new_t, self._keys = [], {}

    def vehicles_of(self, customer_id):
        return []  # search keys are not written in a dry run


def with_changes(state, **changes):
    """The state with only the non-empty changes applied, and the names of the fields that changed."""
    applied = {k: v for k, v in changes.items() if v not in (None, "") and getattr(state, k) != v}
    return (replace(state, **applied), list(applied)) if applied else (state, [])


def record_batch(db, batch: str, file: str, sheet: str, signature: str, staff: str | None, started_at: str,
                 finished_at: str, summary: dict) -> None:
    """The batch's own row (a local record of who imported what; it is not synced)."""
    db.execute("INSERT INTO import_batch(id, file, sheet, signature, staff, started_at, finished_at, summary) "
               "VALUES (?,?,?,?,?,?,?,?)", (batch, file, sheet, signature, staff, started_at, finished_at,
                                             json.dumps(summary)))


def remember_mapping(db, signature: str, mapping: dict[str, str], staff: str | None) -> None:
    """A header mapping a person confirmed, reused for the next file with the same headers."""
    db.execute("INSERT INTO header_mapping(signature, mapping, confirmed_by) VALUES (?,?,?) "
               "ON CONFLICT(signature) DO UPDATE SET mapping = excluded.mapping, confirmed_by = excluded.confirmed_by",
               (signature, json.dumps(mapping, ensure_ascii=False), staff))


def remembered_mapping(conn, signature: str) -> dict[str, str] | None:
    row = driver(conn).execute("SELECT mapping FROM header_mapping WHERE signature = ?", (signature,)).fetchone()
    return json.loads(row[0]) if row else None
