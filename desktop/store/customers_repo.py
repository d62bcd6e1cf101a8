"""Reads about one customer that a contact edit needs (the rows are written by store.writes)."""
from __future__ import annotations

from sqlalchemy import Connection, text

from .records import VehicleRec
from .uuidcol import blob

_V_COLS = "id, plate, vin, owner_id, vehicle_class, use, seats, energy, registered_on"


def vehicles_of_owner(conn: Connection, customer_id: str) -> list[VehicleRec]:
    """Every live vehicle this customer owns: their search keys carry the owner's phone."""
    rows = conn.execute(text(f"SELECT {_V_COLS} FROM vehicle WHERE owner_id = :c AND deleted = 0"),
                        {"c": blob(customer_id)}).fetchall()
    return [VehicleRec(*r) for r in rows]
