"""The one vehicle a card action is about, or the Chinese refusal when it is gone (deleted at
another counter, merged away by sync) between the search and the click."""
from __future__ import annotations

from sqlalchemy.engine import Connection, Engine

from desktop.store import vehicles_repo
from desktop.store.records import VehicleBundle

from .errors import BadInput

MSG_NO_VEHICLE = "找不到这辆车（可能已被删除）。"


def bundle_on(conn: Connection, vehicle_id: str, with_events: bool = True) -> VehicleBundle:
    """The vehicle's bundle read on `conn` (inside the caller's transaction)."""
    found = vehicles_repo.load_bundles(conn, [vehicle_id], with_events=with_events)
    if not found:
        raise BadInput(MSG_NO_VEHICLE)
    return found[0]


def bundle(engine: Engine, vehicle_id: str, with_events: bool = True) -> VehicleBundle:
    """The vehicle's bundle as it is now, read in a short transaction of its own."""
    with engine.connect() as conn:
        try:
            return bundle_on(conn, vehicle_id, with_events)
        finally:
            conn.rollback()
