"""The state one pulled page is applied with (desktop.store.sync_apply): the changes as pulled, the
result, and the page's caches — local stamps (what was pulled, and what this counter wrote itself,
its own outbox rows), aliases of merged rows, parent rows present, search keys before the page.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from desktop.core.hlc import HLC

from . import search_index
from .uuidcol import blob, blobs, text_of

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
    change_id: str = ""  # "" for a snapshot row

    @classmethod
    def of(cls, d: dict) -> Pulled:
        return cls(int(d.get("server_seq") or 0), d.get("device_id") or "", d["entity"], d["entity_id"],
                   d["op"], d.get("payload") or {}, d["hlc"], str(d.get("change_id") or ""))

    def to_json(self) -> str:
        return json.dumps({"server_seq": self.server_seq, "device_id": self.device_id, "entity": self.entity,
                           "entity_id": self.entity_id, "op": self.op, "payload": self.payload,
                           "hlc": self.hlc, "change_id": self.change_id}, ensure_ascii=False)


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


class Page:
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
        self._loaded: set[str] = set()  # ids whose stored stamps are in self.stamps
        ids = sorted({c.entity_id for c in changes} | {str(c.payload.get("vehicle_id")) for c in changes
                                                        if c.payload.get("vehicle_id")})
        self._load(ids)
        self._preload(changes)

    def _load(self, ids: list[str]) -> None:
        db = self.db
        for chunk in chunks(ids):
            marks = ",".join("?" * len(chunk))
            for ent, alias_id, canon in db.execute(
                    f"SELECT entity, alias_id, canonical_id FROM sync_alias WHERE alias_id IN ({marks})", chunk):
                self.alias[(ent, alias_id)] = canon
        self.load_stamps(set(ids) | set(self.alias.values()))

    def load_stamps(self, ids: Iterable[str]) -> None:
        """Bring in the stored stamps (pulled ones and this counter's own outbox rows) of rows the
        page did not name: a twin found by identity is often this counter's own row, and its stamp
        decides which copy's fields win."""
        db = self.db
        targets = sorted(set(ids) - self._loaded)
        self._loaded.update(targets)
        for chunk in chunks(targets):
            marks = ",".join("?" * len(chunk))
            for ent, eid, fld, stamp in db.execute(
                    f"SELECT entity, entity_id, field, hlc FROM sync_stamp WHERE entity_id IN ({marks})", chunk):
                self._note(ent, eid, fld, stamp)
            # What this counter wrote itself: every outbox row of these entities, whatever its state.
            for ent, eid, op, payload, stamp in db.execute(
                    f"SELECT entity, entity_id, op, payload, hlc FROM outbox WHERE entity_id IN ({marks})", chunk):
                own = _as_own(stamp, self.device_id)
                if op == "delete":  # our own tombstone: as final here as a pulled one
                    self._note(ent, eid, DELETED, own)
                elif ent == "customer":
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
            for chunk in chunks(sorted(ids)):
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


def chunks(ids: Sequence[str], n: int = 400) -> Iterable[list[str]]:
    for i in range(0, len(ids), n):
        yield list(ids[i:i + n])


def _exists(db, table: str, row_id: str | None) -> bool:
    if row_id is None:
        return True
    return db.execute(f"SELECT 1 FROM {table} WHERE id = ?", (blob(row_id),)).fetchone() is not None


class Parked(Exception):
    """The change names a parent row this store does not hold (yet)."""


def stamp_time(stamp: str) -> str:
    """The wall time of an HLC stamp as UTC+8 ISO text (a pulled row's created_at / as_of)."""
    from datetime import datetime

    from desktop.core.timeutil import CST

    return datetime.fromtimestamp(HLC.parse(stamp).wall_ms / 1000, CST).isoformat(timespec="seconds")

