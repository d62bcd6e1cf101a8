"""Revealing a customer's full name, phone and ID number: supervisor and up, always audited.

This is the only service that returns personal fields unmasked (lookup masks them). A reveal
needs a reason (个人信息保护法: a specific purpose), kept in the audit entry beside the vehicle id;
the audit never holds the revealed values (domain-rules §6).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from desktop.store import audit

from .auth import StaffSession, require
from .errors import BadInput
from .one_vehicle import bundle_on


@dataclass(frozen=True)
class Revealed:
    vehicle_id: str
    name: str | None
    phone: str | None
    id_number: str | None


MAX_REASON = 100


def reveal(engine: Engine, session: StaffSession, vehicle_id: str, reason: str) -> Revealed:
    require(session, "supervisor")
    reason = " ".join((reason or "").split())
    if not reason:
        raise BadInput("请填写查看完整信息的原因（例如：客户本人到柜台核对）。")
    if len(reason) > MAX_REASON:
        raise BadInput(f"原因太长：请用 {MAX_REASON} 个字以内说明。")
    with engine.begin() as conn:
        owner = bundle_on(conn, vehicle_id, with_events=False).owner
        audit.append(conn, "reveal", session.name, vehicle_id, {"reason": reason})
    if owner is None:
        return Revealed(vehicle_id, None, None, None)
    return Revealed(vehicle_id, owner.name, owner.phone, owner.id_number)
