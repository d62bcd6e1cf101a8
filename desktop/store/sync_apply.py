"""Applying changes pulled from head office to the local store (DESIGN §6 conflict rules).

One page is applied with its cursor in the caller's ONE transaction (through a DBAPI connection),
and nothing here writes the outbox: a pulled change must not travel back to head office.

Rules, identical on every replica so that replicas converge whatever order they see changes in:
- events are append-only: inserted once, never changed;
- customer contact fields are last-writer-wins by HLC PER FIELD (a change lists the fields it
  sets); the local stamp of a field is the newest of what was pulled (sync_stamp) and what this
  counter wrote itself (its outbox rows, own stamps taken under the device id as sent);
- vehicles and policy terms are last-writer-wins by HLC per row, except that a term head office
  issued (source = hq) beats a counter's copy;
- two rows with one identity (a vehicle by VIN else plate, a term by `term_identity`) become one:
  the smaller id is kept, the larger becomes an alias (sync_alias) and its children move over;
- a tombstone is final: a deleted row never comes back (its stamp stays in sync_stamp).
A change whose parent row is not here (its vehicle was refused by head office, say) waits in
sync_parked and is retried after every page. Search keys are derived here, never received.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from desktop.core.hlc import HLC

from . import search_index
from .timecol import stored
from .uuidcol import blob, blobs, text_of
from .vehicles_repo import write_search_keys

CONTACT_FIELDS = ("name", "phone", "id_number", "address", "consent_contact", "consent_mail", "notes")
VEHICLE_FIELDS = ("plate", "vin", "vehicle_class", "use", "seats", "energy", "registered_on", "owner_id")
TERM_FIELDS = ("vehicle_id", "kind", "insurer", "policy_no", "start_at", "end_at", "premium", "float_coef",
               "vehicle_tax", "source", "as_of", "verified_by")
ROW, DELETED = "*", "~deleted"  # sync_stamp field names: the whole row; the tombstone
LOCAL_NODE = "local"
_PUT_STAMP = ("INSERT INTO sync_stamp(entity, entity_id, field, hlc) VALUES (?,?,?,?) "
              "ON CONFLICT(entity, entity_id, field) DO UPDATE SET hlc = max(hlc, excluded.hlc)")


@dataclass(frozen=True)
class Pulled:
    """One change from the feed (or a snapshot row): the wire fields the store needs."""
    server_seq: int
    device_id: str
    entity: str
    entity_id: str
    op: str
    payload: dict
    hlc: str

    @classmethod
    def of(cls, d: dict) -> Pulled:
        return cls(int(d.get("server_seq") or 0), d.get("device_id") or "", d["entity"], d["entity_id"],
                   d["op"], d.get("payload") or {}, d["hlc"])

    def to_json(self) -> str:
        return json.dumps({"server_seq": self.server_seq, "device_id": self.device_id, "entity": self.entity,
                           "entity_id": self.entity_id, "op": self.op, "payload": self.payload,
                           "hlc": self.hlc}, ensure_ascii=False)


@dataclass
class ApplyResult:
    applied: int = 0  # changes that changed something here
    skipped: int = 0  # own changes, stale ones (an older stamp lost), repeats
    parked: int = 0   # waiting for a parent row
    max_hlc: str | None = None  # the newest stamp seen, for the clock's receive rule
    vehicles: set[str] = field(default_factory=set)  # vehicles whose search keys were rewritten
    # (terms and events never change search keys: only vehicle and owner changes rekey)


def _as_own(stamp: str, device_id: str | None) -> str:
    """A local stamp as head office knows it (node "local" becomes the device id when sent)."""
    if device_id and stamp.endswith("-" + LOCAL_NODE):
        h = HLC.parse(stamp)
        return str(HLC(h.wall_ms, h.counter, device_id))
    return stamp


class _Page:
    """Per-page caches: local stamps and aliases, loaded once per page for the ids the page names."""

    def __init__(self, db, device_id: str | None, changes: Sequence[Pulled]):
        self.db, self.device_id = db, device_id
        self.alias: dict[tuple[str, str], str] = {}
        self.stamps: dict[tuple[str, str], dict[str, str]] = {}
        self.touched_vehicles: set[str] = set()
        self.touched_customers: set[str] = set()
        self.old_keys: dict[str, list[tuple[str, bytes]]] = {}  # vehicle -> keys before this page
        self._dirty: set[tuple[str, str, str]] = set()
        self.present: dict[str, set[str]] = {"customer": set(), "vehicle": set()}
        ids = sorted({c.entity_id for c in changes} | {str(c.payload.get("vehicle_id")) for c in changes
                                                        if c.payload.get("vehicle_id")})
        self._load(ids)
        self._preload(changes)

    def _load(self, ids: list[str]) -> None:
        db = self.db
        for chunk in _chunks(ids):
            marks = ",".join("?" * len(chunk))
            for ent, alias_id, canon in db.execute(
                    f"SELECT entity, alias_id, canonical_id FROM sync_alias WHERE alias_id IN ({marks})", chunk):
                self.alias[(ent, alias_id)] = canon
        targets = sorted(set(ids) | set(self.alias.values()))
        for chunk in _chunks(targets):
            marks = ",".join("?" * len(chunk))
            for ent, eid, fld, stamp in db.execute(
                    f"SELECT entity, entity_id, field, hlc FROM sync_stamp WHERE entity_id IN ({marks})", chunk):
                self._note(ent, eid, fld, stamp)
            # What this counter wrote itself: every outbox row of these entities, whatever its state.
            for ent, eid, payload, stamp in db.execute(
                    f"SELECT entity, entity_id, payload, hlc FROM outbox WHERE entity_id IN ({marks})", chunk):
                own = _as_own(stamp, self.device_id)
                if ent == "customer":
                    try:
                        fields = json.loads(payload).get("fields") or CONTACT_FIELDS
                    except (ValueError, AttributeError):
                        fields = CONTACT_FIELDS
                    for f in fields:
                        self._note(ent, eid, f, own)
                else:
                    self._note(ent, eid, ROW, own)

    def _note(self, entity: str, entity_id: str, fld: str, stamp: str) -> None:
        d = self.stamps.setdefault((entity, entity_id), {})
        if stamp > d.get(fld, ""):
            d[fld] = stamp

    def canon(self, entity: str, entity_id: str | None) -> str | None:
        if entity_id is None:
            return None
        seen = set()
        while (entity, entity_id) in self.alias and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self.alias[(entity, entity_id)]
        return entity_id

    def stamp(self, entity: str, entity_id: str, fld: str) -> str:
        return self.stamps.get((entity, entity_id), {}).get(fld, "")

    def put_stamp(self, entity: str, entity_id: str, fld: str, stamp: str) -> None:
        self._note(entity, entity_id, fld, stamp)
        self._dirty.add((entity, entity_id, fld))

    def flush_stamps(self) -> None:
        """One executemany per page instead of one statement per stamp (max() keeps the newest)."""
        self.db.executemany(_PUT_STAMP, [(e, i, f, self.stamps[(e, i)][f]) for e, i, f in sorted(self._dirty)])
        self._dirty.clear()

    def exists(self, table: str, row_id: str | None) -> bool:
        """Is the (parent) row here? Answered from the page's preload, else from the store."""
        if row_id is None or row_id in self.present[table]:
            return True
        if _exists(self.db, table, row_id):
            self.present[table].add(row_id)
            return True
        return False

    def _preload(self, changes: Sequence[Pulled]) -> None:
        want: dict[str, set[str]] = {"customer": set(), "vehicle": set()}
        for c in changes:
            if c.entity in want:
                want[c.entity].add(self.canon(c.entity, c.entity_id))
            for key, table in (("vehicle_id", "vehicle"), ("owner_id", "customer")):
                ref = c.payload.get(key)
                if isinstance(ref, str):
                    want[table].add(self.canon(table, ref))
        for table, ids in want.items():
            for chunk in _chunks(sorted(ids)):
                marks = ",".join("?" * len(chunk))
                self.present[table].update(r[0] for r in self.db.execute(
                    f"SELECT id FROM {table} WHERE id IN ({marks})", blobs(chunk)))

    def put_alias(self, entity: str, alias_id: str, canonical_id: str) -> None:
        self.alias[(entity, alias_id)] = canonical_id
        self.db.execute("INSERT OR REPLACE INTO sync_alias(entity, alias_id, canonical_id) VALUES (?,?,?)",
                        (entity, alias_id, canonical_id))
        # Whatever pointed at the alias now points at the canonical row.
        self.db.execute("UPDATE sync_alias SET canonical_id = ? WHERE entity = ? AND canonical_id = ?",
                        (canonical_id, entity, alias_id))

    def snap(self, vehicle_ids: Iterable[str]) -> None:
        """Remember the keys the vehicles' rows give now, before this page changes them."""
        todo = [v for v in vehicle_ids if v not in self.old_keys]
        for vid in todo:
            self.old_keys[vid] = []
        for key, vb in search_index.stored_keys(self.db, todo):
            self.old_keys[text_of(vb)].append((key, vb))

    def snap_owner(self, customer_id: str) -> None:
        self.snap(search_index.vehicles_of_owners(self.db, [customer_id]))

    def deleted(self, entity: str, entity_id: str) -> bool:
        return bool(self.stamp(entity, entity_id, DELETED))


def _chunks(ids: Sequence[str], n: int = 400) -> Iterable[list[str]]:
    for i in range(0, len(ids), n):
        yield list(ids[i:i + n])


def _exists(db, table: str, row_id: str | None) -> bool:
    if row_id is None:
        return True
    return db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (blob(row_id),)).fetchone() is not None


class _Parked(Exception):
    """The change names a parent row this store does not hold (yet)."""


# --- customers -----------------------------------------------------------------------------------

def _bool(v) -> int:
    return 1 if v in (True, 1, "1", "true") else 0 if v in (False, 0, "0", "false") else 1


def _customer(pg: _Page, c: Pulled) -> bool:
    db, cid = pg.db, pg.canon("customer", c.entity_id)
    if pg.deleted("customer", cid):
        return False
    if c.op == "delete":
        pg.snap_owner(cid)
        db.execute("UPDATE customer SET deleted = 1 WHERE id = ?", (blob(cid),))
        pg.put_stamp("customer", cid, DELETED, c.hlc)
        pg.touched_customers.add(cid)
        return True
    fields = [f for f in (c.payload.get("fields") or CONTACT_FIELDS) if f in CONTACT_FIELDS]
    wins = [f for f in fields if c.hlc > pg.stamp("customer", cid, f)]
    if not wins:
        return False
    values = {f: (_bool(c.payload.get(f)) if f.startswith("consent_") else c.payload.get(f)) for f in wins}
    if not pg.exists("customer", cid):
        cols = ["id", *values, "consent_contact", "consent_mail", "hlc", "deleted"]
        vals = [blob(cid), *values.values(), values.get("consent_contact", 1), values.get("consent_mail", 1), c.hlc, 0]
        cols, vals = _dedupe(cols, vals)
        db.execute(f"INSERT INTO customer({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})", vals)
        pg.present["customer"].add(cid)
    else:
        sets = ", ".join(f"{f} = ?" for f in values)
        pg.snap_owner(cid)
        db.execute(f"UPDATE customer SET {sets}, hlc = max(coalesce(hlc, ''), ?) WHERE id = ?",
                   (*values.values(), c.hlc, blob(cid)))
    for f in wins:
        pg.put_stamp("customer", cid, f, c.hlc)
    pg.touched_customers.add(cid)
    return True


def _dedupe(cols: list[str], vals: list) -> tuple[list[str], list]:
    seen: dict[str, int] = {}
    out_c, out_v = [], []
    for col, v in zip(cols, vals, strict=True):
        if col in seen:
            continue
        seen[col] = 1
        out_c.append(col)
        out_v.append(v)
    return out_c, out_v


# --- vehicles ------------------------------------------------------------------------------------

def _vehicle_values(p: dict) -> list:
    return [p.get(f) for f in VEHICLE_FIELDS]


def _stored(values: list) -> tuple:
    """Vehicle values as bound: owner_id (the last field) as its 16 stored bytes."""
    return (*values[:-1], blob(values[-1]))


def _vehicle_row(db, vid: str) -> list | None:
    r = db.execute(f"SELECT {', '.join(VEHICLE_FIELDS)} FROM vehicle WHERE id = ? AND deleted = 0",
                   (blob(vid),)).fetchone()
    return list(r) if r else None


def _vehicle_twin(db, vid: str, p: dict) -> str | None:
    """Another live vehicle with the same identity (VIN, else plate among vehicles without a VIN)."""
    if p.get("vin"):
        r = db.execute("SELECT id FROM vehicle WHERE vin = ? AND deleted = 0 AND id <> ? ORDER BY id LIMIT 1",
                       (p["vin"], blob(vid))).fetchone()
    elif p.get("plate"):
        r = db.execute("SELECT id FROM vehicle WHERE plate = ? AND (vin IS NULL OR vin = '') AND deleted = 0 "
                       "AND id <> ? ORDER BY id LIMIT 1", (p["plate"], blob(vid))).fetchone()
    else:
        r = None
    return r[0] if r else None


def _children_of_vehicle(db) -> list[tuple[str, str]]:
    """(table, column) pairs that reference vehicle.id, whoever added the table."""
    out = []
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        for fk in db.execute(f"PRAGMA foreign_key_list('{name}')").fetchall():
            if fk[2] == "vehicle" and (fk[4] or "id") == "id":
                out.append((name, fk[3]))
    return out


def _vehicle(pg: _Page, c: Pulled) -> bool:
    db, vid = pg.db, pg.canon("vehicle", c.entity_id)
    if pg.deleted("vehicle", vid):
        return False
    if c.op == "delete":
        pg.snap([vid])
        db.execute("UPDATE vehicle SET deleted = 1 WHERE id = ?", (blob(vid),))
        pg.touched_vehicles.add(vid)
        pg.put_stamp("vehicle", vid, DELETED, c.hlc)
        return True
    p = dict(c.payload)
    p["owner_id"] = pg.canon("customer", p.get("owner_id"))
    if not pg.exists("customer", p["owner_id"]):
        raise _Parked
    if _vehicle_row(db, vid) is not None:
        if c.hlc <= pg.stamp("vehicle", vid, ROW):
            return False
        pg.snap([vid])
        db.execute(f"UPDATE vehicle SET {', '.join(f + ' = ?' for f in VEHICLE_FIELDS)} WHERE id = ?",
                   (*_stored(_vehicle_values(p)), blob(vid)))
        pg.put_stamp("vehicle", vid, ROW, c.hlc)
        pg.touched_vehicles.add(vid)
        return True
    twin = _vehicle_twin(db, vid, p)
    if twin is None:
        _insert_vehicle(db, vid, _vehicle_values(p), c.hlc)
        pg.present["vehicle"].add(vid)
        pg.put_stamp("vehicle", vid, ROW, c.hlc)
        pg.touched_vehicles.add(vid)
        return True
    # One vehicle, two ids (registered or imported on two counters): keep the smaller id and the
    # fields of the newer stamp.
    twin_stamp = pg.stamp("vehicle", twin, ROW)
    incoming_wins = c.hlc > twin_stamp
    newest = max(c.hlc, twin_stamp)
    if twin < vid:
        pg.put_alias("vehicle", vid, twin)
        if incoming_wins:
            pg.snap([twin])
            db.execute(f"UPDATE vehicle SET {', '.join(f + ' = ?' for f in VEHICLE_FIELDS)} WHERE id = ?",
                       (*_stored(_vehicle_values(p)), blob(twin)))
        pg.put_stamp("vehicle", twin, ROW, newest)
        pg.touched_vehicles.add(twin)
        return True
    values = _vehicle_values(p) if incoming_wins else _vehicle_row(db, twin)
    _insert_vehicle(db, vid, values, newest)
    pg.present["vehicle"].add(vid)
    for table, col in _children_of_vehicle(db):
        db.execute(f"UPDATE {table} SET {col} = ? WHERE {col} = ?", (blob(vid), blob(twin)))
    pg.snap([twin])
    db.execute("UPDATE vehicle SET deleted = 1 WHERE id = ?", (blob(twin),))
    pg.touched_vehicles.add(twin)
    pg.put_alias("vehicle", twin, vid)
    pg.put_stamp("vehicle", vid, ROW, newest)
    pg.touched_vehicles.add(vid)
    _merge_twin_terms(pg, vid)
    return True


def _insert_vehicle(db, vid: str, values: list, stamp: str) -> None:
    created = _stamp_time(stamp)
    db.execute(f"INSERT INTO vehicle(id, {', '.join(VEHICLE_FIELDS)}, created_at, deleted) "
               f"VALUES (?, {','.join('?' * len(VEHICLE_FIELDS))}, ?, 0)", (blob(vid), *_stored(values), stored(created)))


def _stamp_time(stamp: str) -> str:
    from datetime import datetime

    from desktop.core.timeutil import CST

    return datetime.fromtimestamp(HLC.parse(stamp).wall_ms / 1000, CST).isoformat(timespec="seconds")


# --- policy terms --------------------------------------------------------------------------------

_T_SELECT = f"SELECT id, {', '.join(TERM_FIELDS)} FROM policy_term"
_TERM_TIMES = frozenset(("start_at", "end_at", "as_of"))


def _term_dict(row) -> dict:
    return dict(zip(("id", *TERM_FIELDS), row, strict=True))


def _term_twin(db, tid: str, p: dict) -> dict | None:
    """A stored term with the same identity as `p` (protocol.term_identity: the import rule)."""
    if p.get("policy_no"):
        r = db.execute(f"{_T_SELECT} WHERE vehicle_id = ? AND kind = ? AND policy_no = ? AND id <> ? "
                       "ORDER BY id LIMIT 1", (blob(p["vehicle_id"]), p["kind"], p["policy_no"], blob(tid))).fetchone()
    else:
        r = db.execute(f"{_T_SELECT} WHERE vehicle_id = ? AND kind = ? AND start_at = ? AND end_at = ? "
                       "AND (policy_no IS NULL OR policy_no = '') AND id <> ? ORDER BY id LIMIT 1",
                       (blob(p["vehicle_id"]), p["kind"], stored(p.get("start_at")), stored(p.get("end_at")),
                        blob(tid))).fetchone()
    return _term_dict(r) if r else None


def _term_beats(stamp: str, source: str | None, other_stamp: str, other_source: str | None) -> bool:
    """Head office's own data beats a counter's copy; otherwise the newer stamp wins."""
    if (source == "hq") != (other_source == "hq"):
        return source == "hq"
    return stamp > other_stamp


def _term_values(p: dict, stamp: str) -> list:
    v = {f: p.get(f) for f in TERM_FIELDS}
    for f in ("premium", "float_coef", "vehicle_tax"):
        if v[f] is not None:
            v[f] = str(v[f])
    v["source"] = v["source"] or "counter"
    v["as_of"] = v["as_of"] or _stamp_time(stamp)
    return [v[f] for f in TERM_FIELDS]


def _put_term(db, tid: str, values: list, exists: bool) -> None:
    # vehicle_id (the first field) as its 16 bytes, instants as epoch seconds when exact (timecol).
    row = tuple(blob(v) if f == "vehicle_id" else stored(v) if f in _TERM_TIMES else v
                for f, v in zip(TERM_FIELDS, values, strict=True))
    if exists:
        db.execute(f"UPDATE policy_term SET {', '.join(f + ' = ?' for f in TERM_FIELDS)} WHERE id = ?",
                   (*row, blob(tid)))
    else:
        db.execute(f"INSERT INTO policy_term(id, {', '.join(TERM_FIELDS)}) "
                   f"VALUES (?, {','.join('?' * len(TERM_FIELDS))})", (blob(tid), *row))


def _term(pg: _Page, c: Pulled) -> bool:
    db, tid = pg.db, pg.canon("policy_term", c.entity_id)
    if pg.deleted("policy_term", tid):
        return False
    if c.op == "delete":
        db.execute("DELETE FROM policy_term WHERE id = ?", (blob(tid),))
        pg.put_stamp("policy_term", tid, DELETED, c.hlc)
        return True
    p = dict(c.payload)
    p["vehicle_id"] = pg.canon("vehicle", p.get("vehicle_id"))
    if not pg.exists("vehicle", p["vehicle_id"]):
        raise _Parked
    r = db.execute(f"{_T_SELECT} WHERE id = ?", (blob(tid),)).fetchone()
    if r is not None:
        mine = _term_dict(r)
        if not _term_beats(c.hlc, p.get("source"), pg.stamp("policy_term", tid, ROW), mine["source"]):
            return False
        _put_term(db, tid, _term_values(p, c.hlc), True)
        pg.put_stamp("policy_term", tid, ROW, c.hlc)
        return True
    twin = _term_twin(db, tid, p)
    if twin is None:
        _put_term(db, tid, _term_values(p, c.hlc), False)
        pg.put_stamp("policy_term", tid, ROW, c.hlc)
        return True
    _merge_terms(pg, tid, _term_values(p, c.hlc), c.hlc, twin)
    return True


def _merge_terms(pg: _Page, tid: str, values: list, stamp: str, twin: dict) -> None:
    """The same term under two ids (imported on two counters): one row, the smaller id."""
    db = pg.db
    twin_stamp = pg.stamp("policy_term", twin["id"], ROW)
    source = values[TERM_FIELDS.index("source")]
    incoming_wins = _term_beats(stamp, source, twin_stamp, twin["source"])
    winner = values if incoming_wins else [twin[f] for f in TERM_FIELDS]
    newest = max(stamp, twin_stamp)
    if twin["id"] < tid:
        pg.put_alias("policy_term", tid, twin["id"])
        if incoming_wins:
            _put_term(db, twin["id"], winner, True)
        pg.put_stamp("policy_term", twin["id"], ROW, newest)
    else:
        db.execute("DELETE FROM policy_term WHERE id = ?", (blob(twin["id"]),))
        _put_term(db, tid, winner, False)
        pg.put_alias("policy_term", twin["id"], tid)
        pg.put_stamp("policy_term", tid, ROW, newest)


def _merge_twin_terms(pg: _Page, vehicle_id: str) -> None:
    """After two vehicles became one, terms that were the same term on each become one too."""
    db = pg.db
    rows = [_term_dict(r) for r in db.execute(f"{_T_SELECT} WHERE vehicle_id = ? ORDER BY id", (blob(vehicle_id),))]
    kept: dict[tuple, dict] = {}
    for t in rows:
        ident = ((t["kind"], t["policy_no"]) if t["policy_no"] else (t["kind"], None, t["start_at"], t["end_at"]))
        if ident not in kept:
            kept[ident] = t
            continue
        first = kept[ident]  # the smaller id (ORDER BY id): it stays
        t_stamp, f_stamp = pg.stamp("policy_term", t["id"], ROW), pg.stamp("policy_term", first["id"], ROW)
        if _term_beats(t_stamp, t["source"], f_stamp, first["source"]):
            _put_term(db, first["id"], [t[f] if f != "vehicle_id" else vehicle_id for f in TERM_FIELDS], True)
        db.execute("DELETE FROM policy_term WHERE id = ?", (blob(t["id"]),))
        pg.put_alias("policy_term", t["id"], first["id"])
        pg.put_stamp("policy_term", first["id"], ROW, max(t_stamp, f_stamp) or f_stamp)


# --- events --------------------------------------------------------------------------------------

def _event(pg: _Page, c: Pulled) -> bool:
    if c.op == "delete":
        return False  # append-only: head office refuses these; a correction is a new event
    db, p = pg.db, c.payload
    vid = pg.canon("vehicle", p.get("vehicle_id"))
    if not pg.exists("vehicle", vid):
        raise _Parked
    detail = p.get("detail")
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    cur = db.execute("INSERT OR IGNORE INTO event(id, vehicle_id, kind, outcome, detail, note, staff, at, corrects) "
                     "VALUES (?,?,?,?,?,?,?,?,?)",
                     (blob(c.entity_id), blob(vid), p.get("kind"), p.get("outcome"), detail, p.get("note"),
                      p.get("staff"), p.get("at"), blob(p.get("corrects"))))
    return cur.rowcount > 0


_APPLY: dict[str, Callable[[_Page, Pulled], bool]] = {
    "customer": _customer, "vehicle": _vehicle, "policy_term": _term, "event": _event}


# --- pages ---------------------------------------------------------------------------------------

def _rekey(pg: _Page) -> set[str]:
    db = pg.db
    vids = set(pg.touched_vehicles)
    for chunk in _chunks(sorted(pg.touched_customers)):
        marks = ",".join("?" * len(chunk))
        vids.update(r[0] for r in db.execute(f"SELECT id FROM vehicle WHERE owner_id IN ({marks})", blobs(chunk)))
    for chunk in _chunks(sorted(vids)):
        marks = ",".join("?" * len(chunk))
        rows = db.execute("SELECT v.id, v.plate, v.vin, v.deleted, c.name, c.phone, c.id_number FROM vehicle v "
                          f"LEFT JOIN customer c ON c.id = v.owner_id WHERE v.id IN ({marks})", blobs(chunk)).fetchall()
        for vid, plate, vin, deleted, name, phone, id_number in rows:
            old = pg.old_keys.get(vid)
            if old:  # the keys as they were before this page (search_key has no index by vehicle)
                db.executemany("DELETE FROM search_key WHERE key = ? AND vehicle_id = ?", old)
            if not deleted:  # the one derivation the counter and the importer use too
                write_search_keys(db, vid, plate, vin, name, phone, id_number, replace=False)
    return vids


def apply_changes(db, changes: Sequence[Pulled], device_id: str | None) -> ApplyResult:
    """Apply one page inside the caller's transaction (through its DBAPI connection `db`).

    The device's own changes are skipped (they are here already); a change already applied is a
    no-op, so a page may be applied twice (a snapshot overlapping the feed) without harm."""
    out = ApplyResult()
    parked_rows = db.execute("SELECT id, change FROM sync_parked ORDER BY id").fetchall()
    parked = [(r[0], Pulled.of(json.loads(r[1]))) for r in parked_rows]
    todo = [c for c in changes if not (device_id and c.device_id == device_id)]
    out.skipped += len(changes) - len(todo)
    pg = _Page(db, device_id, todo + [p for _, p in parked])
    for c in todo:
        if out.max_hlc is None or c.hlc > out.max_hlc:
            out.max_hlc = c.hlc
        try:
            if _APPLY[c.entity](pg, c):
                out.applied += 1
            else:
                out.skipped += 1
        except _Parked:
            db.execute("INSERT INTO sync_parked(server_seq, change) VALUES (?, ?)", (c.server_seq, c.to_json()))
            out.parked += 1
    # Parked changes whose parent has arrived go in now (oldest first); the rest keep waiting.
    for row_id, c in parked:
        try:
            _APPLY[c.entity](pg, c)
        except _Parked:
            continue
        db.execute("DELETE FROM sync_parked WHERE id = ?", (row_id,))
    pg.flush_stamps()
    out.parked = db.execute("SELECT count(*) FROM sync_parked").fetchone()[0]
    out.vehicles = _rekey(pg)
    return out
