"""交强险 premium estimate (domain-rules §3): base premium × (1 + one floating ratio).

Every figure lives in resources/rates/*.json with an effective-from date; the caller loads the JSON
and passes the dicts in (core does no I/O). Anything computed here is an estimate ("估算") unless
the coefficient printed on the insurer's 《交强险费率浮动告知单》 was recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

_CENT = Decimal("0.01")
_ONE = Decimal(1)

# Chinese use names accepted as well as the table's English codes.
_USE_FIELDS = ("use", "use_zh")
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市")


class PremiumError(ValueError):
    """No estimate possible; the message is Chinese and meant for counter staff."""


@dataclass(frozen=True)
class PremiumEstimate:
    amount: Decimal  # yuan, 2 decimals
    base: Decimal  # base premium, yuan
    ratio: Decimal  # floating ratio, e.g. Decimal("-0.30"); the factor is 1 + ratio
    is_estimate: bool  # False only when the insurer's recorded coefficient was used
    unconfirmed: bool  # True when a ratio or the region grouping is marked unconfirmed in the data
    note: str


def table_in_force(doc: Mapping[str, Any], on_date: date) -> Mapping[str, Any]:
    """The table whose effective_from is the latest one on or before ``on_date``."""
    best: Mapping[str, Any] | None = None
    for table in doc["tables"]:
        start = date.fromisoformat(table["effective_from"])
        if start <= on_date and (best is None or start > date.fromisoformat(best["effective_from"])):
            best = table
    if best is None:
        raise PremiumError(f"没有 {on_date.isoformat()} 适用的费率表")
    return best


def lapse_fine_example(base_table: Mapping[str, Any], on_date: date) -> Decimal:
    """The fine for driving without 交强险 (2 × the premium payable, domain-rules §2), for the
    commonest car: a family car under 6 seats at the base premium of the table in force."""
    table = table_in_force(base_table, on_date)
    return 2 * _base_yuan(table, _find_class(table, "FAMILY_LT6"))


def _in_band(band: Mapping[str, Any], value: Decimal) -> bool:
    lo, hi = band.get("min"), band.get("max")
    # Default rule from domain-rules §3: lower bound included, upper excluded (6 seats is "6座及以上").
    if lo is not None:
        lo_d = Decimal(str(lo))
        if value < lo_d or (value == lo_d and not band.get("min_inclusive", True)):
            return False
    if hi is not None:
        hi_d = Decimal(str(hi))
        if value > hi_d or (value == hi_d and not band.get("max_inclusive", False)):
            return False
    return True


def class_code_for(
    use: str,
    seats: int | None = None,
    tonnage: float | Decimal | None = None,
    *,
    base_table: Mapping[str, Any],
    displacement_cc: float | Decimal | None = None,
    special_class: int | None = None,
    tractor_class: int | None = None,
    trailer: bool = False,
    on_date: date | None = None,
) -> str:
    """Class code for a vehicle, picking the band from the table data (bands are data, not code).

    ``use`` is the table's use code (family, enterprise, government, taxi_rental, city_bus, coach,
    truck_nonbusiness, truck_business, special, motorcycle, tractor) or its Chinese name.
    """
    tables = base_table["tables"]
    table = table_in_force(base_table, on_date) if on_date else max(tables, key=lambda t: t["effective_from"])
    measures: dict[str, Any] = {
        "seats": seats,
        "tonnage": tonnage,
        "cc": displacement_cc,
        "special_class": special_class,
        "tractor_class": tractor_class,
    }
    candidates = [
        c for c in table["classes"]
        if use in (c.get(f) for f in _USE_FIELDS) and bool(c.get("trailer", False)) == trailer
    ]
    if not candidates:
        raise PremiumError(f"费率表中没有「{use}」这种使用性质")
    for c in candidates:
        band = c.get("band")
        if band is None:
            return str(c["code"])
        value = measures.get(band["measure"])
        if value is None:
            continue
        if _in_band(band, Decimal(str(value))):
            return str(c["code"])
    needed = sorted({c["band"]["measure"] for c in candidates if c.get("band")})
    raise PremiumError(f"「{use}」找不到对应的费率档次，请核对：{'、'.join(needed)}")


def _find_class(table: Mapping[str, Any], code: str) -> Mapping[str, Any]:
    for c in table["classes"]:
        if c["code"] == code:
            return c
    raise PremiumError(f"费率表中没有车辆类别「{code}」")


def _base_yuan(table: Mapping[str, Any], cls: Mapping[str, Any]) -> Decimal:
    if cls.get("of"):  # trailers pay a share of the matching truck
        of = _find_class(table, cls["of"])
        return (Decimal(str(of["yuan"])) * Decimal(str(cls["factor"]))).quantize(_CENT, ROUND_HALF_UP)
    if cls.get("yuan") is None:
        raise PremiumError(f"{cls['name']}的保费由各地规定，请按保险公司的告知单录入")
    return Decimal(str(cls["yuan"]))


def _normalise_place(s: str) -> str:
    s = s.strip()
    for suffix in _SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix) + 1:
            return s[: -len(suffix)]
    return s


def _find_region(table: Mapping[str, Any], region_or_province: str | None) -> tuple[Mapping[str, Any], bool]:
    """(region entry, found_by_province). The national pre-2020 table has a single entry."""
    regions = table["regions"]
    if table.get("national"):
        return regions[0], False
    if not region_or_province:
        raise PremiumError("请选择出单机构所在的省份或地区（A–E）")
    key = region_or_province.strip().upper()
    for r in regions:
        if r["region"] == key:
            return r, False
    place = _normalise_place(region_or_province)
    for r in regions:
        if place in r["provinces"]:
            return r, True
    raise PremiumError(f"找不到「{region_or_province}」对应的浮动费率地区")


def parse_coefficient(value: Decimal | float | str) -> Decimal:
    """The 告知单 coefficient as a factor: 0.7, or a percentage ratio string "-30%" (→ 0.7)."""
    try:
        if isinstance(value, str) and value.strip().endswith("%"):
            factor = _ONE + Decimal(value.strip()[:-1]) / 100
        else:
            factor = Decimal(str(value))
    except InvalidOperation:
        raise PremiumError(f"浮动系数「{value}」不是数字") from None
    if not factor.is_finite() or factor <= 0:
        raise PremiumError(f"浮动系数「{value}」不对：应写成 0.7 或 -30% 这样的形式")
    return factor


def estimate_ci_premium(
    base_table: Mapping[str, Any],
    floating_table: Mapping[str, Any],
    class_code: str,
    region_or_province: str | None,
    ratio_code: str | None,
    on_date: date,
    recorded_coefficient: Decimal | float | str | None = None,
) -> PremiumEstimate:
    """交强险 premium for ``class_code`` on ``on_date``.

    ``recorded_coefficient`` is the factor from the insurer's 告知单 (0.7, or "-30%"); when given
    it wins over the table and the result is not an estimate. Motorcycles and tractors never float.
    """
    table = table_in_force(base_table, on_date)
    cls = _find_class(table, class_code)
    base = _base_yuan(table, cls)
    floats = bool(cls.get("floats", True))

    if recorded_coefficient is not None:
        factor = parse_coefficient(recorded_coefficient)
        note = f"按保险公司告知单的浮动系数 {factor.normalize()} 计算"
        if not floats and factor != _ONE:
            note += "；注意：此类车辆不实行费率浮动，请核对告知单"
        return PremiumEstimate(
            (base * factor).quantize(_CENT, ROUND_HALF_UP), base, factor - _ONE, False, False, note
        )

    if not floats:
        return PremiumEstimate(
            base.quantize(_CENT), base, Decimal(0), True, False,
            f"估算：{cls['name']}不实行费率浮动，按基础保费 {base} 元",
        )
    if ratio_code is None:
        return PremiumEstimate(
            base.quantize(_CENT), base, Decimal(0), True, False,
            f"估算：浮动比率未知，按基础保费 {base} 元",
        )

    fl = table_in_force(floating_table, on_date)
    region, by_province = _find_region(fl, region_or_province)
    cell = region["ratios"].get(ratio_code.strip().upper())
    if cell is None:
        raise PremiumError(f"没有浮动比率代码「{ratio_code}」")
    ratio = Decimal(str(cell["value"]))
    unconfirmed = bool(cell.get("unconfirmed")) or (by_province and bool(region.get("grouping_unconfirmed")))
    where = "全国" if fl.get("national") else f"{region['region']} 类地区"
    note = f"估算：基础保费 {base} 元 × (1 {'+' if ratio >= 0 else '−'} {abs(ratio) * 100:.0f}%)，{where} {ratio_code}"
    if unconfirmed:
        note += "；所用比率或地区划分未经证实，仅供参考"
    elif cell.get("weakly_confirmed"):
        note += "；所用比率来源可信度较低"
    return PremiumEstimate(
        (base * (_ONE + ratio)).quantize(_CENT, ROUND_HALF_UP), base, ratio, True, unconfirmed, note
    )


def _squash(s: str) -> str:
    return "".join((s or "").split()).replace("-", "–")


def resolve_class(base_table: Mapping[str, Any], vehicle_class: str | None, use: str | None,
                  seats: int | None, on_date: date) -> Mapping[str, Any] | None:
    """The table's class entry for a stored vehicle: its class code, or its Chinese class name
    (imports and the demo write "家庭自用汽车6座以下", spaces or not), else its use and seats.
    None when nothing fits: the card then says the class is unknown instead of guessing."""
    table = table_in_force(base_table, on_date)
    if vehicle_class:
        want = _squash(vehicle_class)
        for c in table["classes"]:
            if c["code"] == vehicle_class.strip().upper() or _squash(c["name"]) == want:
                return c
    if use:
        u = use.strip()
        for c in table["classes"]:  # "家庭自用" names the use "家庭自用汽车" by its first characters
            if u in (c.get("use"), c.get("use_zh")) or (len(u) >= 2 and str(c.get("use_zh", "")).startswith(u)):
                try:
                    return _find_class(table, class_code_for(c["use"], seats, base_table=base_table,
                                                             on_date=on_date))
                except PremiumError:
                    return None
    return None


def resolve_use(base_table: Mapping[str, Any], vehicle_class: str | None, use: str | None,
                on_date: date) -> str | None:
    """The table's use code (family, motorcycle, …) even when no band fits (a motorcycle with no
    displacement): the 年检 rule needs only the use."""
    cls = resolve_class(base_table, vehicle_class, use, None, on_date) if vehicle_class else None
    if cls is not None:
        return str(cls["use"])
    u = (use or "").strip()
    for c in table_in_force(base_table, on_date)["classes"]:
        if u and (u in (c.get("use"), c.get("use_zh")) or (len(u) >= 2 and str(c.get("use_zh", "")).startswith(u))):
            return str(c["use"])
    return None
