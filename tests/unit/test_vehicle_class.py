"""Issue 13 item 5 for imported vehicles: an import carries no use or seats, so no 年检 rule
applies. The card says why and how to fix it; recording the use and seats off the 行驶证 (CLI
`inspection QUERY --use 家庭自用 --seats 5`) makes the rule apply, syncs and is audited; bad input
stores nothing and says what to type."""
from __future__ import annotations

import json
from datetime import date

import pytest

from desktop.services import auth, card_facts, vehicle_class
from desktop.services.errors import BadInput
from tests.conftest import AT
from tests.unit.card_fixtures import add_car

TERMS = (("2025-12-20T00:00:00+08:00", "2026-12-20T00:00:00+08:00", "950", None, "PDZA000000000007"),)


@pytest.fixture
def clerk(app_ctx):
    return auth.login(app_ctx.store().engine, "clerk", "clerk-pass-1", now=AT)


def _imported(engine):  # as the importer stores it: registration date, no class, use or seats
    return add_car(engine, registered="2020-12-10", vehicle_class=None, use=None, seats=None, terms=TERMS,
                   energy=None)


def _outbox(engine) -> list[tuple[str, dict]]:
    with engine.connect() as c:
        return [(e, json.loads(p)) for e, p in c.exec_driver_sql("SELECT entity, payload FROM outbox").fetchall()]


def test_an_imported_car_says_why_no_rule_applies_and_recording_the_class_gives_it(app_ctx, clerk):
    engine = app_ctx.store().engine
    vid, _ = _imported(engine)
    f = card_facts.card_facts(engine, clerk, vid, AT)
    assert f.inspection is None and "使用性质和座位数" in f.inspection_problem and "行驶证" in f.inspection_problem
    assert [r.items for r in f.reminders] == [("ci", "vehicle_tax")]
    before = len(_outbox(engine))
    got = vehicle_class.record_vehicle_class(engine, clerk, vid, "家庭自用", "5", now=AT)
    assert (got.use, got.seats, got.class_name) == ("家庭自用汽车", 5, "家庭自用汽车 6座以下")
    f = card_facts.card_facts(engine, clerk, vid, AT)
    assert f.inspection.due == date(2026, 12, 31) and f.inspection_problem is None
    assert f.class_name == "家庭自用汽车 6座以下" and f.premium is not None   # the estimate follows too
    assert [r.items for r in f.reminders] == [("ci", "vehicle_tax", "inspection")]
    (entity, payload), = _outbox(engine)[before:]
    assert entity == "vehicle" and payload["seats"] == 5 and payload["use"] == "家庭自用汽车"
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT COUNT(*) FROM audit WHERE action='vehicle_class'").scalar() == 1


def test_more_than_nine_seats_is_the_large_passenger_rule(app_ctx, clerk):
    engine = app_ctx.store().engine
    vid, _ = _imported(engine)
    vehicle_class.record_vehicle_class(engine, clerk, vid, "企业非营业", 19, now=AT)
    i = card_facts.card_facts(engine, clerk, vid, AT).inspection
    assert i.rule.startswith("载货汽车和大型、中型非营运载客汽车")


@pytest.mark.parametrize("use, seats, msg", [("私家车", 5, "使用性质"), ("家庭自用", None, "座位数"),
                                             ("家庭自用", "五", "整数"), ("家庭自用", 0, "1 到")])
def test_bad_use_or_seats_stores_nothing(app_ctx, clerk, use, seats, msg):
    engine = app_ctx.store().engine
    vid, _ = _imported(engine)
    before = len(_outbox(engine))
    with pytest.raises(BadInput, match=msg):
        vehicle_class.record_vehicle_class(engine, clerk, vid, use, seats, now=AT)
    assert len(_outbox(engine)) == before
    assert card_facts.card_facts(engine, clerk, vid, AT).inspection is None


def test_cli_records_the_class_and_prints_the_rule(app_ctx, monkeypatch, capsys):
    from desktop import cli
    from tests.conftest import PASSPHRASE

    engine = app_ctx.store().engine
    _, plate = _imported(engine)
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", "clerk-pass-1")
    base = ["--data-dir", str(app_ctx.data_dir), "--as", "clerk", "--at", AT.isoformat()]
    assert cli.main([*base, "inspection", plate, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["due"] is None
    assert cli.main([*base, "inspection", plate, "--seats", "5"]) == 2
    assert "--use" in capsys.readouterr().err
    assert cli.main([*base, "inspection", plate, "--use", "家庭自用", "--seats", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["due"] == "2026-12-31" and out["problem"] is None
    assert out["reminders"] == [{"date": "2026-12-19", "items": ["ci", "vehicle_tax", "inspection"]}]
