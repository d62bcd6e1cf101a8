"""One sync run (DESIGN §6): push the queue oldest first, then pull the feed to its end.

Push: at most 500 rows per request; each row is marked on its own result. deferred:gap resends
from head office's expected_seq; deferred:clock holds the queue until this counter's clock is
back within an hour of head office's, then re-stamps the held rows once. Pull: each page is
applied together with its cursor in ONE transaction; a 410 rebuilds from the snapshot.
Any failure leaves the queue as it was: the next run sends again (head office deduplicates).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy.engine import Engine

from desktop.core.hlc import HLC
from desktop.store import sync_apply

from . import protocol, queue
from .identity import CURSOR_KEY, put_state, state
from .transport import CursorGone, Transport

log = logging.getLogger(__name__)

LAST_SYNC_KEY, LAST_PROGRESS_KEY, LAST_ERROR_KEY = "last_sync_at", "last_progress_at", "last_error"
MAX_PUSH_ROUNDS = 10_000  # a bound, not a target: 5,000,000 changes in one run


def _now_ms() -> int:
    from desktop.core import hlc as hlc_mod

    return hlc_mod._system_ms()


@dataclass
class SyncReport:
    pushed: int = 0
    duplicates: int = 0
    rejected: int = 0
    deferred: int = 0
    pulled: int = 0
    pending: int = 0
    clock_ahead_ms: int | None = None  # set when head office defers our changes for our clock
    restamped: int = 0
    already_applied: bool = False  # sync --apply-batch of a reply applied before: nothing changed
    more: bool = False  # sync --apply-batch: head office holds more of the feed (export and apply again)

    def to_json(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in ("pushed", "duplicates", "rejected", "deferred", "pulled", "pending")}


def audit_head(db) -> dict:
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return {"seq": row[0], "hash": row[1]} if row else {"seq": 0, "hash": "0" * 64}


class SyncClient:
    def __init__(self, engine: Engine, transport: Transport, device_id: str,
                 now_ms: Callable[[], int] = _now_ms, page_limit: int = protocol.PULL_DEFAULT):
        self.engine, self.t, self.device_id = engine, transport, device_id
        self.now_ms, self.page_limit = now_ms, page_limit

    def _tx(self):
        return self.engine.begin()

    def run(self, progress: Callable[[int, int], None] | None = None,
            cancel: Callable[[], bool] | None = None) -> SyncReport:
        report = SyncReport()
        health = self.t.health()
        self._restamp_if_clock_fixed(health.server_ms, report)
        self.push(report, cancel)
        self.pull(report, progress, cancel)
        with self._tx() as conn:
            db = conn.connection.driver_connection
            report.pending = queue.pending_count(db)
            put_state(db, LAST_SYNC_KEY, str(self.now_ms()))
            put_state(db, LAST_ERROR_KEY, None)
        return report

    # -- push -----------------------------------------------------------------------------------
    def _restamp_if_clock_fixed(self, server_ms: int | None, report: SyncReport) -> None:
        if server_ms is None:
            return
        with self._tx() as conn:
            db = conn.connection.driver_connection
            if state(db, queue.CLOCK_HOLD_KEY):
                report.restamped = queue.restamp_held(db, self.device_id, self.now_ms(), server_ms)
                if state(db, queue.CLOCK_HOLD_KEY):
                    report.clock_ahead_ms = self.now_ms() - server_ms

    def push(self, report: SyncReport, cancel: Callable[[], bool] | None = None) -> None:
        stalled = 0
        for _ in range(MAX_PUSH_ROUNDS):
            if cancel and cancel():
                return
            with self.engine.connect() as conn:
                db = conn.connection.driver_connection
                if state(db, queue.CLOCK_HOLD_KEY):
                    report.deferred += queue.pending_count(db)
                    conn.rollback()
                    return
                rows = queue.next_batch(db)
                head = audit_head(db)
                conn.rollback()
            if not rows:
                return
            body, rows = queue.push_body(rows, self.device_id, {"audit_head": head})
            reply = self.t.push(body)
            with self._tx() as conn:
                db = conn.connection.driver_connection
                m = queue.mark(db, rows, reply.body)
                if m.pushed or m.duplicates or m.rejected:
                    put_state(db, LAST_PROGRESS_KEY, str(self.now_ms()))
            report.pushed += m.pushed
            report.duplicates += m.duplicates
            report.rejected += m.rejected
            if m.clock:
                report.deferred += m.deferred
                if reply.server_ms is not None:
                    report.clock_ahead_ms = self.now_ms() - reply.server_ms
                return
            if m.pushed + m.duplicates + m.rejected == 0:
                stalled += 1  # only deferred:gap: resend from expected_seq, but never spin
                if stalled >= 3:
                    report.deferred += m.deferred
                    return
            else:
                stalled = 0

    # -- pull -----------------------------------------------------------------------------------
    def pull(self, report: SyncReport, progress: Callable[[int, int], None] | None = None,
             cancel: Callable[[], bool] | None = None) -> None:
        if self._cursor() is None:
            # A counter that never pulled starts from head office's current state (one row per
            # record, not every change ever made), then follows the feed from there.
            self.rebuild_from_snapshot(report, progress, cancel)
        while True:
            if cancel and cancel():
                return
            cursor = self._cursor() or 0
            try:
                page = self.t.pull(cursor, self.page_limit)
            except CursorGone:
                self.rebuild_from_snapshot(report, progress, cancel)
                continue
            changes = page.get("changes") or []
            new_cursor = page.get("cursor", cursor)
            self.apply_page(changes, new_cursor)
            report.pulled += sum(1 for c in changes if c.get("device_id") != self.device_id)
            if progress:
                progress(report.pulled, report.pulled + (self.page_limit if page.get("more") else 0))
            if not page.get("more") or not changes:
                return

    def _cursor(self) -> int | None:
        with self.engine.connect() as conn:
            value = state(conn.connection.driver_connection, CURSOR_KEY)
            conn.rollback()
        return int(value) if value is not None else None

    def apply_page(self, changes: list[dict], cursor: int | None) -> sync_apply.ApplyResult:
        """Apply a page and move the cursor in one transaction (nothing of it enters the outbox)."""
        pulled = [sync_apply.Pulled.of(c) for c in changes if usable(c)]
        if len(pulled) < len(changes):
            # Head office should have refused these (an older server, a rule tightened since): one
            # that cannot be applied here would fail this page, and so every sync, for good.
            log.warning("skipped %d pulled changes that fail the wire rules", len(changes) - len(pulled))
        with self._tx() as conn:
            db = conn.connection.driver_connection
            result = sync_apply.apply_changes(db, pulled, self.device_id)
            if result.max_hlc:
                observe_clock(db, result.max_hlc, self.device_id, self.now_ms)
            if cursor is not None:
                old = int(state(db, CURSOR_KEY) or 0)
                put_state(db, CURSOR_KEY, str(max(old, int(cursor))))
        return result

    def rebuild_from_snapshot(self, report: SyncReport, progress=None, cancel=None) -> None:
        """The cursor is older than head office keeps tombstones: take every current row from the
        snapshot (applied like pulled changes, so local pending work is kept; tombstones included),
        then pull the feed from the cursor of the snapshot's first page."""
        page, cursor = 0, None
        while True:
            if cancel and cancel():
                return
            snap = self.t.snapshot(page)
            if cursor is None:
                cursor = int(snap.get("cursor") or 0)
            rows = [c for r in snap.get("rows") or [] for c in snapshot_changes(r)]
            more = bool(snap.get("more"))
            # Counted by what changed here: the counter's own rows come back in the snapshot too.
            report.pulled += self.apply_page(rows, None).applied
            if progress:
                progress(page + 1, int(snap.get("pages") or page + 1))
            if not more:
                with self._tx() as conn:
                    put_state(conn.connection.driver_connection, CURSOR_KEY, str(cursor))
                return
            page += 1


def usable(c: dict) -> bool:
    """A pulled change (or snapshot row) this counter can apply: the same rules head office checks."""
    try:
        return (isinstance(c, dict) and c.get("entity") in protocol.ENTITIES and c.get("op") in protocol.OPS
                and isinstance(c.get("payload"), dict) and bool(protocol.hlc_node(c["hlc"]))
                and protocol.validate_payload(c["entity"], c["op"], c.get("entity_id"), c["payload"]) is None)
    except (TypeError, ValueError, KeyError):
        return False


def snapshot_changes(row: dict) -> list[dict]:
    """A snapshot row as pulled changes: a customer with per-field stamps becomes one change per
    stamp (listing the fields that carry it), so per-field last-writer-wins sees the true stamps.
    Each carries only its own fields: head office fills the ones no change set with null (consent
    too), which the wire rules refuse, so the whole customer was skipped."""
    base = {"server_seq": 0, "device_id": "", "entity": row["entity"], "entity_id": row["id"], "op": row["op"],
            "payload": row.get("payload") or {"id": row["id"]}, "hlc": row["hlc"]}
    field_hlc = row.get("field_hlc")
    if row["entity"] != "customer" or row["op"] == "delete" or not isinstance(field_hlc, dict) or not field_hlc:
        return [base]
    by_stamp: dict[str, list[str]] = {}
    for f, stamp in field_hlc.items():
        by_stamp.setdefault(stamp, []).append(f)
    payload = base["payload"]
    return [{**base, "hlc": stamp, "payload": {"id": payload.get("id", row["id"]),
                                               **{f: payload.get(f) for f in sorted(fields)}, "fields": sorted(fields)}}
            for stamp, fields in sorted(by_stamp.items())]


def observe_clock(db, remote: str, device_id: str, now_ms: Callable[[], int]) -> None:
    """HLC receive rule on the persisted clock, so a later local edit is stamped after what we saw."""
    try:
        from desktop.store import outbox

        observe = getattr(outbox, "observe", None)
    except ImportError:  # pragma: no cover
        observe = None
    if observe is not None:
        observe(db, remote)
        return
    last = state(db, queue.HLC_KEY)
    from desktop.core.hlc import Clock

    clock = Clock(device_id, now_fn=now_ms, last=HLC.parse(last) if last else None)
    clock.update(HLC.parse(remote))
    put_state(db, queue.HLC_KEY, str(clock.last))
