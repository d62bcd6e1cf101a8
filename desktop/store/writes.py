"""The one way a customer, vehicle, policy term or event row is written (DESIGN §2, §6).

Counter (record, register), import, demo and sync all write through these functions. Each takes a
sequence of rows (one row is a one-element tuple; an import passes thousands, for one executemany)
and an optional `outbox.Changes`: with it, every row written also queues one outbox change whose
payload is the whole row (`*_payload`, the wire shape of desktop/sync/protocol.py), in the caller's
transaction; without it (rows pulled from head office, demo data that must never reach head office)
nothing is queued. Search keys are derived from the rows and never sent.

They take a SQLAlchemy Connection or the DBAPI connection under it, inside an open transaction.
Ids are UUID strings here and 16-byte BLOBs in the store (desktop.store.uuidcol.blob at each bind).
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from json.encoder import encode_basestring as _encode_str

from desktop.core.errors import BadInput

from . import search_index
from .outbox import Changes, driver, payload_json
from .records import CustomerRec, EventRec, TermRec, VehicleRec, iso
from .sourcecol import stored as stored_source
from .timecol import stored
from .uuidcol import blob

CONTACT_FIELDS = ("name", "phone", "id_number", "address", "consent_contact", "consent_mail", "notes")
_KEY_FIELDS = frozenset(("name", "phone", "id_number"))  # the customer fields search keys come from

_CUSTOMER_INSERT = ("INSERT INTO customer(id, name, phone, id_number, address, consent_contact, consent_mail, "
                    "notes, hlc, updated_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,0)")
_CUSTOMER_UPDATE = ("UPDATE customer SET name = ?, phone = ?, id_number = ?, address = ?, consent_contact = ?, "
                    "consent_mail = ?, notes = ?, hlc = COALESCE(?, hlc), updated_at = ? WHERE id = ?")
_VEHICLE_INSERT = ("INSERT INTO vehicle(id, plate, vin, owner_id, vehicle_class, use, seats, energy, registered_on, "
                   "created_at, deleted) VALUES (?,?,?,?,?,?,?,?,?,?,0)")
_VEHICLE_UPDATE = ("UPDATE vehicle SET plate = ?, vin = ?, owner_id = ?, vehicle_class = ?, use = ?, seats = ?, "
                   "energy = ?, registered_on = ? WHERE id = ?")
_TERM_INSERT = ("INSERT INTO policy_term(id, vehicle_id, kind, insurer, policy_no, start_at, end_at, premium, "
                "float_coef, vehicle_tax, source, as_of, verified_by) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)")
_EVENT_INSERT = ("INSERT INTO event(id, vehicle_id, kind, outcome, detail, note, staff, at, corrects) "
                 "VALUES (?,?,?,?,?,?,?,?,?)")


# -- payloads: the whole row as JSON (protocol.md); search keys are never part of them ------------
def customer_payload(c: CustomerRec, fields: Sequence[str] | None = None) -> dict:
    p = {"id": c.id, "name": c.name, "phone": c.phone, "id_number": c.id_number, "address": c.address,
         "consent_contact": bool(c.consent_contact), "consent_mail": bool(c.consent_mail), "notes": c.notes}
    p["fields"] = list(fields) if fields is not None else list(CONTACT_FIELDS)
    return p


def vehicle_payload(v: VehicleRec) -> dict:
    return {"id": v.id, "plate": v.plate, "vin": v.vin, "vehicle_class": v.vehicle_class, "use": v.use,
            "seats": v.seats, "energy": v.energy, "registered_on": v.registered_on, "owner_id": v.owner_id}


def term_payload(t: TermRec) -> dict:
    return {"id": t.id, "vehicle_id": t.vehicle_id, "kind": t.kind, "insurer": t.insurer, "policy_no": t.policy_no,
            "start_at": t.start_at, "end_at": t.end_at, "premium": t.premium, "float_coef": t.float_coef,
            "vehicle_tax": t.vehicle_tax, "source": t.source, "as_of": t.as_of, "verified_by": t.verified_by}


def event_payload(e: EventRec) -> dict:
    detail = e.detail
    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            pass  # free text stays text
    return {"id": e.id, "vehicle_id": e.vehicle_id, "kind": e.kind, "outcome": e.outcome, "detail": detail,
            "note": e.note, "staff": e.staff, "at": iso(e.at), "corrects": e.corrects}


# -- the same payloads straight to their JSON text (what outbox.payload_json makes of the dicts
# above, byte for byte): an import queues a payload per row and per new car and owner, 2×10⁵ per
# 10⁵ rows, and the dict-then-encode round costs ~3x this. A value of another type than the
# row's usual ones (text or null; seats a number) takes the dict path instead.
class _Other(Exception):
    pass


def _s(v) -> str:
    if v.__class__ is str:
        return _encode_str(v)
    if v is None:
        return "null"
    raise _Other


def term_json(t: TermRec) -> str:
    # The fields a term always has go straight to the C encoder (a TypeError: not text, the dict way).
    e = _encode_str
    try:
        return (f'{{"id":{e(t.id)},"vehicle_id":{e(t.vehicle_id)},"kind":{e(t.kind)},"insurer":{_s(t.insurer)},'
                f'"policy_no":{_s(t.policy_no)},"start_at":{e(t.start_at)},"end_at":{e(t.end_at)},'
                f'"premium":{_s(t.premium)},"float_coef":{_s(t.float_coef)},"vehicle_tax":{_s(t.vehicle_tax)},'
                f'"source":{e(t.source)},"as_of":{_s(t.as_of)},"verified_by":{_s(t.verified_by)}}}')
    except (_Other, TypeError):
        return payload_json(term_payload(t))


def vehicle_json(v: VehicleRec) -> str:
    seats = v.seats
    try:
        if seats is not None and seats.__class__ is not int:
            raise _Other
        return (f'{{"id":{_s(v.id)},"plate":{_s(v.plate)},"vin":{_s(v.vin)},"vehicle_class":{_s(v.vehicle_class)},'
                f'"use":{_s(v.use)},"seats":{"null" if seats is None else int.__repr__(seats)},'
                f'"energy":{_s(v.energy)},"registered_on":{_s(v.registered_on)},"owner_id":{_s(v.owner_id)}}}')
    except _Other:
        return payload_json(vehicle_payload(v))


_ALL_FIELDS = "[" + ",".join(map(_encode_str, CONTACT_FIELDS)) + "]"


def customer_json(c: CustomerRec) -> str:
    """The payload of a new customer (every contact field set)."""
    try:
        if c.consent_contact.__class__ is not bool or c.consent_mail.__class__ is not bool:
            raise _Other
        return (f'{{"id":{_s(c.id)},"name":{_s(c.name)},"phone":{_s(c.phone)},"id_number":{_s(c.id_number)},'
                f'"address":{_s(c.address)},"consent_contact":{"true" if c.consent_contact else "false"},'
                f'"consent_mail":{"true" if c.consent_mail else "false"},"notes":{_s(c.notes)},'
                f'"fields":{_ALL_FIELDS}}}')
    except _Other:
        return payload_json(customer_payload(c))


def _at(at: datetime | str | None) -> str | None:
    return at if isinstance(at, str) or at is None else iso(at)


def _row_time(at_s: str | None) -> str | int | None:
    """vehicle.created_at / customer.updated_at as stored (epoch seconds since migration 0014,
    timecol); a text naming no instant is kept as it is (no one reads it to compute)."""
    try:
        return stored(at_s)
    except ValueError:
        return at_s


# -- writes --------------------------------------------------------------------------------------
def insert_customers(conn, rows: Iterable[CustomerRec], at: datetime | str, changes: Changes | None = None,
                     hlc: str | None = None) -> None:
    """New customers. `hlc`: the remote stamp of a pulled row (local rows take their change's stamp)."""
    at_s = _row_time(_at(at))
    params = []
    for c in rows:
        stamp = changes.add("customer", "upsert", c.id, customer_json(c)) if changes is not None else hlc
        params.append((blob(c.id), c.name, c.phone, c.id_number, c.address, int(c.consent_contact),
                       int(c.consent_mail), c.notes, stamp, at_s))
    driver(conn).executemany(_CUSTOMER_INSERT, params)


def update_customers(conn, rows: Iterable[tuple[CustomerRec, Sequence[str]]], at: datetime | str,
                     changes: Changes | None = None, hlc: str | None = None) -> None:
    """Stored customers as a whole new row each, with the contact fields this change sets (the
    receivers' per-field last-writer-wins goes by them)."""
    at_s = _row_time(_at(at))
    params, keyed = [], []
    for c, fields in rows:
        stamp = changes.add("customer", "upsert", c.id, customer_payload(c, fields)) if changes is not None else hlc
        params.append((c.name, c.phone, c.id_number, c.address, int(c.consent_contact), int(c.consent_mail),
                       c.notes, stamp, at_s, blob(c.id)))
        if _KEY_FIELDS.intersection(fields):
            keyed.append(c.id)
    db = driver(conn)
    # Their vehicles' search keys follow the name, phone and ID: dropped as derived from the old
    # rows, added from the new ones.
    vids = search_index.vehicles_of_owners(db, keyed) if keyed else []
    search_index.drop(db, vids)
    db.executemany(_CUSTOMER_UPDATE, params)
    search_index.add(db, vids)


def insert_vehicles(conn, rows: Iterable[VehicleRec], at: datetime | str, changes: Changes | None = None) -> None:
    at_s = _row_time(_at(at))
    params = []
    for v in rows:
        if changes is not None:
            changes.add("vehicle", "upsert", v.id, vehicle_json(v))
        params.append((blob(v.id), v.plate, v.vin, blob(v.owner_id), v.vehicle_class, v.use, v.seats, v.energy,
                       v.registered_on, at_s))
    driver(conn).executemany(_VEHICLE_INSERT, params)


def update_vehicles(conn, rows: Iterable[VehicleRec], changes: Changes | None = None) -> None:
    params, vids = [], []
    for v in rows:
        if changes is not None:
            changes.add("vehicle", "upsert", v.id, vehicle_json(v))
        params.append((v.plate, v.vin, blob(v.owner_id), v.vehicle_class, v.use, v.seats, v.energy, v.registered_on,
                       blob(v.id)))
        vids.append(v.id)
    db = driver(conn)
    search_index.drop(db, vids)  # plate, VIN or owner may change: keys as the old rows gave them
    db.executemany(_VEHICLE_UPDATE, params)
    search_index.add(db, vids)


def insert_terms(conn, rows: Iterable[TermRec], changes: Changes | None = None) -> None:
    params = []
    # Instants as epoch seconds when exact (desktop.store.timecol). A batch holds a few hundred
    # distinct days and one as_of: each text is converted once (an import has 3×10⁵ of them).
    epoch: dict[str, str | int | None] = {}

    def seconds(text: str | None) -> str | int | None:
        got = epoch.get(text)  # type: ignore[arg-type]
        if got is None:
            got = epoch[text] = stored(text)  # type: ignore[index]
        return got

    sources: dict[str, str | bytes | None] = {}  # one batch's source: "import:<uuid>" as 17 bytes (sourcecol)

    def source(text: str | None) -> str | bytes | None:
        got = sources.get(text)  # type: ignore[arg-type]
        if got is None:
            got = sources[text] = stored_source(text)  # type: ignore[index]
        return got

    for t in rows:
        if changes is not None:
            changes.add("policy_term", "upsert", t.id, term_json(t))
        params.append((blob(t.id), blob(t.vehicle_id), t.kind, t.insurer, t.policy_no, seconds(t.start_at),
                       seconds(t.end_at), t.premium, t.float_coef, t.vehicle_tax, source(t.source), seconds(t.as_of),
                       t.verified_by))
    driver(conn).executemany(_TERM_INSERT, params)


MAX_NOTE = 4000  # = desktop.sync.protocol.MAX_TEXT (store may not import sync; a test keeps them equal)


def insert_events(conn, rows: Iterable[EventRec], changes: Changes | None = None) -> None:
    """Events are append-only: a correction is a new event naming the one it corrects."""
    params = []
    for e in rows:
        if e.note and len(e.note) > MAX_NOTE:  # head office would answer rejected:bad_text:note
            raise BadInput(f"备注太长（{len(e.note)} 字）：最多 {MAX_NOTE} 字，请精简后再保存。")
        if changes is not None:
            changes.add("event", "upsert", e.id, event_payload(e))
        params.append((blob(e.id), blob(e.vehicle_id), e.kind, e.outcome, e.detail, e.note, e.staff, iso(e.at),
                       blob(e.corrects)))
    driver(conn).executemany(_EVENT_INSERT, params)


def tombstone(conn, entity: str, ids: Iterable[str], changes: Changes | None = None) -> None:
    """Delete rows the sync way. Customers and vehicles keep a tombstone row (deleted = 1; a
    vehicle also loses its search keys, so lookups stop finding it); a policy term has no deleted
    flag and its row goes (the tombstone lives in the outbox and at head office: the duplicate of
    a term that converged to the smaller id). Events are append-only and are never deleted."""
    ids = list(ids)
    db = driver(conn)
    stored = [(blob(i),) for i in ids]
    if entity == "customer":
        db.executemany("UPDATE customer SET deleted = 1 WHERE id = ?", stored)
    elif entity == "vehicle":
        search_index.drop(db, ids)
        db.executemany("UPDATE vehicle SET deleted = 1 WHERE id = ?", stored)
    elif entity == "policy_term":
        db.executemany("DELETE FROM policy_term WHERE id = ?", stored)
    else:
        raise ValueError(f"cannot delete a row of {entity}")
    if changes is not None:
        for i in ids:
            changes.add(entity, "delete", i, {"id": i})
