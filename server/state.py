"""Materialised current state: each applied change folded into one row per entity (DESIGN §6 rules).

- customer: last-writer-wins by HLC per contact field (over the fields a change lists);
- vehicle: last-writer-wins by HLC for the whole row; two ids with one identity (VIN, else plate)
  converge on the smaller id, the other becomes an alias;
- policy_term: identity (vehicle, kind, policy_no) else (vehicle, kind, start, end), converging the
  same way; a row whose source is `hq` wins over counter copies, otherwise last writer wins;
- event: append-only, the first copy of an id stays;
- delete: a tombstone that wins when its stamp is newer than everything the row has seen.
Rows are loaded in bulk for a push and written back in bulk, so a 500-change push costs a handful
of statements, not thousands.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Connection, String, and_, any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY

from desktop.sync.protocol import CONTACT_FIELDS, Change, term_identity, vehicle_identity

from .db import bulk_insert
from .schema import alias, state

_CHUNK = 400


def dumps(obj: object) -> str:
    # ASCII-escaped: a lone surrogate or NUL from a client can never break a PostgreSQL text column.
    return json.dumps(obj, ensure_ascii=True, separators=(",", ":"))


@dataclass
class Row:
    entity: str
    id: str
    ord: int
    payload: dict
    hlc: str
    field_hlc: dict | None
    ident: str | None
    deleted: bool
    updated_seq: int
    new: bool = False
    dirty: bool = False
    extra: dict = field(default_factory=dict)


def _chunks(items: list, n: int = _CHUNK) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


def in_list(conn: Connection, col, values: list[str]):  # noqa: ANN001, ANN201
    """`col IN values`: one array parameter on PostgreSQL (one plan, no 500-parameter statement to parse)."""
    if conn.dialect.name == "postgresql":
        return col == any_(bindparam(None, list(values), type_=ARRAY(String)))
    return col.in_(values)


def _by_entity(keys: list[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for e, k in keys:
        out.setdefault(e, []).append(k)
    return out


class Materialiser:
    """Folds one push's applied changes into `state` inside the push's transaction."""

    def __init__(self, conn: Connection, now_ms: int) -> None:
        self.conn = conn
        self.now_ms = now_ms
        self.rows: dict[tuple[str, str], Row] = {}
        self.aliases: dict[tuple[str, str], str] = {}
        self.by_ident: dict[tuple[str, str], str] = {}
        self.removed: list[tuple[str, str]] = []
        self.new_aliases: dict[tuple[str, str], str] = {}
        self.looked_up: set[tuple[str, str, str]] = set()  # (column, entity, key) already queried
        self.chunk = 5000 if conn.dialect.name == "postgresql" else _CHUNK
        self.next_ord = (conn.execute(select(func.max(state.c.ord))).scalar() or 0) + 1

    # --- bulk loading ----------------------------------------------------------------------------
    def preload(self, changes: list[Change]) -> None:
        keys = {(c.entity, c.entity_id) for c in changes}
        keys |= {("vehicle", c.payload["vehicle_id"]) for c in changes
                 if c.entity in ("policy_term", "event") and isinstance(c.payload.get("vehicle_id"), str)}
        self._load_aliases(sorted(keys))
        keys |= {(e, self.aliases[(e, i)]) for e, i in keys if (e, i) in self.aliases}
        self._load_rows(state.c.entity, state.c.id, sorted(keys))
        idents = set()
        for c in changes:
            if c.op == "upsert" and c.entity in ("vehicle", "policy_term"):
                idents.add((c.entity, self._ident(c.entity, self._mapped(c.entity, c.payload))))
        self._load_rows(state.c.entity, state.c.ident, sorted(idents))

    def _load_aliases(self, keys: list[tuple[str, str]]) -> None:
        for entity, ids in _by_entity(keys).items():
            for part in _chunks(ids, self.chunk):
                q = select(alias.c.alias_id, alias.c.canonical_id).where(
                    and_(alias.c.entity == entity, in_list(self.conn, alias.c.alias_id, part)))
                for a, canon in self.conn.execute(q):
                    self.aliases[(entity, a)] = canon

    def _load_rows(self, col_entity, col_key, keys: list[tuple[str, str]]) -> None:  # noqa: ANN001
        keys = [k for k in keys if (col_key.name, *k) not in self.looked_up]
        self.looked_up.update((col_key.name, *k) for k in keys)
        rows = []
        for entity, values in _by_entity(keys).items():
            for part in _chunks(values, self.chunk):
                q = select(state).where(and_(col_entity == entity, in_list(self.conn, col_key, part)))
                rows += self.conn.execute(q).mappings().all()
        for r in rows:
            if (r["entity"], r["id"]) in self.rows:
                continue
            self._keep(Row(r["entity"], r["id"], r["ord"], json.loads(r["payload"]), r["hlc"],
                           json.loads(r["field_hlc"]) if r["field_hlc"] else None, r["ident"],
                           bool(r["deleted"]), r["updated_seq"]))

    def _keep(self, row: Row) -> None:
        self.rows[(row.entity, row.id)] = row
        if row.ident is not None:
            self.by_ident.setdefault((row.entity, row.ident), row.id)

    def _get(self, entity: str, id_: str) -> Row | None:
        row = self.rows.get((entity, id_))
        if row is None:
            self._load_rows(state.c.entity, state.c.id, [(entity, id_)])
            row = self.rows.get((entity, id_))
        return row

    def _find_ident(self, entity: str, ident: str) -> Row | None:
        rid = self.by_ident.get((entity, ident))
        if rid is None:
            self._load_rows(state.c.entity, state.c.ident, [(entity, ident)])
            rid = self.by_ident.get((entity, ident))
        return self.rows.get((entity, rid)) if rid else None

    # --- id mapping and identity -----------------------------------------------------------------
    def _canon(self, entity: str, id_: str) -> str:
        return self.aliases.get((entity, id_), id_)

    def _mapped(self, entity: str, payload: dict) -> dict:
        p = dict(payload)
        p.pop("fields", None)
        if entity in ("policy_term", "event") and isinstance(p.get("vehicle_id"), str):
            p["vehicle_id"] = self._canon("vehicle", p["vehicle_id"])
        return p

    @staticmethod
    def _ident(entity: str, payload: dict) -> str:
        key = vehicle_identity(payload) if entity == "vehicle" else term_identity(payload)
        return dumps(list(key))

    # --- folding ---------------------------------------------------------------------------------
    def apply(self, c: Change, server_seq: int) -> None:
        entity = c.entity
        cid = self._canon(entity, c.entity_id)
        if c.op == "delete":
            self._delete(entity, cid, c.hlc, server_seq)
            return
        p = self._mapped(entity, c.payload)
        if entity == "customer":
            self._customer(cid, c.payload, c.hlc, server_seq)
        elif entity == "event":
            if self._get(entity, cid) is None:
                self._insert(entity, cid, p, c.hlc, None, self._ref(p), server_seq)
        else:
            ident = self._ident(entity, p)
            row = self._get(entity, cid)
            if row is None:
                other = self._find_ident(entity, ident)
                if other is not None and other.id != cid:
                    row = self._converge(entity, cid, other, server_seq)
                    cid = row.id
            if row is None:
                self._insert(entity, cid, p | {"id": cid}, c.hlc, None, ident, server_seq)
            else:
                self._merge_whole(row, p | {"id": row.id}, c.hlc, ident, server_seq)

    @staticmethod
    def _ref(p: dict) -> str | None:
        # An event's "ident" records the vehicle it belongs to, so a converging vehicle can find it.
        return dumps([p["vehicle_id"]]) if isinstance(p.get("vehicle_id"), str) else None

    def _converge(self, entity: str, cid: str, other: Row, seq: int) -> Row:
        """Two ids share an identity: the smaller id is kept, the other is an alias of it."""
        if other.id < cid:
            self._alias(entity, cid, other.id)
            kept = other
        else:  # the newcomer's id is smaller: the stored row moves to it
            self._retire(other, cid)
            kept = Row(entity, cid, self.next_ord, other.payload | {"id": cid}, other.hlc, other.field_hlc,
                       other.ident, other.deleted, seq, new=True)
            self.next_ord += 1
            self.rows[(entity, cid)] = kept
            self.by_ident[(entity, other.ident)] = cid
        if entity == "vehicle":
            self._repoint(other.id if kept.id == cid else cid, kept.id, seq)
        return kept

    def _retire(self, row: Row, canonical: str) -> None:
        """`row` stops existing under its own id: it becomes an alias of `canonical`."""
        entity = row.entity
        self._alias(entity, row.id, canonical)
        self.conn.execute(alias.update().where(and_(alias.c.entity == entity, alias.c.canonical_id == row.id))
                          .values(canonical_id=canonical))
        for table in (self.aliases, self.new_aliases):
            for k, v in list(table.items()):
                if k[0] == entity and v == row.id:
                    table[k] = canonical
        if not row.new:
            self.removed.append((entity, row.id))
        del self.rows[(entity, row.id)]

    def _repoint(self, old_vid: str, new_vid: str, seq: int) -> None:
        """Terms and events of a vehicle that became an alias move to the kept vehicle (terms may converge)."""
        prefix = dumps([old_vid])[:-1]
        for entity in ("policy_term", "event"):
            q = select(state).where(and_(state.c.entity == entity, state.c.ident.like(prefix + "%")))
            for r in self.conn.execute(q).mappings():
                if (entity, r["id"]) not in self.rows and (entity, r["id"]) not in self.removed:
                    self._keep(Row(entity, r["id"], r["ord"], json.loads(r["payload"]), r["hlc"], None, r["ident"],
                                   bool(r["deleted"]), r["updated_seq"]))
        for row in [r for r in self.rows.values()
                    if r.entity in ("policy_term", "event") and r.payload.get("vehicle_id") == old_vid]:
            row.payload["vehicle_id"] = new_vid
            self._touch(row, seq)
            if row.entity == "event":
                row.ident = self._ref(row.payload)
                continue
            ident = self._ident("policy_term", row.payload)
            other = self._find_ident("policy_term", ident)
            row.ident = ident
            if other is None or other is row:
                self.by_ident[("policy_term", ident)] = row.id
                continue
            keep, lose = (row, other) if row.id < other.id else (other, row)
            if lose.deleted:
                if lose.hlc > keep.hlc:
                    keep.hlc, keep.deleted = lose.hlc, True
            else:
                self._merge_whole(keep, lose.payload | {"id": keep.id}, lose.hlc, ident, seq)
            keep.ident = ident
            self._touch(keep, seq)
            self.by_ident[("policy_term", ident)] = keep.id
            self._retire(lose, keep.id)

    def _alias(self, entity: str, alias_id: str, canonical: str) -> None:
        self.aliases[(entity, alias_id)] = canonical
        self.new_aliases[(entity, alias_id)] = canonical

    def _insert(self, entity: str, id_: str, payload: dict, hlc: str, field_hlc: dict | None,
                ident: str | None, seq: int, deleted: bool = False) -> Row:
        row = Row(entity, id_, self.next_ord, payload, hlc, field_hlc, ident, deleted, seq, new=True)
        self.next_ord += 1
        self._keep(row)
        return row

    def _merge_whole(self, row: Row, p: dict, hlc: str, ident: str, seq: int) -> None:
        if row.entity == "policy_term":
            mine_hq, theirs_hq = row.payload.get("source") == "hq", p.get("source") == "hq"
            if mine_hq and not theirs_hq:
                return
            wins = (theirs_hq and not mine_hq) or hlc > row.hlc
        else:
            wins = hlc > row.hlc
        if not wins:
            return
        if ident != row.ident:
            self.by_ident[(row.entity, ident)] = row.id
        row.payload, row.hlc, row.ident = p, max(hlc, row.hlc), ident
        row.deleted = False
        self._touch(row, seq)

    def _customer(self, cid: str, payload: dict, hlc: str, seq: int) -> None:
        fields = payload.get("fields") or list(CONTACT_FIELDS)
        row = self._get("customer", cid)
        if row is None:
            values = {"id": cid} | {f: None for f in CONTACT_FIELDS} | {f: payload.get(f) for f in fields}
            self._insert("customer", cid, values, hlc, {f: hlc for f in fields}, None, seq)
            return
        stamps = row.field_hlc if row.field_hlc is not None else {}
        changed = False
        for f in fields:
            if hlc > stamps.get(f, ""):
                row.payload[f], stamps[f] = payload.get(f), hlc
                changed = True
        row.field_hlc = stamps
        if hlc > row.hlc:
            row.hlc, row.deleted, changed = hlc, False, True
        if changed:
            self._touch(row, seq)

    def _delete(self, entity: str, cid: str, hlc: str, seq: int) -> None:
        row = self._get(entity, cid)
        if row is None:
            self._insert(entity, cid, {"id": cid}, hlc, None, None, seq, deleted=True)
            return
        if entity == "policy_term" and row.payload.get("source") == "hq":
            return  # a counter copy never removes what head office issued
        if hlc > row.hlc:
            row.hlc, row.deleted = hlc, True
            self._touch(row, seq)

    def _touch(self, row: Row, seq: int) -> None:
        row.updated_seq = seq
        row.dirty = True

    # --- writing back ----------------------------------------------------------------------------
    def flush(self) -> None:
        conn = self.conn
        for part in _chunks(self.removed):
            conn.execute(state.delete().where(tuple_(state.c.entity, state.c.id).in_(part)))
        bulk_insert(conn, state, [self._values(r) for r in self.rows.values() if r.new])
        dirty = [self._values(r) for r in self.rows.values() if r.dirty and not r.new]
        if dirty:
            from sqlalchemy import bindparam

            stmt = state.update().where(and_(state.c.entity == bindparam("b_entity"),
                                             state.c.id == bindparam("b_id")))
            conn.execute(stmt.values(payload=bindparam("payload"), hlc=bindparam("hlc"),
                                     field_hlc=bindparam("field_hlc"), ident=bindparam("ident"),
                                     deleted=bindparam("deleted"), updated_seq=bindparam("updated_seq"),
                                     updated_ms=bindparam("updated_ms")),
                         [{"b_entity": v["entity"], "b_id": v["id"], **{k: v[k] for k in (
                             "payload", "hlc", "field_hlc", "ident", "deleted", "updated_seq", "updated_ms")}}
                          for v in dirty])
        if self.new_aliases:
            conn.execute(alias.insert(), [{"entity": e, "alias_id": a, "canonical_id": c}
                                          for (e, a), c in self.new_aliases.items()])

    def _values(self, r: Row) -> dict:
        return {"entity": r.entity, "id": r.id, "ord": r.ord, "payload": dumps(r.payload), "hlc": r.hlc,
                "field_hlc": dumps(r.field_hlc) if r.field_hlc is not None else None, "ident": r.ident,
                "deleted": r.deleted, "updated_seq": r.updated_seq, "updated_ms": self.now_ms}
