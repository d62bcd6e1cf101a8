"""The audit head anchored outside the audit table, so a deleted tail shows (issue 10 item 3).

`audit.head` beside `key.wrapped` holds the last sequence number and hash of the chain under an
HMAC with the store key. Anyone who can delete rows from the table can also delete the table's
last entries consistently, but cannot forge this file without the key's HMAC.

When it is written: AFTER the transaction that appended the entry has committed, when its
connection goes back to the pool (the engine's `checkin` event). That covers `engine.begin()`
blocks and the raw `BEGIN … COMMIT` the importer issues alike. Before writing, the entry is read
back on that connection: a rolled-back entry is never anchored. A crash between the commit and
the file write leaves the anchor BEHIND the table by that transaction's entries; verify accepts
an anchor behind the head (the newer entries still chain from it) and rejects one ahead of it,
which is exactly a truncated tail. Two processes racing leave the anchor behind, never ahead: a
write never moves it backwards.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

ANCHOR_FILE = "audit.head"

# Entries appended on a DBAPI connection and not yet anchored:
# id(connection) -> (seq, hash, whether this transaction is the store's first anchored one).
_pending: dict[int, tuple[int, str, bool]] = {}


class AnchorInvalid(Exception):
    """The anchor file exists but is unreadable or its HMAC does not match (edited or foreign)."""


@dataclass(frozen=True)
class AuditHead:
    seq: int
    hash: str

    def to_json(self) -> dict:
        return {"seq": self.seq, "hash": self.hash}


@dataclass(frozen=True)
class Anchor:
    path: Path
    key: bytes
    store_id: str

    def _mac(self, head: AuditHead) -> str:
        msg = f"renewdesk-audit-head\x00{self.store_id}\x00{head.seq}\x00{head.hash}".encode()
        return hmac.new(self.key, msg, hashlib.sha256).hexdigest()

    def read(self) -> AuditHead | None:
        if not self.path.exists():
            return None
        try:
            d = json.loads(self.path.read_text("utf-8"))
            head = AuditHead(int(d["seq"]), str(d["hash"]))
            mac = str(d["mac"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AnchorInvalid("审计锚点文件无法读取") from exc
        if not hmac.compare_digest(mac, self._mac(head)):
            raise AnchorInvalid("审计锚点文件的校验值不符（被改动或不属于本库）")
        return head

    def write(self, head: AuditHead, may_create: bool = False) -> None:
        """Move the anchor forward to `head`.

        A missing or unreadable/forged anchor is only (re)created by the store's first anchored
        transaction (`may_create`). Later, overwriting it would erase the evidence: deleting the
        file and the chain's tail, then logging in, would otherwise verify clean.
        """
        try:
            current = self.read()
        except AnchorInvalid:
            if not may_create:
                log.warning("audit anchor invalid: left as it is for audit verify")
                return
            current = None
        if current is None and not may_create:
            log.warning("audit anchor missing: not recreated (audit verify reports it)")
            return
        if current is not None and current.seq >= head.seq:
            return  # another connection anchored a newer head first: never move it backwards
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps({**head.to_json(), "mac": self._mac(head)}), "utf-8")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)


def note_append(dbapi_conn, seq: int, h: str, may_create: bool = False) -> None:
    """Called by audit.append_raw inside the caller's transaction."""
    earlier = _pending.get(id(dbapi_conn))
    _pending[id(dbapi_conn)] = (seq, h, may_create or bool(earlier and earlier[2]))


def attach(engine: Engine, anchor: Anchor) -> None:
    """Anchor every committed audit entry written through this engine."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn, _record):
        pending = _pending.pop(id(dbapi_conn), None)
        if pending is None:
            return
        seq, h, may_create = pending
        try:
            row = dbapi_conn.execute("SELECT hash FROM audit WHERE seq = ?", (seq,)).fetchone()
            if row and row[0] == h:  # committed (a rolled-back entry is gone)
                anchor.write(AuditHead(seq, h), may_create)
        except Exception as exc:  # the anchor lags; verify still accepts it, so say so in the log
            log.warning("audit anchor not updated (%s)", type(exc).__name__)

    @event.listens_for(engine, "close")
    def _on_close(dbapi_conn, _record):
        _pending.pop(id(dbapi_conn), None)
