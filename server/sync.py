"""Push, pull, snapshot and pruning: the sync rules of DESIGN §6, independent of HTTP.

A push is one serialised transaction (server.db.write_tx): results are computed, stored and
committed before the caller sees them. Fault mode `ack-before-commit` (env
RENEWDESK_SERVER_FAULT, for the fault campaign's checker only) builds the reply and then, for
every other push that stores rows (the first, the third, …), rolls the transaction back while still
returning the reply: deterministic, so a short campaign surely meets it.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, func, select

from desktop.sync.protocol import (
    APPLIED,
    CLOCK_AHEAD_LIMIT_MS,
    DEFERRED_CLOCK,
    DEFERRED_GAP,
    DUPLICATE,
    SEQ_CONFLICT,
    Change,
    hlc_node,
    hlc_wall_ms,
    is_rejected,
    known_fields,
    rejected,
    validate_payload,
)

from .db import bulk_insert, get_meta, read_tx, set_meta, write_tx
from .schema import change, device, state
from .state import Materialiser, dumps, in_list

log = logging.getLogger(__name__)
FAULT_ENV = "RENEWDESK_SERVER_FAULT"
ACK_BEFORE_COMMIT = "ack-before-commit"
_FAULT_PUSHES = itertools.count()
SNAPSHOT_PAGE = 1000
_CHUNK = 400


class Unauthorized(Exception):
    """Unknown or revoked device (HTTP 401)."""


class Gone(Exception):
    """A pull cursor older than the retention horizon (HTTP 410): rebuild from the snapshot."""


class _DropCommit(Exception):
    pass


def now_ms() -> int:
    return time.time_ns() // 1_000_000


def iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _safe(s: str) -> str:
    """Store a client string verbatim only if it is plain printable ASCII (a rejected change's id)."""
    return s if s.isascii() and s.isprintable() else json.dumps(s)[1:-1][:200]


@dataclass
class PushCounts:
    applied: int = 0
    duplicates: int = 0
    rejected: int = 0
    deferred: int = 0


def _change_row(device_id: str, c: Change, result: str, server_seq: int | None, payload: str | None,
                received_ms: int) -> dict:
    """One row of the change log: an applied or refused change, or (payload None, out of the feed)
    a duplicate of one stored under another device."""
    return {"device_id": device_id, "device_seq": c.device_seq, "change_id": c.change_id, "entity": c.entity,
            "entity_id": _safe(c.entity_id), "op": c.op, "payload": payload, "hlc": _safe(c.hlc),
            "result": result, "server_seq": server_seq, "received_ms": received_ms}


def _stored_copies(conn, device_id: str, change_ids: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """The stored results of these change_ids, in one read by change_id (ix_change_change_id):
    (this device's copies, copies under other devices — an applied one's result first)."""
    mine: dict[str, str] = {}
    elsewhere: dict[str, str] = {}
    rows = conn.execute(select(change.c.device_id, change.c.change_id, change.c.result, change.c.server_seq)
                        .where(in_list(conn, change.c.change_id, change_ids))).all()
    for r in sorted(rows, key=lambda r: r.server_seq is None):
        (mine if r.device_id == device_id else elsewhere).setdefault(r.change_id, r.result)
    return mine, elsewhere


def _anchor_values(dev, head: dict | None) -> dict:
    """The counter's audit chain head as head office's anchor (DESIGN §6: one a truncated chain
    cannot match). A head behind the anchor — a lower seq, or the same seq with another hash — is
    what deleting the chain's tail (or restoring an older backup) looks like: the anchor stays
    where it was and the device carries an alarm for the head-office page, the first one kept.
    Taking the lower head, as before, let a truncation wipe the very anchor meant to catch it."""
    if not head or (head["seq"], head["hash"]) == (dev.audit_seq, dev.audit_hash):
        return {}
    behind = dev.audit_seq is not None and (head["seq"] < dev.audit_seq
                                            or (head["seq"] == dev.audit_seq and head["hash"] != dev.audit_hash))
    if not behind:
        return {"audit_seq": head["seq"], "audit_hash": head["hash"], "audit_at": iso_now()}
    if dev.audit_alarm:
        return {}
    log.warning("audit head behind the anchor: reported seq %d, anchor seq %d", head["seq"], dev.audit_seq)
    return {"audit_alarm": f"{iso_now()} reported #{head['seq']}, anchor #{dev.audit_seq}"}


def push(engine: Engine, device_id: str, changes: list[Change], audit_head: dict | None,
         *, touch: bool = True, fault: str | None = None) -> tuple[dict, PushCounts]:
    """Apply one push (already parsed: ascending device_seq, 1..500 changes; none from an up batch
    file that only asks for the feed). Returns (reply, counts)."""
    fault = fault if fault is not None else os.environ.get(FAULT_ENV, "")
    reply: dict = {}
    counts = PushCounts()
    try:
        with write_tx(engine) as conn:
            dev = conn.execute(select(device.c.next_seq, device.c.revoked_at, device.c.audit_seq,
                                      device.c.audit_hash, device.c.audit_alarm)
                               .where(device.c.id == device_id)).first()
            if dev is None or dev.revoked_at is not None:
                raise Unauthorized()
            expected = dev.next_seq
            # DESIGN §6: duplicate means "this change_id is stored already". Under another device id
            # it is the same change sent again: by a counter enrolled anew (its replies lost, or its
            # history sent to a copy of its old office) or a store copied to a second counter. It
            # was applied a second time, and every counter pulled it twice.
            stored, elsewhere = _stored_copies(conn, device_id, [c.change_id for c in changes])
            t = now_ms()
            results, rows, applied = [], [], []
            clock_ahead = None
            held = False
            next_server_seq = (conn.execute(select(func.max(change.c.server_seq))).scalar() or 0) + 1
            for c in changes:
                if held:
                    result = DEFERRED_GAP
                elif c.change_id in stored:
                    result = DUPLICATE
                elif c.device_seq < expected:
                    result = SEQ_CONFLICT
                elif c.device_seq > expected:
                    result, held = DEFERRED_GAP, True
                elif c.change_id in elsewhere:
                    # Its seq is used up (the device's order stays gap-free) and the row is kept,
                    # out of the feed, with the first copy's result for a resend's stored_result.
                    result = DUPLICATE
                    rows.append(_change_row(device_id, c, elsewhere[c.change_id], None, None, t))
                    expected += 1
                    stored[c.change_id] = elsewhere[c.change_id]
                else:
                    c = replace(c, payload=known_fields(c.entity, c.op, c.payload))
                    result = _judge(c, device_id)
                    if result is None and hlc_wall_ms(c.hlc) - t > CLOCK_AHEAD_LIMIT_MS:
                        result, held, clock_ahead = DEFERRED_CLOCK, True, hlc_wall_ms(c.hlc) - t
                    elif result is None:
                        result = APPLIED
                    if result != DEFERRED_CLOCK:
                        server_seq = next_server_seq if result == APPLIED else None
                        if server_seq is not None:
                            next_server_seq += 1
                            applied.append((c, server_seq))
                        rows.append(_change_row(device_id, c, result, server_seq, dumps(c.payload), t))
                        expected += 1
                        stored[c.change_id] = result  # the same change_id twice in one push: the second is a duplicate
                results.append(_result(c, result, stored))
                _count(counts, result)
            bulk_insert(conn, change, rows)
            if applied:
                m = Materialiser(conn, t)
                m.preload([c for c, _ in applied])
                for c, seq in applied:
                    m.apply(c, seq)
                m.flush()
            values: dict = {}
            if rows:
                values |= {"next_seq": expected, "applied_count": device.c.applied_count + counts.applied,
                           "rejected_count": device.c.rejected_count + counts.rejected}
            if touch or rows:
                values |= {"last_push_at": iso_now(), "deferred_count": counts.deferred}
            if clock_ahead is not None:
                values |= {"clock_ahead_ms": clock_ahead, "clock_warned_at": iso_now()}
            elif rows and touch:
                values |= {"clock_ahead_ms": None}
            values |= _anchor_values(dev, audit_head)
            if values:
                conn.execute(device.update().where(device.c.id == device_id).values(**values))
            reply = {"results": results, "expected_seq": expected}
            if fault == ACK_BEFORE_COMMIT and rows and next(_FAULT_PUSHES) % 2 == 0:
                raise _DropCommit()
    except _DropCommit:
        log.warning("fault mode %s: push reply sent, commit dropped", ACK_BEFORE_COMMIT)
    log.info("push device=%s changes=%d applied=%d duplicate=%d rejected=%d deferred=%d expected_seq=%d",
             device_id, len(changes), counts.applied, counts.duplicates, counts.rejected, counts.deferred,
             reply["expected_seq"])
    return reply, counts


def _result(c: Change, result: str, stored: dict[str, str]) -> dict:
    """One entry of the reply. A duplicate also carries what the first copy got (`stored_result`):
    a counter whose reply to a rejected change was lost learns on the resend that it was refused,
    instead of taking "duplicate" for accepted and dropping it from its 同步问题 list."""
    out = {"change_id": c.change_id, "device_seq": c.device_seq, "result": result}
    if result == DUPLICATE:
        out["stored_result"] = stored[c.change_id]
    return out


def _judge(c: Change, device_id: str) -> str | None:
    """None when the change may be applied, else its rejected:<why>."""
    if hlc_node(c.hlc) != device_id:
        return rejected("hlc_node")
    why = validate_payload(c.entity, c.op, c.entity_id, c.payload)
    if why:
        return rejected(why)
    if c.entity == "policy_term" and c.op == "upsert" and c.payload.get("source") == "hq":
        return rejected("hq_source")  # only head office issues hq terms; a counter copy may not claim it
    return None


def _count(counts: PushCounts, result: str) -> None:
    if result == APPLIED:
        counts.applied += 1
    elif result == DUPLICATE:
        counts.duplicates += 1
    elif is_rejected(result):
        counts.rejected += 1
    else:
        counts.deferred += 1


def feed_floor(conn) -> int:  # noqa: ANN001
    return int(get_meta(conn, "feed_floor") or 0)


def _pull_rows(engine: Engine, cursor: int, limit: int) -> tuple[list, bool]:
    with read_tx(engine) as conn:
        if cursor < feed_floor(conn):
            raise Gone()
        rows = conn.execute(
            select(change.c.server_seq, change.c.device_id, change.c.change_id, change.c.device_seq,
                   change.c.entity, change.c.entity_id, change.c.op, change.c.payload, change.c.hlc)
            .where(change.c.server_seq > cursor).order_by(change.c.server_seq).limit(limit + 1)).all()
    return rows[:limit], len(rows) > limit


def pull(engine: Engine, cursor: int, limit: int) -> dict:
    """One page of the feed: every applied change with server_seq > cursor, ascending."""
    rows, more = _pull_rows(engine, cursor, limit)
    changes = [{"server_seq": r.server_seq, "device_id": r.device_id, "change_id": r.change_id,
                "device_seq": r.device_seq, "entity": r.entity, "entity_id": r.entity_id, "op": r.op,
                "payload": json.loads(r.payload), "hlc": r.hlc} for r in rows]
    return {"changes": changes, "cursor": rows[-1].server_seq if rows else cursor, "more": more}


def pull_json(engine: Engine, cursor: int, limit: int) -> bytes:
    """The same page as JSON bytes, splicing each stored payload text in as it is (no parse and re-encode)."""
    rows, more = _pull_rows(engine, cursor, limit)
    q = json.dumps
    items = ",".join(
        f'{{"server_seq":{r.server_seq},"device_id":{q(r.device_id)},"change_id":{q(r.change_id)},'
        f'"device_seq":{r.device_seq},"entity":{q(r.entity)},"entity_id":{q(r.entity_id)},"op":{q(r.op)},'
        f'"payload":{r.payload},"hlc":{q(r.hlc)}}}' for r in rows)
    last = rows[-1].server_seq if rows else cursor
    return f'{{"changes":[{items}],"cursor":{last},"more":{"true" if more else "false"}}}'.encode("ascii")


def mark_pulled(engine: Engine, device_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(device.update().where(device.c.id == device_id).values(last_pull_at=iso_now()))


def snapshot(engine: Engine, page: int) -> bytes:
    """Page K of the current state as JSON bytes (rows K*1000 < ord <= (K+1)*1000, tombstones included).

    `ord` never changes once given, so pages are stable while the state grows; a client keeps
    the cursor of page 0 and pulls from it afterwards (rows already newer are re-applied harmlessly).
    Stored payload texts are spliced in as they are.
    """
    lo, hi = page * SNAPSHOT_PAGE, (page + 1) * SNAPSHOT_PAGE
    with read_tx(engine) as conn:
        cursor = conn.execute(select(func.max(change.c.server_seq))).scalar() or 0
        top = conn.execute(select(func.max(state.c.ord))).scalar() or 0
        rows = conn.execute(select(state.c.entity, state.c.id, state.c.deleted, state.c.payload, state.c.hlc,
                                   state.c.field_hlc)
                            .where(and_(state.c.ord > lo, state.c.ord <= hi)).order_by(state.c.ord)).all()
    q = json.dumps
    items = ",".join(
        f'{{"entity":{q(r.entity)},"id":{q(r.id)},"op":"{"delete" if r.deleted else "upsert"}",'
        f'"payload":{r.payload},"hlc":{q(r.hlc)}' + (f',"field_hlc":{r.field_hlc}}}' if r.field_hlc else "}")
        for r in rows)
    more = "true" if hi < top else "false"
    return (f'{{"page":{page},"rows":[{items}],"more":{more},"cursor":{cursor},'
            f'"pages":{-(-top // SNAPSHOT_PAGE)}}}').encode("ascii")


def prune(engine: Engine, retention_days: float) -> int:
    """Drop payloads and tombstones older than the retention; cursors before the new floor get 410."""
    cutoff = now_ms() - int(retention_days * 86_400_000)
    with write_tx(engine) as conn:
        old_floor = feed_floor(conn)
        floor = conn.execute(select(func.max(change.c.server_seq)).where(change.c.received_ms < cutoff)).scalar()
        if not floor or floor <= old_floor:
            return old_floor
        conn.execute(change.update().where(and_(change.c.server_seq <= floor, change.c.server_seq > old_floor))
                     .values(payload=None))
        conn.execute(change.update().where(and_(change.c.server_seq.is_(None), change.c.received_ms < cutoff))
                     .values(payload=None))
        conn.execute(state.delete().where(and_(state.c.deleted.is_(True), state.c.updated_ms < cutoff)))
        set_meta(conn, "feed_floor", str(floor))
    log.info("pruned the feed up to server_seq %d (retention %s days)", floor, retention_days)
    return floor
