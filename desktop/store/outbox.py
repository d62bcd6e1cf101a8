"""Outbox: every local write adds one row here in the same transaction (DESIGN §6).

device_seq is gap-free because it is allocated inside the writer's BEGIN IMMEDIATE transaction.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection, text

from desktop.core.hlc import HLC
from desktop.core.ids import new_id

from .records import iso

LOCAL_NODE = "local"  # the node until the device enrols with head office and gets its id


def local_stamp(now: datetime) -> str:
    """The hybrid-logical-clock stamp of a local change made at `now` (core.hlc's sortable form)."""
    return str(HLC(int(now.timestamp() * 1000), 0, LOCAL_NODE))


def enqueue(conn: Connection, entity: str, op: str, payload: dict, hlc: str, now: datetime) -> str:
    seq = conn.execute(text("SELECT COALESCE(MAX(device_seq), 0) + 1 FROM outbox")).scalar()
    change_id = new_id()
    conn.execute(
        text("INSERT INTO outbox(change_id, device_seq, entity, op, payload, hlc, created_at, state) "
             "VALUES (:c, :s, :e, :o, :p, :h, :at, 'pending')"),
        dict(c=change_id, s=seq, e=entity, o=op, p=json.dumps(payload, ensure_ascii=False, default=str),
             h=hlc, at=iso(now)),
    )
    return change_id


def pending_count(conn: Connection) -> int:
    return conn.execute(text("SELECT count(*) FROM outbox WHERE state = 'pending'")).scalar()
