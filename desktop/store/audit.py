"""Hash-chained audit log: each entry's hash covers the previous entry's hash and its own fields.

Entries never hold unmasked ID numbers or phones: callers pass masked targets and details.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from desktop.core.timeutil import CST

from .audit_anchor import Anchor, AnchorInvalid, AuditHead, note_append

GENESIS = "0" * 64


def _entry_hash(prev_hash: str, seq: int, at: str, staff: str | None, action: str,
                target: str | None, detail: str | None) -> str:
    body = json.dumps([seq, at, staff, action, target, detail], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append_raw(db, action: str, staff: str | None, target: str | None = None,
               detail: dict | str | None = None, at: datetime | None = None) -> int:
    """Append through a DBAPI connection, inside the caller's open transaction (BEGIN IMMEDIATE
    serialises writers, so seq and prev_hash are safe)."""
    if isinstance(detail, dict):
        detail = json.dumps(detail, ensure_ascii=False, sort_keys=True)
    at_s = (at or datetime.now(CST)).astimezone(CST).isoformat(timespec="seconds")
    last = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    h = _entry_hash(prev, seq, at_s, staff, action, target, detail)
    db.execute("INSERT INTO audit(seq, at, staff, action, target, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)",
               (seq, at_s, staff, action, target, detail, prev, h))
    # The first entry ever anchored marks the store in the same transaction: from then on a missing
    # or invalid anchor file is evidence to keep for `audit verify`, never something to recreate.
    first = db.execute("INSERT OR IGNORE INTO sync_state(key, value) VALUES ('audit_anchor_since', ?)",
                       (str(seq),)).rowcount == 1
    note_append(db, seq, h, may_create=first)  # anchored outside the table once this transaction commits
    return seq


def append(conn: Connection, action: str, staff: str | None, target: str | None = None,
           detail: dict | str | None = None, at: datetime | None = None) -> int:
    """Append inside a SQLAlchemy transaction (same DBAPI connection, same transaction)."""
    return append_raw(conn.connection.driver_connection, action, staff, target, detail, at)


def record(engine: Engine, action: str, staff: str | None, target: str | None = None,
           detail: dict | str | None = None) -> int:
    with engine.begin() as conn:
        return append(conn, action, staff, target, detail)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    staff: str | None
    action: str
    target: str | None
    detail: str | None


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries: int
    first_broken: int | None
    reason: str | None


def verify(engine: Engine, anchor: Anchor | None = None) -> ChainReport:
    """Walk the chain from the genesis; with an anchor, also check that the chain reaches the
    anchored head and holds exactly that entry there (a deleted tail leaves the anchor ahead)."""
    prev, expected_seq, count = GENESIS, 1, 0
    try:
        anchored = anchor.read() if anchor else None
    except AnchorInvalid as exc:
        return ChainReport(False, 0, None, str(exc))
    hash_at_anchor = None
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT seq, at, staff, action, target, detail, prev_hash, hash "
                                 "FROM audit ORDER BY seq"))
        for seq, at, staff, action, target, detail, prev_hash, h in rows:
            count += 1
            if seq != expected_seq:
                return ChainReport(False, count, expected_seq, f"第 {expected_seq} 条审计记录缺失")
            if prev_hash != prev:
                return ChainReport(False, count, seq, f"第 {seq} 条审计记录的前序哈希不符（链条断开）")
            if _entry_hash(prev, seq, at, staff, action, target, detail) != h:
                return ChainReport(False, count, seq, f"第 {seq} 条审计记录内容被改动")
            if anchored and seq == anchored.seq:
                hash_at_anchor = h
            prev, expected_seq = h, seq + 1
        conn.rollback()
    if anchor and anchored is None and count:
        return ChainReport(False, count, None, f"缺少审计锚点文件（{anchor.path.name}），无法确认记录末尾完整")
    if anchored and count < anchored.seq:
        return ChainReport(False, count, count + 1,
                           f"审计记录末尾被删除：锚点记到第 {anchored.seq} 条，库中只到第 {count} 条")
    if anchored and hash_at_anchor != anchored.hash:
        return ChainReport(False, count, anchored.seq, f"第 {anchored.seq} 条审计记录与锚点不符（被改写）")
    return ChainReport(True, count, None, None)


def head(engine: Engine) -> AuditHead | None:
    """The chain's last entry as {seq, hash}: what a sync push reports to head office (audit_head)."""
    with engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").first()
        conn.rollback()
    return AuditHead(int(row[0]), row[1]) if row else None


def recent(engine: Engine, limit: int = 50, action: str | None = None) -> list[AuditEntry]:
    sql = "SELECT seq, at, staff, action, target, detail FROM audit"
    params: dict = {"limit": limit}
    if action:
        sql += " WHERE action = :action"
        params["action"] = action
    sql += " ORDER BY seq DESC LIMIT :limit"
    with engine.connect() as conn:
        out = [AuditEntry(*r) for r in conn.execute(text(sql), params)]
        conn.rollback()
    return out
