"""Recording a vehicle's use and seats from its 行驶证 (issue 13 item 5). An import brings them
only when the file has 使用性质 / 座位数 columns whose values fix a class (read by the same
core.vehicle_use; 非营运 and other 行驶证 words that cover several uses are left for here), and without
them no 年检 rule applies and no premium can be estimated: the card says so and points here. The vehicle row changes through store.writes with its outbox change (it syncs
like any vehicle edit) and an audit entry, in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core import vehicle_use
from desktop.core.timeutil import CST, cst_date
from desktop.rates import table
from desktop.store import audit, outbox, writes

from .auth import StaffSession, require
from .one_vehicle import bundle_on


@dataclass(frozen=True)
class ClassRecorded:
    use: str                 # as stored: the rate table's Chinese use, e.g. 家庭自用汽车
    seats: int | None
    class_name: str | None   # the rate table's class, when use and seats fix one


def _base():
    return table("ci_base_2008")


def uses_on(on) -> dict[str, str]:
    """The uses a clerk may choose (code → Chinese name), for the card's dialog."""
    return vehicle_use.uses(_base(), on)


def record_vehicle_class(engine: Engine, session: StaffSession, vehicle_id: str, raw_use: str,
                         raw_seats: object = None, now: datetime | None = None) -> ClassRecorded:
    """The use and seats read off the 行驶证 become the vehicle's class (its 年检 rule and premium band)."""
    require(session, "clerk")
    now = now or datetime.now(CST)
    today = cst_date(now)
    code = vehicle_use.parse_use(_base(), raw_use, today)
    seats = vehicle_use.parse_seats(raw_seats, code)
    use_zh = vehicle_use.uses(_base(), today)[code]
    klass = vehicle_use.class_name(_base(), code, seats, today)
    with engine.begin() as conn:
        v = bundle_on(conn, vehicle_id, with_events=False).vehicle
        new = replace(v, use=use_zh, seats=seats, vehicle_class=klass)
        if (new.use, new.seats, new.vehicle_class) == (v.use, v.seats, v.vehicle_class):
            return ClassRecorded(use_zh, seats, new.vehicle_class)  # the same again: nothing to sync
        with outbox.changes(conn, now) as changes:
            writes.update_vehicles(conn, (new,), changes)
        audit.append(conn, "vehicle_class", session.name, vehicle_id,
                     {"use": code, "seats": seats, "before": {"use": v.use, "seats": v.seats}})
    return ClassRecorded(use_zh, seats, new.vehicle_class)
