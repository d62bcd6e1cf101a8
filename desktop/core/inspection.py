"""年检 due dates (issue 13 item 5) from the registration date and the vehicle class, by a rule
table kept as data (resources/rules/inspection.json, effective-from dates, unconfirmed rules
marked). Pure: the caller loads the JSON. 交强险 must be valid to pass (domain-rules §2), so the
card and the lists show this date beside the 交强险 end.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

KIND_LABEL = {"online": "上线检验", "sticker": "免检（领取检验标志）"}
_USE_CLASS = {"family": "small_passenger", "enterprise": "small_passenger", "government": "small_passenger",
              "taxi_rental": "operating_passenger", "city_bus": "operating_passenger", "coach": "operating_passenger",
              "truck_nonbusiness": "truck", "truck_business": "truck", "motorcycle": "motorcycle"}


@dataclass(frozen=True)
class InspectionDue:
    due: date            # 检验有效期至: the last day of the month it falls due
    kind: str            # online | sticker
    rule: str            # the class label and the table's effective-from date, shown beside the date
    confirmed: bool      # False: label the date 估算/待核实
    overridden: bool = False


def inspection_class(use: str | None, seats: int | None) -> str | None:
    """The rule class for a vehicle's premium-table use; small passenger only up to 9 seats."""
    klass = _USE_CLASS.get(use or "")
    if klass == "small_passenger" and seats is not None and seats > 9:
        return "truck"  # large/medium non-operating passenger cars follow the truck rule
    return klass


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(d: date, months: int) -> tuple[int, int]:
    n = d.year * 12 + d.month - 1 + months
    return n // 12, n % 12 + 1


def ruleset_in_force(doc: Mapping[str, Any], on: date) -> Mapping[str, Any] | None:
    sets = [r for r in doc["rulesets"] if date.fromisoformat(r["effective_from"]) <= on]
    return max(sets, key=lambda r: r["effective_from"]) if sets else None


def _due_months(rule: Mapping[str, Any], horizon_months: int) -> list[tuple[int, str]]:
    """(months after registration, kind) of every check up to the horizon, in order."""
    points = {s["age"] * 12: s["kind"] for s in rule.get("schedule", [])}
    then = sorted(rule.get("then", []), key=lambda t: t["from_age"])
    for i, t in enumerate(then):
        start = t["from_age"] * 12
        stop = then[i + 1]["from_age"] * 12 if i + 1 < len(then) else horizon_months
        m = start + t["every_months"] if start in points or start == 0 else start
        while m <= stop:
            points.setdefault(m, "online")
            m += t["every_months"]
    return sorted(points.items())


def next_inspection(registered: date, klass: str | None, today: date, doc: Mapping[str, Any],
                    override: date | None = None) -> InspectionDue | None:
    """The next 年检 on or after today (an override recorded at the counter wins)."""
    rs = ruleset_in_force(doc, today)
    if rs is None or klass not in rs["classes"]:
        return None
    rule = rs["classes"][klass]
    text = f"{rule['label']}（规则自 {rs['effective_from']} 起）"
    if override is not None:
        return InspectionDue(override, "online", text + "，已人工更正", bool(rule.get("confirmed")), True)
    horizon = (today.year - registered.year + 2) * 12
    for months, kind in _due_months(rule, horizon):
        y, m = _add_months(registered, months)
        due = _month_end(y, m)
        if due >= today:
            return InspectionDue(due, kind, text, bool(rule.get("confirmed")))
    return None
