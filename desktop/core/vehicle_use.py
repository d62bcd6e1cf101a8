"""A vehicle's 使用性质 and 核定载人数 as a person types them or an export carries them → what is
stored: the rate table's Chinese use, the seats and the class they fix (issue 13 item 5).

One reading for the card's dialog (services.vehicle_class) and the importer (io.rows): the card
refuses a value that fixes no use, an import keeps the row and warns on the cell (io.rows). The
行驶证 (and the DMS exports copied from it) says 使用性质 in its own words (GA 24.1: 非营运, 出租客运,
公交客运 …), not the rate table's: the ones that name exactly one of the table's uses are read as
that use; 非营运 / 营运 / 营转非 … cover several (a private car and a company's car are both 非营运)
and get advice on which to choose instead of a guess. Pure: the rate table comes in as data
(desktop.rates.table("ci_base_2008")).
"""
from __future__ import annotations

import unicodedata
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


# 行驶证 使用性质 that name exactly one use of the rate table (the table's codes, not new classes).
LICENCE_USES = {
    "出租客运": "taxi_rental", "出租": "taxi_rental", "出租车": "taxi_rental", "预约出租客运": "taxi_rental",
    "租赁": "taxi_rental",
    "公交客运": "city_bus", "公交": "city_bus",
    "公路客运": "coach", "旅游客运": "coach",
    "货运": "truck_business",
}
# …and those that cover several: which of the table's uses to choose, by who owns the car and what
# it does. Names in quotes are the table's use_zh (a test keeps them so).
_ADVICE_NON_OPERATING = ("私人的车选“家庭自用汽车”，企业的车选“企业非营业汽车”，党政机关、事业单位、"
                         "社会团体的车选“机关非营业汽车”，货车选“非营业货车”，摩托车选“摩托车”")
_ADVICE_OPERATING = ("出租车、租赁车选“营业出租租赁”，公交车选“营业城市公交”，长途班车、旅游客车选"
                     "“营业公路客运”，货车选“营业货车”")
_ADVICE_SPECIAL = ("驾校、企业的客车选“企业非营业汽车”，警车等机关单位的客车选“机关非营业汽车”，消防、救护、"
                   "工程救险等装有专用设备的车选“特种车”，货车选“营业货车”或“非营业货车”")
LICENCE_AMBIGUOUS = {
    **dict.fromkeys(("非营运", "非营业", "营转非", "出租转非", "预约出租转非"), _ADVICE_NON_OPERATING),
    **dict.fromkeys(("营运", "营业", "客运"), _ADVICE_OPERATING),
    **dict.fromkeys(("教练", "警用", "消防", "救护", "工程救险", "危化品运输", "幼儿校车", "小学生校车",
                     "中小学生校车", "初中生校车", "其他校车", "校车"), _ADVICE_SPECIAL),
}


def _squashed(raw: str) -> str:
    return "".join(unicodedata.normalize("NFKC", raw or "").split())


def parse_use(base_table: Mapping[str, Any], raw: str, on: date) -> str:
    """A use code (family), its Chinese name or first characters (家庭自用), or a 行驶证 使用性质 that
    names one use (出租客运) → the code; anything else is BadInput saying what to choose."""
    text = _squashed(raw)
    names = uses(base_table, on)
    code = LICENCE_USES.get(text)
    if code in names:
        return code
    # first characters name a use only when they start one use's name: 营业 starts four
    starts = {c for c, zh in names.items() if len(text) >= 2 and zh.startswith(text)}
    if text and text not in LICENCE_AMBIGUOUS and (text in names or len(starts) == 1):
        code = premium.resolve_use(base_table, None, text, on)
        if code is not None:
            return code
    raise BadInput(f"使用性质「{text[:20]}」{use_advice(base_table, text, on)}。")


def use_advice(base_table: Mapping[str, Any], raw: str, on: date) -> str:
    """Why a value fixes no use and which of the rate table's uses to choose (Chinese, no 。)."""
    text = _squashed(raw)
    names = uses(base_table, on)
    if text in LICENCE_AMBIGUOUS:
        return f"是行驶证上的写法，对应费率表的几种使用性质，要按车的归属和用途选一种：{LICENCE_AMBIGUOUS[text]}"
    starts = [zh for zh in names.values() if len(text) >= 2 and zh.startswith(text)]
    if len(starts) > 1:
        return f"对应费率表的几种使用性质，请选一种：{'、'.join(starts)}"
    return (f"不认识，请选费率表上的一种：{'、'.join(dict.fromkeys(names.values()))}（也可写 family、taxi_rental "
            "等代码；行驶证写“非营运”的，私人的车选“家庭自用汽车”，单位的车选“企业非营业汽车”或“机关非营业汽车”）")


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
