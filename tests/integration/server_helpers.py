"""Building blocks for head-office tests: wire changes with valid fictitious payloads."""
from __future__ import annotations

import time

from desktop.core.fakes import FakeData
from desktop.core.hlc import HLC
from desktop.core.ids import new_id

_fake = FakeData(12)


def stamp(device_id: str, seq: int, ahead_ms: int = 0) -> str:
    return str(HLC(time.time_ns() // 1_000_000 + ahead_ms, seq, device_id))


def vehicle_payload(vid: str | None = None, **over) -> dict:
    vid = vid or new_id()
    return {"id": vid, "plate": _fake.plate("ordinary"), "vin": _fake.vin(), "vehicle_class": "A1", "use": "private",
            "seats": 5, "energy": None, "registered_on": "2019-05-01", "owner_id": None} | over


def customer_payload(cid: str | None = None, **over) -> dict:
    cid = cid or new_id()
    return {"id": cid, "name": "测试客户", "phone": _fake.mobile(), "id_number": _fake.id_number(),
            "address": "示例市和平路1号", "consent_contact": True, "consent_mail": True, "notes": None} | over


def term_payload(vehicle_id: str, tid: str | None = None, **over) -> dict:
    tid = tid or new_id()
    return {"id": tid, "vehicle_id": vehicle_id, "kind": "CI", "insurer": "安泰财产保险", "policy_no": None,
            "start_at": "2026-01-01T00:00:00+08:00", "end_at": "2027-01-01T00:00:00+08:00", "premium": "950.00",
            "float_coef": "1.0", "vehicle_tax": "360", "source": "counter", "as_of": "2026-01-01T10:00:00+08:00",
            "verified_by": "admin"} | over


def event_payload(vehicle_id: str | None = None, eid: str | None = None, **over) -> dict:
    eid = eid or new_id()
    return {"id": eid, "vehicle_id": vehicle_id or new_id(), "kind": "outcome", "outcome": "will_come",
            "detail": None, "note": None, "staff": "admin", "at": "2026-12-01T10:00:00+08:00", "corrects": None} | over


def change(device_id: str, seq: int, entity: str = "event", payload: dict | None = None, op: str = "upsert",
           ahead_ms: int = 0, change_id: str | None = None, hlc: str | None = None) -> dict:
    payload = payload if payload is not None else event_payload()
    return {"change_id": change_id or new_id(), "device_seq": seq, "entity": entity, "entity_id": payload["id"],
            "op": op, "payload": payload, "hlc": hlc or stamp(device_id, seq, ahead_ms)}


def events(device_id: str, first: int, n: int) -> list[dict]:
    return [change(device_id, s) for s in range(first, first + n)]
