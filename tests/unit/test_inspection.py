"""The 年检 rule table (resources/rules/inspection.json) and core.inspection."""
import json
from datetime import date

from desktop.core.inspection import inspection_class, next_inspection, ruleset_in_force
from desktop.paths import resource_path

DOC = json.loads(resource_path("rules", "inspection.json").read_text(encoding="utf-8"))


def test_every_ruleset_has_an_effective_date_and_marks_confirmation():
    for rs in DOC["rulesets"]:
        date.fromisoformat(rs["effective_from"])
        for rule in rs["classes"].values():
            assert isinstance(rule["confirmed"], bool) and rule["label"]
    assert ruleset_in_force(DOC, date(2022, 9, 30))["effective_from"] == "2014-09-01"
    assert ruleset_in_force(DOC, date(2022, 10, 1))["effective_from"] == "2022-10-01"
    assert ruleset_in_force(DOC, date(2010, 1, 1)) is None


def test_private_car_since_2022_sticker_at_2_and_4_online_at_6_and_10_then_yearly():
    reg = date(2020, 3, 15)
    due = next_inspection(reg, "small_passenger", date(2026, 12, 1), DOC)
    assert (due.due, due.kind) == (date(2028, 3, 31), "sticker")  # year 8
    assert next_inspection(reg, "small_passenger", date(2026, 3, 1), DOC).due == date(2026, 3, 31)  # year 6
    assert next_inspection(reg, "small_passenger", date(2026, 3, 1), DOC).kind == "online"
    old = next_inspection(date(2014, 5, 2), "small_passenger", date(2026, 12, 1), DOC)
    assert (old.due, old.kind) == (date(2027, 5, 31), "online")  # over 10 years: every year
    assert "2022-10-01" in old.rule and old.confirmed


def test_over_15_years_every_six_months_and_operating_cars_yearly_then_half_yearly():
    assert next_inspection(date(2010, 1, 10), "small_passenger", date(2026, 2, 1), DOC).due == date(2026, 7, 31)
    assert next_inspection(date(2023, 6, 1), "operating_passenger", date(2026, 12, 1), DOC).due == date(2027, 6, 30)
    assert next_inspection(date(2019, 6, 1), "operating_passenger", date(2026, 12, 1), DOC).due == date(2026, 12, 31)


def test_unconfirmed_rules_are_marked_and_an_override_wins():
    due = next_inspection(date(2022, 1, 1), "motorcycle", date(2026, 12, 1), DOC)
    assert due is not None and not due.confirmed
    fixed = next_inspection(date(2020, 3, 15), "small_passenger", date(2026, 12, 1), DOC, override=date(2027, 1, 31))
    assert fixed.overridden and fixed.due == date(2027, 1, 31) and "人工更正" in fixed.rule


def test_class_from_the_premium_table_use():
    assert inspection_class("family", 5) == "small_passenger"
    assert inspection_class("enterprise", 12) == "truck"
    assert inspection_class("taxi_rental", 5) == "operating_passenger"
    assert inspection_class(None, None) is None
