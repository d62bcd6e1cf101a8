"""A vehicle on the real encrypted store with known class, registration date and money columns,
written through store.writes (the one row-write path), for the card's facts and letters."""
from __future__ import annotations

from datetime import datetime

from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.store import outbox, vehicles_repo, writes
from desktop.store.records import CustomerRec, TermRec, VehicleRec


def add_car(engine, *, registered: str | None, vehicle_class: str | None = "家庭自用汽车6座以下",
            use: str | None = "家庭自用", seats: int | None = 5,
            terms: tuple[tuple[str, str, str | None, str | None, str], ...] = (), seed: int = 5,
            address: str = "广东省广州市天河区示例路 8 号", energy: str | None = "汽油",
            plate: str | None = None) -> tuple[str, str]:
    """terms: (start ISO, end ISO, premium, vehicle_tax, policy_no) of 交强险 terms. (vehicle id, plate)."""
    f = FakeData(seed)
    plate, vin, name, phone = plate or f.plate(), f.vin(), f.name(), f.mobile()
    cid, vid = new_id(), new_id()
    now = datetime.fromisoformat("2026-11-20T09:00:00+08:00")
    with engine.begin() as conn:
        with outbox.changes(conn, now) as ch:
            writes.insert_customers(conn, (CustomerRec(cid, name, phone, None, address),), now, ch)
            writes.insert_vehicles(conn, (VehicleRec(vid, plate, vin, cid, vehicle_class, use, seats, energy,
                                                     registered),), now, ch)
            writes.insert_terms(conn, [TermRec(new_id(), vid, "CI", s, e, "示例财险", no, prem, None, tax,
                                               "counter", "2026-11-20T09:00:00+08:00", "clerk")
                                       for s, e, prem, tax, no in terms], ch)
        vehicles_repo.write_search_keys(conn.connection.driver_connection, vid, plate, vin, name, phone, None)
    return vid, plate
