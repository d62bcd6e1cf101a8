"""Offline batch files, counter side (DESIGN §6).

Up: `<device_id>-<n>.rdbatch` holds a push body (≤ 500 changes) sealed under the device's batch
key, n counting up per device. Down: head office's reply to those and the device's pull pages;
applied once, in ONE transaction (results marked, pages applied, cursor moved, the file noted),
so a second apply changes nothing and says so, and a tampered or foreign file changes nothing.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.store import sync_apply

from . import protocol, queue
from .client import SyncReport, audit_head, observe_clock
from .identity import CURSOR_KEY, Enrolment, put_state, state

UP_N_KEY = "batch_up_n"


class BatchRefused(Exception):
    """A batch file not applied: desktop.services.sync makes it BadInput (exit 2) or, for
    BatchUnverified, VerificationFailed (exit 5); the exit codes live in desktop.cli only."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BatchUnverified(BatchRefused):
    """The file does not authenticate (altered, another device's, not a batch): a failed
    verification, exit 5 as head office's apply-batch gives for the same file (DESIGN §7)."""


@dataclass(frozen=True)
class Exported:
    files: tuple[Path, ...]
    changes: int


def export_batches(engine: Engine, e: Enrolment, out_dir: Path) -> Exported:
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    total = 0
    with engine.begin() as conn:
        db = conn.connection.driver_connection
        rows = db.execute("SELECT change_id, device_seq, entity, COALESCE(entity_id, json_extract(payload, '$.id')), "
                          "op, payload, hlc, state FROM outbox WHERE state = 'pending' ORDER BY device_seq").fetchall()
        rows = [queue.Row(*r) for r in rows]
        head = audit_head(db)
        n = int(state(db, UP_N_KEY) or 0)
        cursor = int(state(db, CURSOR_KEY) or 0)
        i = 0
        while i < len(rows) or not files:
            # At most 500 changes and 8 MiB a file, as a push. `cursor`: where this counter's feed
            # stands, so head office's reply carries the pages after it. With nothing pending the
            # one file carries only the cursor: a counter whose last down file said "more" gets the
            # rest of the feed by repeated export/apply rounds, not only once it has written something.
            if rows:
                body, chunk = queue.push_body(rows[i:i + protocol.MAX_CHANGES], e.device_id,
                                              {"audit_head": head, "cursor": cursor})
            else:
                body, chunk = {"changes": [], "audit_head": head, "cursor": cursor}, []
            i += len(chunk)
            n += 1
            data = protocol.encode_batch(body, e.batch_key, e.device_id, n, "up")
            path = out_dir / protocol.batch_file_name(e.device_id, n)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            files.append(path)
            total += len(chunk)
        put_state(db, UP_N_KEY, str(n))
    return Exported(tuple(files), total)


def apply_down(engine: Engine, e: Enrolment, path: Path) -> SyncReport:
    try:
        data = path.read_bytes()
    except OSError:
        raise BatchRefused(f"读不到批次文件 {path.name}。请检查路径。") from None
    try:
        header, body = protocol.decode_batch(data, lambda d: e.batch_key if d == e.device_id else None)
    except protocol.BatchError as exc:
        raise BatchUnverified(_why(exc, path)) from None
    if header.get("direction") != "down":
        raise BatchRefused(f"{path.name} 是本柜台发往总部的批次，不是总部的回复。请导入总部发回的文件。")
    reply, pages = body.get("reply") or {}, body.get("pages") or []
    if not isinstance(reply, dict) or not isinstance(pages, list):
        raise BatchRefused(f"批次文件 {path.name} 内容不完整。请让总部重新生成。")
    digest = hashlib.sha256(data).hexdigest()
    done_key = f"batch_down:{header['n']}"
    report = SyncReport()
    with engine.begin() as conn:
        db = conn.connection.driver_connection
        if state(db, done_key) or state(db, f"batch_digest:{digest}"):
            # As head office's second apply-batch: nothing changes, it says so, and it is not an error.
            return SyncReport(pending=queue.pending_count(db), already_applied=True)
        ids = [r.get("change_id") for r in reply.get("results") or [] if isinstance(r, dict)]
        rows = []
        for i in range(0, len(ids), 400):
            chunk = ids[i:i + 400]
            rows += [queue.Row(*r) for r in db.execute(
                "SELECT change_id, device_seq, entity, COALESCE(entity_id, json_extract(payload, '$.id')), op, "
                f"payload, hlc, state FROM outbox WHERE change_id IN ({','.join('?' * len(chunk))})", chunk)]
        m = queue.mark(db, rows, reply)
        report.pushed, report.duplicates, report.rejected, report.deferred = (
            m.pushed, m.duplicates, m.rejected, m.deferred)
        cursor = int(state(db, CURSOR_KEY) or 0)
        for page in pages:
            changes = [c for c in (page.get("changes") or []) if int(c.get("server_seq") or 0) > cursor]
            result = sync_apply.apply_changes(db, [sync_apply.Pulled.of(c) for c in changes], e.device_id)
            if result.max_hlc:
                observe_clock(db, result.max_hlc, e.device_id, lambda: 0)
            report.pulled += sum(1 for c in changes if c.get("device_id") != e.device_id)
            cursor = max(cursor, int(page.get("cursor") or cursor))
        report.more = bool(pages) and isinstance(pages[-1], dict) and bool(pages[-1].get("more"))
        put_state(db, CURSOR_KEY, str(cursor))
        put_state(db, done_key, digest)
        put_state(db, f"batch_digest:{digest}", str(header["n"]))
        report.pending = queue.pending_count(db)
    return report


def _why(exc: protocol.BatchError, path: Path) -> str:
    text = str(exc)
    if "does not know" in text:
        return f"批次文件 {path.name} 不是发给本柜台的（设备编号不符）。请导入本柜台自己的文件。"
    if "altered" in text or "another device" in text:
        return f"批次文件 {path.name} 已被改动或不是本柜台的密钥封装的，未导入任何数据。"
    if "not a RenewDesk" in text:
        return f"{path.name} 不是续保台的批次文件（.rdbatch）。"
    return f"批次文件 {path.name} 已损坏，未导入任何数据。请让总部重新生成。"
