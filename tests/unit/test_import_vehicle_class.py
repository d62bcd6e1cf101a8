"""Issue 13 item 5: a sheet with 使用性质 / 座位数 columns gives its cars their class on import, so
the card computes the 年检 date without the manual step. A bad use or seats rejects that row (in
the card dialog's Chinese words), never the file; a passenger use without seats is left for the
card with a warning; importing another use later replaces use, seats and class together."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from desktop.core.fakes import FakeData
from desktop.io.rows import MSG_USE_WITHOUT_SEATS
from desktop.services import card_facts
from desktop.services import lookup as lookup_svc
from desktop.services.importer import run_import
from tests.conftest import AT
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
        car(1, "私家车", 5),              # 3: rejected: not a use of the rate table
        car(2, "家庭自用", "五"),         # 4: rejected: seats not a number
        car(3, "家庭自用", 0),            # 5: rejected: seats out of range
        car(4, "摩托车", None),           # 6: a motorcycle needs no seats
        car(5, "企业非营业汽车", None),   # 7: a passenger car without seats: warned, class left for the card
        car(6, None, "7座"),              # 8: seats alone fix no class
    ])
    engine = app_ctx.store().engine
    rep = run_import(engine, admin, p, at=AT)

    assert (rep.rows, rep.imported) == (7, 4)
    rejected = {r["row"]: (r["column"], r["value"], r["reason"]) for r in rep.rejected}
    assert rejected.keys() == {3, 4, 5}
    assert rejected[3][:2] == ("使用性质", "私家车") and "不认识" in rejected[3][2] and "家庭自用汽车" in rejected[3][2]
    assert rejected[4][:2] == ("核定载人数", "五") and "整数" in rejected[4][2]
    assert rejected[5][0] == "核定载人数" and "1 到 99" in rejected[5][2]
    assert [(w["row"], w["column"], w["message"]) for w in rep.warnings] == [(7, "使用性质", MSG_USE_WITHOUT_SEATS)]

    vid, stored = _vehicle(engine, plates[0])
    assert stored == ("家庭自用汽车", 5, "家庭自用汽车 6座以下")
    facts = card_facts.card_facts(engine, admin, vid, AT)
    assert facts.inspection_problem is None and facts.inspection.due == date(2026, 12, 31)
    assert facts.class_name == "家庭自用汽车 6座以下" and facts.premium is not None
    assert _vehicle(engine, plates[4])[1][:2] == ("摩托车", None)
    for plate in (plates[5], plates[6]):  # nothing half-stored: the card still asks for the 行驶证
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
