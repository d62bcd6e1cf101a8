"""Typed, versioned counter settings kept in the store (shared by every workstation of the counter).

Per-workstation choices (elder mode, printer, paper) live in desktop.ui.workstation instead.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core.cadence import parse_cadence
from desktop.core.ids import new_id
from desktop.core.timeutil import CST
from desktop.store import audit, outbox, settings_repo, writes
from desktop.store.records import EventRec

from .auth import StaffSession, require
from .errors import BadInput

SETTINGS_VERSION = 1


@dataclass(frozen=True)
class CounterSettings:
    org: str = "续保台"
    counter_name: str = "服务柜台"
    counter_phone: str = ""
    counter_address: str = ""
    counter_hours: str = "周一至周日 9:00-17:30"
    lead_days: int = 90          # renewal allowed from E − lead_days (regional; insurers refuse earlier)
    idle_lock_minutes: int = 5
    stale_after_days: int = 30   # a figure older than this is marked 可能已过时
    region: str = ""             # province, for the premium estimate's floating table
    # Renewal work (issue 13): contact days before the end, the frequency cap, the 将脱保 window,
    # and the store's own 战败 reasons added beside the locked core (comma-separated).
    contact_cadence: str = "45,33,30"
    contact_cap_day: int = 1
    contact_cap_week: int = 3
    lapsing_days: int = 7
    loss_reasons_extra: str = ""
    version: int = SETTINGS_VERSION


_FIELDS = {f.name: f for f in fields(CounterSettings)}
# Settings that head office shares with every counter: one organisation per server, so its name is
# the same everywhere. The rest describe this counter (name, phone, address, hours, region) or follow
# its region (lead_days), and a per-PC lock time is local policy: those stay local.
SYNCED = ("org",)
_LIMITS = {"lead_days": (1, 365), "idle_lock_minutes": (1, 240), "stale_after_days": (1, 3650),
           "contact_cap_day": (1, 10), "contact_cap_week": (1, 30), "lapsing_days": (0, 90)}


def load(engine: Engine) -> CounterSettings:
    raw = settings_repo.get_all(engine)
    values: dict = {}
    for name, f in _FIELDS.items():
        if name in raw and raw[name] is not None:
            try:
                values[name] = int(raw[name]) if f.type in ("int", int) else raw[name]
            except ValueError:
                continue  # a hand-edited bad value falls back to the default rather than breaking the counter
    return CounterSettings(**values)


def parse_value(key: str, value: str) -> str:
    if key not in _FIELDS or key == "version":
        raise BadInput(f"没有设置项 {key}。可用：{', '.join(k for k in _FIELDS if k != 'version')}")
    if _FIELDS[key].type in ("int", int):
        try:
            n = int(value)
        except ValueError:
            raise BadInput(f"{key} 应为整数。") from None
        lo, hi = _LIMITS.get(key, (0, 10**9))
        if not lo <= n <= hi:
            raise BadInput(f"{key} 应在 {lo} 到 {hi} 之间。")
        return str(n)
    if key == "contact_cadence":
        try:
            return ",".join(str(d) for d in parse_cadence(value))
        except ValueError as exc:
            raise BadInput(str(exc)) from None
    return value.strip()


def put(engine: Engine, actor: StaffSession | None, key: str, value: str) -> None:
    if actor is not None:
        require(actor, "admin")
    stored = parse_value(key, value)
    with engine.begin() as conn:
        settings_repo.put(conn, key, stored)
        settings_repo.put(conn, "version", str(SETTINGS_VERSION))
        if key in SYNCED:  # an org-wide setting travels as an append-only "setting" event
            now = datetime.now(CST)
            with outbox.changes(conn, now) as changes:
                writes.insert_events(conn, (EventRec(new_id(), None, "setting", None,
                                                     json.dumps({"key": key, "value": stored}, ensure_ascii=False),
                                                     None, actor.name if actor else None, now),), changes)
        audit.append(conn, "settings_set", actor.name if actor else None, key)


def as_dict(s: CounterSettings) -> dict:
    return asdict(s)
