"""The counter's side of the queue: what to push next, and marking each row on its own result.

Outbox states: `pending` (not yet acknowledged), `sent` (head office answered applied or
duplicate), `rejected:<why>` (refused, or a duplicate whose stored copy was refused; stays listed
in 同步问题). A row is marked only on the
result carrying its own change_id in a reply; a row without one stays as it was.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from desktop.core.hlc import HLC, Clock

from . import protocol
from .identity import EXPECTED_KEY, SEQ_KEY, put_state, state

SENT = "sent"
CLOCK_HOLD_KEY = "clock_hold"  # set while head office defers our changes for a clock ahead of it
HLC_KEY = "hlc"  # the persisted clock's last stamp (desktop.store.outbox keeps it there too)


@dataclass(frozen=True)
class Row:
    change_id: str
    device_seq: int
    entity: str
    entity_id: str
    op: str
    payload: str
    hlc: str
    state: str

    def to_wire(self, device_id: str) -> dict:
        stamp = self.hlc
        if protocol.hlc_node(stamp) != device_id:
            stamp = protocol.with_node(stamp, device_id)
        return {"change_id": self.change_id, "device_seq": self.device_seq, "entity": self.entity,
                "entity_id": self.entity_id, "op": _wire_op(self.op), "payload": json.loads(self.payload),
                "hlc": stamp}


def _wire_op(op: str) -> str:
    return "delete" if op == "delete" else "upsert"  # older rows said "insert"


def next_batch(db, limit: int = protocol.MAX_CHANGES) -> list[Row]:
    """The oldest rows head office still needs: everything pending, and, when head office says it
    expects an older device_seq than our oldest pending one (it lost them), from there on."""
    first_pending = db.execute("SELECT MIN(device_seq) FROM outbox WHERE state = 'pending'").fetchone()[0]
    expected = state(db, EXPECTED_KEY)
    start = first_pending
    if expected is not None:
        exp = int(expected)
        top = db.execute("SELECT MAX(device_seq) FROM outbox").fetchone()[0] or 0
        if exp <= top and (start is None or exp < start):
            start = exp
    if start is None:
        return []
    rows = db.execute("SELECT change_id, device_seq, entity, COALESCE(entity_id, json_extract(payload, '$.id')), "
                      "op, payload, hlc, state FROM outbox WHERE device_seq >= ? ORDER BY device_seq LIMIT ?",
                      (start, limit)).fetchall()
    return [Row(*r) for r in rows]


def push_body(rows: list[Row], device_id: str, extra: dict) -> tuple[dict, list[Row]]:
    """The push body for the longest prefix of `rows` whose JSON stays within head office's
    MAX_BODY_BYTES (always at least one row), and that prefix. 500 rows of long names, addresses
    and notes (4000 characters each are allowed) come to well over 8 MiB: sent whole, head office
    answers 413 to that same batch at every sync and the queue never moves again."""
    wire = [r.to_wire(device_id) for r in rows]
    size = len(protocol.dumps({"changes": [], **extra}))
    n = 0
    for w in wire:
        size += len(protocol.dumps(w)) + (1 if n else 0)
        if size > protocol.MAX_BODY_BYTES and n:
            break
        n += 1
    return {"changes": wire[:n], **extra}, rows[:n]


@dataclass
class Marked:
    pushed: int = 0
    duplicates: int = 0
    rejected: int = 0
    deferred: int = 0
    clock: bool = False  # a deferred:clock result: hold the queue


def mark(db, sent: list[Row], reply: dict) -> Marked:
    """Mark each sent row on ITS OWN result in the reply; unknown or missing results change nothing."""
    by_id = {r.change_id: r for r in sent}
    out = Marked()
    done, refused, displaced = [], [], []
    for res in reply.get("results") or []:
        if not isinstance(res, dict):
            continue
        row = by_id.get(res.get("change_id"))
        result = res.get("result")
        if row is None or not isinstance(result, str) or res.get("device_seq") not in (None, row.device_seq):
            continue
        if result == protocol.APPLIED:
            out.pushed += 1
            done.append(row.change_id)
        elif result == protocol.DUPLICATE and not _stored_as_rejected(res):
            out.duplicates += 1
            done.append(row.change_id)
        elif result == protocol.DUPLICATE:  # refused the first time; that reply was lost
            out.rejected += 1
            refused.append((res["stored_result"][:200], row.change_id))
        elif result == protocol.SEQ_CONFLICT:
            out.deferred += 1  # head office holds another change at this seq: renumbered below
            displaced.append(row)
        elif protocol.is_rejected(result):
            out.rejected += 1
            refused.append((result[:200], row.change_id))
        elif result == protocol.DEFERRED_CLOCK:
            out.deferred += 1
            out.clock = True
        elif result == protocol.DEFERRED_GAP:
            out.deferred += 1
    db.executemany(f"UPDATE outbox SET state = '{SENT}' WHERE change_id = ?", [(c,) for c in done])
    db.executemany("UPDATE outbox SET state = ? WHERE change_id = ?", refused)
    exp = reply.get("expected_seq")
    if isinstance(exp, int) and not isinstance(exp, bool) and exp >= 1:
        put_state(db, EXPECTED_KEY, str(exp))
    else:
        exp = 0
    if displaced:
        _renumber(db, displaced, exp)
    if out.clock:
        put_state(db, CLOCK_HOLD_KEY, "1")
    return out


def _renumber(db, rows: list[Row], expected: int) -> None:
    """Give changes answered rejected:seq_conflict new device_seqs after every seq head office or
    this outbox has used, and leave them pending. That answer means head office holds another
    change_id at that seq (it checks the change_id first, so this one is surely not stored): the
    store was restored from an older backup or copied, and its sequence restarted below what this
    device already sent. Refused as written, every change made after such a restore would sit in
    同步问题 for good."""
    top = max(expected - 1, db.execute("SELECT COALESCE(MAX(device_seq), 0) FROM outbox").fetchone()[0],
              int(state(db, SEQ_KEY) or 0))
    moved = [(top + i, r.change_id) for i, r in enumerate(sorted(rows, key=lambda r: r.device_seq), 1)]
    db.executemany("UPDATE outbox SET device_seq = ?, state = 'pending' WHERE change_id = ?", moved)
    put_state(db, SEQ_KEY, str(top + len(moved)))  # the next local write follows them


def _stored_as_rejected(res: dict) -> bool:
    """A duplicate whose first copy head office refused (its `stored_result`): the row belongs in
    同步问题, not among the sent ones. A server without the field means the old plain duplicate."""
    stored = res.get("stored_result")
    return isinstance(stored, str) and protocol.is_rejected(stored)


def pending_count(db) -> int:
    return db.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]


def restamp_held(db, device_id: str, local_ms: int, server_ms: int) -> int:
    """Once this counter's clock is back within the limit of head office's, re-stamp the pending
    changes stamped ahead of head office (they were deferred:clock), keeping stamps rising in
    device_seq order, and set the persisted clock back to the corrected time. Returns how many."""
    if local_ms - server_ms >= protocol.CLOCK_AHEAD_LIMIT_MS - 60_000:
        return 0  # still ahead: keep holding
    limit = server_ms + protocol.CLOCK_AHEAD_LIMIT_MS - 60_000
    rows = db.execute("SELECT change_id, hlc FROM outbox WHERE state = 'pending' ORDER BY device_seq").fetchall()
    held = [(cid, h) for cid, h in rows if HLC.parse(h).wall_ms > limit]
    if not held:
        put_state(db, CLOCK_HOLD_KEY, None)
        return 0
    # Stamps already accepted (sent rows) stay below the new ones.
    sent_max = db.execute("SELECT MAX(hlc) FROM outbox WHERE state <> 'pending'").fetchone()[0]
    floor = HLC.parse(protocol.with_node(sent_max, device_id)) if sent_max else None
    clock = Clock(device_id, now_fn=lambda: local_ms, last=floor)
    updates = [(str(clock.now()), cid) for cid, _ in held]
    db.executemany("UPDATE outbox SET hlc = ? WHERE change_id = ?", updates)
    put_state(db, HLC_KEY, str(clock.last))
    put_state(db, CLOCK_HOLD_KEY, None)
    return len(updates)
