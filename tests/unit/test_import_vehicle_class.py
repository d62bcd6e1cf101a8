"""Issue 13 item 5: a sheet with 使用性质 / 座位数 columns gives its cars their class on import, so
the card computes the 年检 date without the manual step. A use or seats that fixes no class never
rejects the row (its plate and 交强险 matter more): a warning on the cell says what to choose on the
card and the car comes without use, seats and class; a passenger use without seats likewise. The
行驶证's own words that name one use of the rate table (出租客运, 公交客运 …) give the class; those
that cover several (非营运, 营运 …) are the warning. Importing another use later replaces use, seats
and class together. The card's dialog stays strict."""
from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from desktop import cli
from desktop.core import vehicle_use
from desktop.core.errors import BadInput
from desktop.core.fakes import FakeData
from desktop.io.rows import MSG_CLASS_ON_CARD, MSG_USE_WITHOUT_SEATS
from desktop.rates import table
from desktop.services import card_facts, vehicle_class
from desktop.services import lookup as lookup_svc
from desktop.services.importer import run_import
from tests.conftest import ADMIN_PASSWORD, AT, PASSPHRASE
from tests.unit.test_importer import _save

HEADERS = ["车牌号", "被保险人", "联系电话", "交强险止期", "初登日期", "使用性质", "核定载人数"]


def _sheet(tmp_path: Path, name: str, rows: list[list]) -> Path:
    return _save([HEADERS, *rows], tmp_path / name)


def _vehicle(engine, plate: str) -> tuple[str, tuple]:
    (m,) = lookup_svc.find(engine, plate, AT)
    with engine.connect() as c:
        row = c.exec_driver_sql("SELECT use, seats, vehicle_class FROM vehicle WHERE plate = ?", (plate,)).one()
    return m.vehicle_id, tuple(row)


def test_use_and_seats_columns_give_the_class_and_the_inspection_date(tmp_path, app_ctx, admin):
    f = FakeData(13)
    plates = [f.plate("ordinary") for _ in range(7)]

    def car(i: int, use, seats) -> list:
        return [plates[i], f.name(), f.mobile(), date(2026, 12, 20), date(2020, 12, 10), use, seats]

    p = _sheet(tmp_path, "classes.xlsx", [
        car(0, "家庭自用", 5),            # 2: the class of a 5-seat family car
        car(1, "私家车", 5),              # 3: warned: not a use of the rate table
        car(2, "家庭自用", "五"),         # 4: warned: seats not a number
        car(3, "家庭自用", 0),            # 5: warned: seats out of range
        car(4, "摩托车", None),           # 6: a motorcycle needs no seats
        car(5, "企业非营业汽车", None),   # 7: a passenger car without seats: warned, class left for the card
        car(6, None, "7座"),              # 8: seats alone fix no class
    ])
    engine = app_ctx.store().engine
    rep = run_import(engine, admin, p, at=AT)

    assert (rep.rows, rep.imported, rep.rejected) == (7, 7, [])  # every car and its 交强险
    warned = {w["row"]: (w["column"], w["message"]) for w in rep.warnings}
    assert warned.keys() == {3, 4, 5, 7}
    assert warned[3][0] == "使用性质" and warned[3][1].startswith("使用性质「私家车」不认识")
    assert "家庭自用汽车" in warned[3][1] and warned[3][1].endswith(MSG_CLASS_ON_CARD)
    assert warned[4][0] == "核定载人数" and "「五」" in warned[4][1] and "整数" in warned[4][1]
    assert warned[5][0] == "核定载人数" and "1 到 99" in warned[5][1]
    assert warned[7] == ("使用性质", MSG_USE_WITHOUT_SEATS)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT COUNT(*) FROM policy_term").scalar() == 7

    vid, stored = _vehicle(engine, plates[0])
    assert stored == ("家庭自用汽车", 5, "家庭自用汽车 6座以下")
    facts = card_facts.card_facts(engine, admin, vid, AT)
    assert facts.inspection_problem is None and facts.inspection.due == date(2026, 12, 31)
    assert facts.class_name == "家庭自用汽车 6座以下" and facts.premium is not None
    assert _vehicle(engine, plates[4])[1][:2] == ("摩托车", None)
    for plate in (plates[1], plates[2], plates[3], plates[5], plates[6]):  # nothing half-stored: the card still asks for the 行驶证
        vid, stored = _vehicle(engine, plate)
        assert stored == (None, None, None)
        assert "使用性质和座位数" in card_facts.card_facts(engine, admin, vid, AT).inspection_problem


def test_another_use_on_a_later_import_replaces_use_seats_and_class(tmp_path, app_ctx, admin):
    f = FakeData(14)
    plate, name, mobile = f.plate("ordinary"), f.name(), f.mobile()

    def row(use, seats) -> list:
        return [plate, name, mobile, date(2026, 12, 20), date(2020, 12, 10), use, seats]

    engine = app_ctx.store().engine
    run_import(engine, admin, _sheet(tmp_path, "a.xlsx", [row("家庭自用", 7)]), at=AT)
    assert _vehicle(engine, plate)[1] == ("家庭自用汽车", 7, "家庭自用汽车 6座及以上")
    again = run_import(engine, admin, _sheet(tmp_path, "b.xlsx", [row("家庭自用", 7)]), at=AT)
    assert (again.updated, again.duplicates) == (0, 1)  # the same class again changes nothing
    with engine.connect() as c:
        before = c.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar()
    rep = run_import(engine, admin, _sheet(tmp_path, "c.xlsx", [row("摩托车", None)]), at=AT)
    assert rep.updated == 1
    assert _vehicle(engine, plate)[1] == ("摩托车", None, None)  # not a family car's seats and class
    with engine.connect() as c:
        sent = [json.loads(p) for e, p in c.exec_driver_sql(
            "SELECT entity, payload FROM outbox ORDER BY rowid").fetchall()[before:] if e == "vehicle"]
    assert [(v["use"], v["seats"], v["vehicle_class"]) for v in sent] == [("摩托车", None, None)]


def _cli_import(app_ctx, monkeypatch, capsys, p: Path) -> dict:
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PASSWORD)
    assert cli.main(["--data-dir", str(app_ctx.data_dir), "import", str(p), "--json", "--at", AT.isoformat()]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_sheet_of_licence_non_operating_imports_every_car_and_its_term(tmp_path, app_ctx, monkeypatch, capsys):
    """A DMS export copies the 行驶证: 使用性质 = 非营运 on every row. Each car comes in with its 交强险,
    each row says on its 使用性质 cell which of the table's uses to choose on the card."""
    f = FakeData(15)
    plates = [f.plate("ordinary") for _ in range(40)]
    rows = [[pl, f.name(), f.mobile(), date(2026, 12, 20), date(2020, 12, 10), "非营运", 5] for pl in plates]
    out = _cli_import(app_ctx, monkeypatch, capsys, _sheet(tmp_path, "dms.xlsx", rows))

    assert set(out) == {"file", "sheet", "header_row", "columns", "rows", "imported", "updated", "duplicates",
                        "rejected", "warnings"}  # DESIGN §7: the same shape, the problem in warnings
    assert (out["rows"], out["imported"], out["rejected"]) == (40, 40, [])
    assert [w["row"] for w in out["warnings"]] == list(range(2, 42))
    assert {w["column"] for w in out["warnings"]} == {"使用性质"}
    (msg,) = {w["message"] for w in out["warnings"]}
    assert msg.startswith("使用性质「非营运」") and msg.endswith(MSG_CLASS_ON_CARD)
    for choice in ("家庭自用汽车", "企业非营业汽车", "机关非营业汽车"):
        assert f"“{choice}”" in msg
    engine = app_ctx.store().engine
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT COUNT(*) FROM policy_term WHERE kind = 'CI'").scalar() == 40
        assert c.exec_driver_sql("SELECT COUNT(*) FROM vehicle WHERE use IS NOT NULL OR seats IS NOT NULL "
                                 "OR vehicle_class IS NOT NULL").scalar() == 0


def test_a_long_unknown_use_is_cut_in_the_warning(tmp_path, app_ctx, admin):
    f = FakeData(16)
    long_use = "非营运（" + "备注" * 30 + "）"
    p = _sheet(tmp_path, "long.xlsx", [[f.plate("ordinary"), f.name(), f.mobile(), date(2026, 12, 20),
                                        date(2020, 12, 10), long_use, 5]])
    rep = run_import(app_ctx.store().engine, admin, p, at=AT)
    assert (rep.imported, rep.rejected) == (1, [])
    (w,) = rep.warnings
    assert f"「{long_use[:20]}」" in w["message"] and long_use[:21] not in w["message"]


@pytest.mark.parametrize("use, seats, stored", [
    ("出租客运", 5, ("营业出租租赁", 5, "营业出租租赁 6座以下")),
    ("租赁", 7, ("营业出租租赁", 7, "营业出租租赁 6-10座")),
    ("公交客运", 40, ("营业城市公交", 40, "营业城市公交 36座以上")),
    ("公路客运", 45, ("营业公路客运", 45, "营业公路客运 36座以上")),
    ("旅游客运", 19, ("营业公路客运", 19, "营业公路客运 10-20座")),
    ("货运", None, ("营业货车", None, None)),       # a truck's band is its tonnage: the card asks
])
def test_a_licence_use_that_names_one_use_of_the_table_gives_the_class(tmp_path, app_ctx, admin, use, seats, stored):
    f = FakeData(17)
    plate = f.plate("ordinary")
    p = _sheet(tmp_path, "licence.xlsx", [[plate, f.name(), f.mobile(), date(2026, 12, 20), date(2020, 12, 10),
                                           use, seats]])
    rep = run_import(app_ctx.store().engine, admin, p, at=AT)
    assert (rep.imported, rep.rejected, rep.warnings) == (1, [], [])
    assert _vehicle(app_ctx.store().engine, plate)[1] == stored


def test_the_licence_words_name_only_the_tables_uses():
    """The advice quotes use names a clerk finds in the card's list; the mapping names real codes."""
    base = table("ci_base_2008")
    names = vehicle_use.uses(base, AT.date())
    assert set(vehicle_use.LICENCE_USES.values()) <= set(names)
    for advice in set(vehicle_use.LICENCE_AMBIGUOUS.values()):
        quoted = re.findall(r"“([^”]+)”", advice)
        assert quoted and set(quoted) <= set(names.values())


@pytest.mark.parametrize("raw, words", [
    ("非营运", ["行驶证", "家庭自用汽车", "企业非营业汽车", "机关非营业汽车"]),
    ("营运", ["营业出租租赁", "营业城市公交", "营业公路客运"]),
    ("营业", ["营业出租租赁", "营业货车"]),            # first characters of four uses: not the first of them
    ("私家车", ["不认识", "家庭自用汽车", "摩托车"]),
])
def test_the_card_refuses_a_use_that_fixes_none_and_says_what_to_choose(app_ctx, admin, raw, words):
    from tests.unit.card_fixtures import add_car

    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", vehicle_class=None, use=None, seats=None)
    with pytest.raises(BadInput) as e:
        vehicle_class.record_vehicle_class(engine, admin, vid, raw, 5, now=AT)
    assert e.value.message.startswith(f"使用性质「{raw}」") and "请照行驶证" not in e.value.message
    assert all(w in e.value.message for w in words)
    got = vehicle_class.record_vehicle_class(engine, admin, vid, "出租客运", 5, now=AT)  # one use: taken
    assert (got.use, got.class_name) == ("营业出租租赁", "营业出租租赁 6座以下")
