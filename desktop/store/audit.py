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


def verify(engine: Engine) -> ChainReport:
    prev, expected_seq, count = GENESIS, 1, 0
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
            prev, expected_seq = h, seq + 1
        conn.rollback()
    return ChainReport(True, count, None, None)


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
