"""A vehicle's 使用性质 and 核定载人数 as a person types them or an export carries them → what is
stored: the rate table's Chinese use, the seats and the class they fix (issue 13 item 5).

One reading for the card's dialog (services.vehicle_class) and the importer (io.rows), so a value
the card refuses is refused by an import with the same Chinese words. Pure: the rate table comes
in as data (desktop.rates.table("ci_base_2008")).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from desktop.core import premium
from desktop.core.errors import BadInput

SEATS_MAX = 99
# the uses whose premium band and 年检 rule depend on the seats (passenger cars)
BY_SEATS = frozenset({"family", "enterprise", "government", "taxi_rental", "city_bus", "coach"})
# what follows the number in an export's cell: "5座", "5人", "5 座位"
_SEAT_UNITS = ("座位", "座", "人")


def uses(base_table: Mapping[str, Any], on: date) -> dict[str, str]:
    """code → Chinese use name, in the table's order."""
    out: dict[str, str] = {}
    for c in premium.table_in_force(base_table, on)["classes"]:
        out.setdefault(str(c["use"]), str(c.get("use_zh") or c["use"]))
    return out


def parse_use(base_table: Mapping[str, Any], raw: str, on: date) -> str:
    """A use code (family) or its Chinese name or first characters (家庭自用) → the code."""
    text = (raw or "").strip()
    code = premium.resolve_use(base_table, None, text, on) if text else None
    if code is None:
        names = "、".join(dict.fromkeys(uses(base_table, on).values()))
        raise BadInput(f"使用性质「{text[:20]}」不认识：请照行驶证上的“使用性质”填写，可选：{names}"
                       "（也可写 family、taxi_rental 等代码）。")
    return code


def parse_seats_value(raw: object) -> int | None:
    """The seats in a cell or a field (5, 5.0, "5", "5座"), checked for range; None when empty."""
    if raw in (None, ""):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    for unit in _SEAT_UNITS:
        if text.endswith(unit):
            text = text[:-len(unit)].strip()
            break
    try:
        n = int(text)
    except ValueError:
        raise BadInput(f"座位数应为整数，例如 5（收到：{str(raw)[:10]}）。") from None
    if not 1 <= n <= SEATS_MAX:
        raise BadInput(f"座位数 {n} 不对：应在 1 到 {SEATS_MAX} 之间，请核对行驶证上的“核定载人数”。")
    return n


def seats_needed(use: str) -> bool:
    return use in BY_SEATS


MSG_SEATS_NEEDED = "载客汽车还要填座位数：照行驶证上的“核定载人数”填写，例如 5。"


def parse_seats(raw: object, use: str) -> int | None:
    """The seats for `use` (a code): required for a passenger car, checked for range."""
    n = parse_seats_value(raw)
    if n is None and seats_needed(use):
        raise BadInput(MSG_SEATS_NEEDED)
    return n


def class_name(base_table: Mapping[str, Any], use: str, seats: int | None, on: date) -> str | None:
    """The rate table's class that use (a code) and seats fix, None when they fix none."""
    cls = premium.resolve_class(base_table, None, use, seats, on)
    return str(cls["name"]) if cls else None
