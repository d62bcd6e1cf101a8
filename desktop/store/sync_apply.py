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
sync_parked and is retried after every page; one whose vehicle is a tombstone is dropped (that
parent never comes: a counter built from the snapshot holds a deleted vehicle as its stamp only). Search keys are derived here, never received.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from .sync_page import (  # noqa: F401 - Pulled, ApplyResult and the field lists are this module's API too
    CONTACT_FIELDS,
    DELETED,
    ROW,
    TERM_FIELDS,
    VEHICLE_FIELDS,
    ApplyResult,
    Page,
    Parked,
    Pulled,
    chunks,
    stamp_time,
)
from .sync_terms import apply_term, merge_twin_terms
from .timecol import stored
from .uuidcol import blob, blobs
from .vehicles_repo import write_search_keys

# --- customers -----------------------------------------------------------------------------------

def _bool(v) -> int:
    return 1 if v in (True, 1, "1", "true") else 0 if v in (False, 0, "0", "false") else 1


def _customer(pg: Page, c: Pulled) -> bool:
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


def _vehicle(pg: Page, c: Pulled) -> bool:
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
        raise Parked
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
    pg.load_stamps([twin])
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
    merge_twin_terms(pg, vid)
    return True


def _insert_vehicle(db, vid: str, values: list, stamp: str) -> None:
    created = stamp_time(stamp)
    db.execute(f"INSERT INTO vehicle(id, {', '.join(VEHICLE_FIELDS)}, created_at, deleted) "
               f"VALUES (?, {','.join('?' * len(VEHICLE_FIELDS))}, ?, 0)", (blob(vid), *_stored(values), stored(created)))



# --- events --------------------------------------------------------------------------------------

def _event(pg: Page, c: Pulled) -> bool:
    if c.op == "delete":
        return False  # append-only: head office refuses these; a correction is a new event
    db, p = pg.db, c.payload
    vid = pg.canon("vehicle", p.get("vehicle_id"))
    if vid is not None and pg.deleted("vehicle", vid):
        return False  # a tombstone is final: its vehicle never comes back to wait for
    if not pg.exists("vehicle", vid):
        raise Parked
    detail = p.get("detail")
    if detail is not None and not isinstance(detail, str):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    cur = db.execute("INSERT OR IGNORE INTO event(id, vehicle_id, kind, outcome, detail, note, staff, at, corrects) "
                     "VALUES (?,?,?,?,?,?,?,?,?)",
                     (blob(c.entity_id), blob(vid), p.get("kind"), p.get("outcome"), detail, p.get("note"),
                      p.get("staff"), p.get("at"), blob(p.get("corrects"))))
    return cur.rowcount > 0


_APPLY: dict[str, Callable[[Page, Pulled], bool]] = {
    "customer": _customer, "vehicle": _vehicle, "policy_term": apply_term, "event": _event}


# --- pages ---------------------------------------------------------------------------------------

def _rekey(pg: Page) -> set[str]:
    db = pg.db
    vids = set(pg.touched_vehicles)
    for chunk in chunks(sorted(pg.touched_customers)):
        marks = ",".join("?" * len(chunk))
        vids.update(r[0] for r in db.execute(f"SELECT id FROM vehicle WHERE owner_id IN ({marks})", blobs(chunk)))
    for chunk in chunks(sorted(vids)):
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


def _own_held(db, own: Sequence[Pulled]) -> set[str]:
    """Which of this device's own pulled changes its outbox holds (a change without an id: all)."""
    held = {c.change_id for c in own if not c.change_id}
    ids = [c.change_id for c in own if c.change_id]
    for i in range(0, len(ids), 400):
        chunk = ids[i:i + 400]
        held.update(r[0] for r in db.execute(
            f"SELECT change_id FROM outbox WHERE change_id IN ({','.join('?' * len(chunk))})", chunk))
    return held


def apply_changes(db, changes: Sequence[Pulled], device_id: str | None) -> ApplyResult:
    """Apply one page inside the caller's transaction (through its DBAPI connection `db`).

    The device's own changes are skipped when its outbox holds them (they are here already); one it
    does not hold is applied like any other: a counter restored from an older backup lost those
    writes locally, and head office's feed is the only copy left. A change already applied is a
    no-op, so a page may be applied twice (a snapshot overlapping the feed) without harm."""
    out = ApplyResult()
    parked_rows = db.execute("SELECT id, change FROM sync_parked ORDER BY id").fetchall()
    parked = [(r[0], Pulled.of(json.loads(r[1]))) for r in parked_rows]
    held = _own_held(db, [c for c in changes if device_id and c.device_id == device_id])
    todo = [c for c in changes if not (device_id and c.device_id == device_id and c.change_id in held)]
    out.skipped += len(changes) - len(todo)
    pg = Page(db, device_id, todo + [p for _, p in parked])
    for c in todo:
        if out.max_hlc is None or c.hlc > out.max_hlc:
            out.max_hlc = c.hlc
        try:
            if _APPLY[c.entity](pg, c):
                out.applied += 1
            else:
                out.skipped += 1
        except Parked:
            db.execute("INSERT INTO sync_parked(server_seq, change) VALUES (?, ?)", (c.server_seq, c.to_json()))
            out.parked += 1
    # Parked changes whose parent has arrived go in now (oldest first); the rest keep waiting.
    for row_id, c in parked:
        try:
            _APPLY[c.entity](pg, c)
        except Parked:
            continue
        db.execute("DELETE FROM sync_parked WHERE id = ?", (row_id,))
    pg.flush_stamps()
    out.parked = db.execute("SELECT count(*) FROM sync_parked").fetchone()[0]
    out.vehicles = _rekey(pg)
    return out
