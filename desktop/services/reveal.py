"""Revealing a customer's full name, phone and ID number: supervisor and up, always audited.

The audit entry names the vehicle only, never the revealed values (domain-rules §6).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from desktop.store import audit, vehicles_repo

from .auth import StaffSession, require
from .errors import BadInput


@dataclass(frozen=True)
class Revealed:
    vehicle_id: str
    name: str | None
    phone: str | None
    id_number: str | None


def reveal(engine: Engine, session: StaffSession, vehicle_id: str) -> Revealed:
    require(session, "supervisor")
    with engine.begin() as conn:
        bundles = vehicles_repo.load_bundles(conn, [vehicle_id], with_events=False)
        if not bundles:
            raise BadInput("找不到这辆车（可能已被删除）。")
        owner = bundles[0].owner
        audit.append(conn, "reveal", session.name, vehicle_id)
    if owner is None:
        return Revealed(vehicle_id, None, None, None)
    return Revealed(vehicle_id, owner.name, owner.phone, owner.id_number)
