"""Recording a vehicle's use and seats from its 行驶证 (issue 13 item 5). Imported files rarely
carry them, and without them no 年检 rule applies and no premium can be estimated: the card says
so and points here. The vehicle row changes through store.writes with its outbox change (it syncs
like any vehicle edit) and an audit entry, in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core import premium as premium_core
from desktop.core.timeutil import CST, cst_date
from desktop.rates import table
from desktop.store import audit, outbox, vehicles_repo, writes

from .auth import StaffSession, require
from .errors import BadInput

SEATS_MAX = 99
# the uses whose premium band and 年检 rule depend on the seats (passenger cars)
_BY_SEATS = {"family", "enterprise", "government", "taxi_rental", "city_bus", "coach"}


@dataclass(frozen=True)
class ClassRecorded:
    use: str                 # as stored: the rate table's Chinese use, e.g. 家庭自用汽车
    seats: int | None
    class_name: str | None   # the rate table's class, when use and seats fix one


def _uses(on) -> dict[str, str]:
    """code → Chinese use name, in the table's order."""
    out: dict[str, str] = {}
    for c in premium_core.table_in_force(table("ci_base_2008"), on)["classes"]:
        out.setdefault(str(c["use"]), str(c.get("use_zh") or c["use"]))
    return out


def uses_on(on) -> dict[str, str]:
    """The uses a clerk may choose (code → Chinese name), for the card's dialog."""
    return _uses(on)


def parse_use(raw: str, on) -> str:
    """A use code (family) or its Chinese name or first characters (家庭自用) → the code."""
    text = (raw or "").strip()
    uses = _uses(on)
    code = premium_core.resolve_use(table("ci_base_2008"), None, text, on) if text else None
    if code is None:
        names = "、".join(dict.fromkeys(uses.values()))
        raise BadInput(f"使用性质「{text[:20]}」不认识：请照行驶证上的“使用性质”填写，可选：{names}"
                       "（也可写 family、taxi_rental 等代码）。")
    return code


def parse_seats(raw: object, use: str) -> int | None:
    if raw in (None, ""):
        if use in _BY_SEATS:
            raise BadInput("载客汽车还要填座位数：照行驶证上的“核定载人数”填写，例如 5。")
        return None
    try:
        n = int(str(raw).strip())
    except ValueError:
        raise BadInput(f"座位数应为整数，例如 5（收到：{str(raw)[:10]}）。") from None
    if not 1 <= n <= SEATS_MAX:
        raise BadInput(f"座位数 {n} 不对：应在 1 到 {SEATS_MAX} 之间，请核对行驶证上的“核定载人数”。")
    return n


def record_vehicle_class(engine: Engine, session: StaffSession, vehicle_id: str, raw_use: str,
                         raw_seats: object = None, now: datetime | None = None) -> ClassRecorded:
    """The use and seats read off the 行驶证 become the vehicle's class (its 年检 rule and premium band)."""
    require(session, "clerk")
    now = now or datetime.now(CST)
    today = cst_date(now)
    code = parse_use(raw_use, today)
    seats = parse_seats(raw_seats, code)
    use_zh = _uses(today)[code]
    cls = premium_core.resolve_class(table("ci_base_2008"), None, code, seats, today)
    with engine.begin() as conn:
        found = vehicles_repo.load_bundles(conn, [vehicle_id], with_events=False)
        if not found:
            raise BadInput("找不到这辆车（可能已被删除）。")
        v = found[0].vehicle
        new = replace(v, use=use_zh, seats=seats, vehicle_class=str(cls["name"]) if cls else None)
        if (new.use, new.seats, new.vehicle_class) == (v.use, v.seats, v.vehicle_class):
            return ClassRecorded(use_zh, seats, new.vehicle_class)  # the same again: nothing to sync
        with outbox.changes(conn, now) as changes:
            writes.update_vehicles(conn, (new,), changes)
        audit.append(conn, "vehicle_class", session.name, vehicle_id,
                     {"use": code, "seats": seats, "before": {"use": v.use, "seats": v.seats}})
    return ClassRecorded(use_zh, seats, new.vehicle_class)
