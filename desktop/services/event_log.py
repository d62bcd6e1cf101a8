"""Writing an after-sales event (complaints, directory corrections, guide prints) with its outbox row.

Events are append-only and sync as `event` changes (DESIGN §6; payload = the whole row, `detail` the
stored JSON text). One helper so every after-sales write stores the row and its outbox change in the
caller's transaction, never one without the other.
"""
from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Connection

from desktop.core.ids import new_id
from desktop.store import outbox, vehicles_repo
from desktop.store.records import EventRec, iso


def write_event(conn: Connection, kind: str, vehicle_id: str | None, detail: dict, note: str | None,
                staff: str, now: datetime, corrects: str | None = None, event_id: str | None = None) -> EventRec:
    event = EventRec(id=event_id or new_id(), vehicle_id=vehicle_id, kind=kind, outcome=None,
                     detail=json.dumps(detail, ensure_ascii=False, sort_keys=True), note=note or None,
                     staff=staff, at=now, corrects=corrects)
    vehicles_repo.insert_event(conn, event)
    outbox.enqueue(conn, "event", "upsert",
                   {"id": event.id, "vehicle_id": vehicle_id, "kind": kind, "outcome": None,
                    "detail": event.detail, "note": event.note, "staff": staff, "at": iso(now),
                    "corrects": corrects},
                   outbox.local_stamp(now), now)
    return event
