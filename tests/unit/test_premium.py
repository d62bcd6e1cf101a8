"""交强险 premium estimates from the shipped rate tables (domain-rules §3)."""

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from desktop.core.premium import PremiumError, class_code_for, estimate_ci_premium, table_in_force

RATES = Path(__file__).resolve().parents[2] / "resources" / "rates"


@pytest.fixture(scope="module")
def base():
    return json.loads((RATES / "ci_base_2008.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def floating():
    return json.loads((RATES / "ci_floating.json").read_text(encoding="utf-8"))


ON = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("use", "seats", "tonnage", "kw", "code"),
    [
        ("family", 5, None, {}, "FAMILY_LT6"),
        ("family", 6, None, {}, "FAMILY_GE6"),  # lower bound included: 6 seats is 6座及以上
        ("家庭自用汽车", 7, None, {}, "FAMILY_GE6"),
        ("enterprise", 9, None, {}, "ENT_6_10"),
        ("enterprise", 10, None, {}, "ENT_10_20"),
        ("enterprise", 20, None, {}, "ENT_GE20"),
        ("government", 5, None, {}, "GOV_LT6"),
        ("taxi_rental", 36, None, {}, "TAXI_GE36"),
        ("city_bus", 35, None, {}, "BUS_20_36"),
        ("coach", 6, None, {}, "COACH_6_10"),
        ("truck_nonbusiness", None, Decimal("1.99"), {}, "TRUCK_NB_LT2"),
        ("truck_business", None, 2, {}, "TRUCK_OP_2_5"),
        ("truck_business", None, 10, {}, "TRUCK_OP_GE10"),
        ("truck_business", None, 3, {"trailer": True}, "TRUCK_OP_2_5_TRAILER"),
        ("special", None, None, {"special_class": 4}, "SPECIAL_4"),
        ("motorcycle", None, None, {"displacement_cc": 50}, "MOTO_LE50"),
        ("motorcycle", None, None, {"displacement_cc": 51}, "MOTO_50_250"),
        ("motorcycle", None, None, {"displacement_cc": 250}, "MOTO_50_250"),
        ("motorcycle", None, None, {"displacement_cc": 251}, "MOTO_GT250"),
        ("tractor", None, None, {"tractor_class": 2}, "TRACTOR_2"),
    ],
)
def test_class_code_for(base, use, seats, tonnage, kw, code):
    assert class_code_for(use, seats, tonnage, base_table=base, **kw) == code


@pytest.mark.parametrize(("use", "seats"), [("boat", 5), ("city_bus", 5), ("family", None)])
def test_class_code_for_rejects(base, use, seats):
    with pytest.raises(PremiumError):
        class_code_for(use, seats, base_table=base)


def test_six_seat_family_car_base_is_1100(base, floating):
    code = class_code_for("family", 6, base_table=base)
    est = estimate_ci_premium(base, floating, code, "江苏", None, ON)
    assert est.base == Decimal(1100) and est.amount == Decimal("1100.00") and est.is_estimate


def test_region_e_a3_minus_30(base, floating):
    est = estimate_ci_premium(base, floating, "FAMILY_GE6", "E", "A3", ON)
    assert est.amount == Decimal("770.00") and est.ratio == Decimal("-0.30")
    assert est.is_estimate and not est.unconfirmed and "估算" in est.note
    by_province = estimate_ci_premium(base, floating, "FAMILY_LT6", "广东省", "A3", ON)
    assert by_province.amount == Decimal("665.00") and not by_province.unconfirmed


@pytest.mark.parametrize(("coef", "amount", "ratio"), [(Decimal("0.9"), "990.00", "-0.1"), ("-30%", "770.00", "-0.30"),
                                                        (1.1, "1210.00", "0.1")])
def test_recorded_coefficient_wins(base, floating, coef, amount, ratio):
    est = estimate_ci_premium(base, floating, "FAMILY_GE6", "海南", "A1", ON, recorded_coefficient=coef)
    assert est.amount == Decimal(amount) and est.ratio == Decimal(ratio)
    assert not est.is_estimate and not est.unconfirmed and "告知单" in est.note


@pytest.mark.parametrize("coef", [0, -0.3, "abc", "NaN"])
def test_bad_recorded_coefficient(base, floating, coef):
    with pytest.raises(PremiumError):
        estimate_ci_premium(base, floating, "FAMILY_GE6", "E", "A1", ON, recorded_coefficient=coef)


def test_region_a_cells_are_unconfirmed(base, floating):
    a1 = estimate_ci_premium(base, floating, "FAMILY_LT6", "A", "A1", ON)
    assert a1.unconfirmed and a1.ratio == Decimal("-0.30") and "未经证实" in a1.note
    # A3 itself is weakly confirmed, but the province grouping is not
    by_province = estimate_ci_premium(base, floating, "FAMILY_LT6", "内蒙古自治区", "A3", ON)
    assert by_province.unconfirmed and by_province.amount == Decimal("475.00")
    by_letter = estimate_ci_premium(base, floating, "FAMILY_LT6", "A", "A3", ON)
    assert not by_letter.unconfirmed and "可信度较低" in by_letter.note


def test_every_region_a_to_d_cell_flagged(floating):
    t = table_in_force(floating, ON)
    for region in t["regions"]:
        if region["region"] == "E":
            assert not region["grouping_unconfirmed"]
            assert not any(c["unconfirmed"] for c in region["ratios"].values())
        else:
            assert region["grouping_unconfirmed"]
            for code, cell in region["ratios"].items():
                assert cell["unconfirmed"] == (code != "A3")


def test_provinces_each_in_exactly_one_region(floating):
    t = table_in_force(floating, ON)
    names = [p for r in t["regions"] for p in r["provinces"]]
    assert len(names) == len(set(names)) == 31 + 5  # 31 provinces + 5 计划单列市


def test_motorcycles_and_tractors_do_not_float(base, floating):
    moto = estimate_ci_premium(base, floating, "MOTO_50_250", "E", "A3", ON)
    assert moto.amount == Decimal("120.00") and moto.ratio == 0 and moto.is_estimate
    with pytest.raises(PremiumError):
        estimate_ci_premium(base, floating, "TRACTOR_1", "E", "A3", ON)


def test_trailer_pays_30_percent_of_truck(base, floating):
    est = estimate_ci_premium(base, floating, "TRUCK_OP_LT2_TRAILER", "E", "A4", ON)
    assert est.base == Decimal("555.00") and est.amount == Decimal("555.00")


def test_table_in_force_by_date(base, floating):
    before = estimate_ci_premium(base, floating, "FAMILY_LT6", "北京", "A3", date(2020, 9, 18))
    assert before.ratio == Decimal("-0.30") and not before.unconfirmed and "全国" in before.note
    after = estimate_ci_premium(base, floating, "FAMILY_LT6", "北京", "A3", date(2020, 9, 19))
    assert after.ratio == Decimal("-0.35") and after.unconfirmed
    with pytest.raises(PremiumError):
        estimate_ci_premium(base, floating, "FAMILY_LT6", "E", "A3", date(2008, 1, 31))


@pytest.mark.parametrize(("place", "code"), [("火星", "A1"), ("E", "Z9"), (None, "A1")])
def test_unknown_region_or_code(base, floating, place, code):
    with pytest.raises(PremiumError):
        estimate_ci_premium(base, floating, "FAMILY_LT6", place, code, ON)


def test_base_table_shape(base):
    classes = table_in_force(base, ON)["classes"]
    codes = [c["code"] for c in classes]
    assert len(codes) == len(set(codes))
    by_code = {c["code"]: c for c in classes}
    assert by_code["FAMILY_LT6"]["yuan"] == 950 and by_code["SPECIAL_4"]["yuan"] == 3980
    assert by_code["COACH_GE36"]["yuan"] == 4690 and by_code["MOTO_GT250"]["yuan"] == 400
    assert all(not c["floats"] for c in classes if c["use"] in ("motorcycle", "tractor"))


def test_vehicle_tax_file_is_bands_only():
    tax = json.loads((RATES / "vehicle_tax_bands.json").read_text(encoding="utf-8"))
    assert tax["bands_only"] is True
    bands = tax["tables"][0]["passenger_car"]["bands"]
    assert len(bands) == 7 and bands[0]["yuan_min"] == 60 and bands[-1]["yuan_max"] == 5400


def test_lapse_fine_example_follows_the_table_in_force():
    import copy
    from datetime import date

    from desktop.core.premium import lapse_fine_example
    from desktop.rates import table

    doc = table("ci_base_2008")
    assert lapse_fine_example(doc, date(2026, 12, 1)) == 1900
    newer = copy.deepcopy(doc)
    t = copy.deepcopy(newer["tables"][0])
    t["effective_from"] = "2027-01-01"
    next(c for c in t["classes"] if c["code"] == "FAMILY_LT6")["yuan"] = 1000
    newer["tables"].append(t)
    assert lapse_fine_example(newer, date(2026, 12, 31)) == 1900
    assert lapse_fine_example(newer, date(2027, 1, 1)) == 2000
