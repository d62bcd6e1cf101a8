"""Writing an after-sales event (complaints, directory corrections, guide prints) with its outbox row.

Events are append-only and sync as `event` changes (DESIGN §6) through the one row-write function
(store.writes.insert_events), so the row and its outbox change land in the caller's transaction.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection

from desktop.core.ids import new_id
from desktop.store import outbox, writes
from desktop.store.records import EventRec


def write_event(conn: Connection, kind: str, vehicle_id: str | None, detail: dict, note: str | None,
                staff: str, now: datetime, corrects: str | None = None, event_id: str | None = None) -> EventRec:
    event = EventRec(id=event_id or new_id(), vehicle_id=vehicle_id, kind=kind, outcome=None,
                     detail=json.dumps(detail, ensure_ascii=False, sort_keys=True), note=note or None,
                     staff=staff, at=now, corrects=corrects)
    with outbox.changes(conn, now) as changes:
        writes.insert_events(conn, (event,), changes)
    return event
