"""The card's facts (issues 11, 13 items 5–6) on a real store: VIN and class, the premium 估算 with
the 浮动告知单 coefficient and last year's premium, 车船税, the 年检 date with its rule and an
override, the merged reminder, the readable history, and the import file behind a term."""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.services import auth, card_facts, vehicle_dates
from desktop.services.errors import BadInput
from desktop.store import vehicles_repo
from desktop.store.uuidcol import blob
from tests.conftest import AT
from tests.unit.card_fixtures import add_car

TERMS = (("2024-12-20T00:00:00+08:00", "2025-12-20T00:00:00+08:00", "1045", "300", "PDZA000000000001"),
         ("2025-12-20T00:00:00+08:00", "2026-12-20T00:00:00+08:00", "950", "360", "PDZA000000000002"))


@pytest.fixture
def clerk(app_ctx):
    return auth.login(app_ctx.store().engine, "clerk", "clerk-pass-1", now=AT)


def test_class_premium_tax_and_last_year(app_ctx, clerk):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", terms=TERMS)
    f = card_facts.card_facts(engine, clerk, vid, AT, region="广东")
    assert f.vin and len(f.vin) == 17
    assert f.class_name == "家庭自用汽车 6座以下"
    assert f.premium.amount == Decimal("950.00") and f.premium.note.startswith("估算")
    assert (f.premium.last_premium, f.premium.last_year) == (Decimal("950"), 2025)
    assert (f.vehicle_tax, f.vehicle_tax_year) == (Decimal("360"), 2025)


def test_float_notice_changes_the_estimate_and_syncs(app_ctx, clerk):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", terms=TERMS)
    with engine.connect() as c:
        before = c.exec_driver_sql("SELECT COUNT(*) FROM outbox").scalar()
    assert vehicle_dates.record_float_notice(engine, clerk, vid, "-10%", now=AT) == Decimal("0.9")
    f = card_facts.card_facts(engine, clerk, vid, AT, region="广东")
    assert f.premium.amount == Decimal("855.00") and f.premium.coefficient == "0.9"
    assert f.premium.note.startswith("估算") and f.premium.coefficient_day == date(2026, 12, 1)
    with engine.connect() as c:
        rows = c.exec_driver_sql("SELECT entity, payload FROM outbox ORDER BY device_seq").fetchall()[before:]
        audit = c.exec_driver_sql("SELECT action, staff FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    assert [r[0] for r in rows] == ["event"] and json.loads(rows[0][1])["kind"] == "float_notice"
    assert tuple(audit) == ("float_notice", "clerk")
    assert f.history[0].what == "录入浮动告知单：系数 0.9"


@pytest.mark.parametrize("raw", ["", "abc", "0.2", "1.5", "+80%"])
def test_float_notice_bad_input_stores_nothing(app_ctx, clerk, raw):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered=None, terms=TERMS)
    with pytest.raises(BadInput, match="系数"):
        vehicle_dates.record_float_notice(engine, clerk, vid, raw, now=AT)
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT COUNT(*) FROM event WHERE kind='float_notice'").scalar() == 0


def test_inspection_rule_merged_reminder_and_override(app_ctx, clerk):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", terms=TERMS)
    f = card_facts.card_facts(engine, clerk, vid, AT)
    # 2022 rule: the sixth year is an on-line check, due at the end of the registration month.
    assert f.inspection.due == date(2026, 12, 31) and f.inspection.kind == "online" and f.inspection.confirmed
    assert "2022-10-01" in f.inspection.rule
    # 交强险 ends 12-19, 年检 12-31: one reminder, 车船税 with it, dated by the earlier.
    assert [(r.day, r.items) for r in f.reminders] == [(date(2026, 12, 19), ("ci", "vehicle_tax", "inspection"))]

    assert vehicle_dates.override_inspection(engine, clerk, vid, "2027年03月", "按行驶证副页", now=AT) == date(2027, 3, 31)
    f = card_facts.card_facts(engine, clerk, vid, AT)
    assert f.inspection.due == date(2027, 3, 31) and f.inspection.overridden and "人工更正" in f.inspection.rule
    assert [r.items for r in f.reminders] == [("ci", "vehicle_tax"), ("inspection",)]
    with engine.connect() as c:
        kinds = [json.loads(p)["kind"] for (p,) in c.exec_driver_sql(
            "SELECT payload FROM outbox WHERE entity='event'").fetchall()]
        assert "inspection_override" in kinds
        assert c.exec_driver_sql("SELECT COUNT(*) FROM audit WHERE action='inspection_override'").scalar() == 1


def test_inspection_override_needs_a_reason_and_a_sane_date(app_ctx, clerk):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered=None, terms=TERMS)
    assert card_facts.card_facts(engine, clerk, vid, AT).inspection_problem.startswith("没有初次登记日期")
    for due, reason, msg in (("2027-03-31", "", "依据"), ("明年", "按行驶证", "无法识别"), ("1999-01-31", "x", "太远")):
        with pytest.raises(BadInput, match=msg):
            vehicle_dates.override_inspection(engine, clerk, vid, due, reason, now=AT)
    vehicle_dates.override_inspection(engine, clerk, vid, "2027-05-31", "按行驶证副页", now=AT)
    i = card_facts.card_facts(engine, clerk, vid, AT).inspection
    assert i.due == date(2027, 5, 31) and i.overridden and not i.confirmed


def test_unconfirmed_rule_is_marked(app_ctx, clerk):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2023-06-01", vehicle_class=None, use="摩托车", seats=2, terms=TERMS)
    i = card_facts.card_facts(engine, clerk, vid, AT).inspection
    assert i is not None and not i.confirmed


def test_history_reads_as_a_list_with_year_and_policy(app_ctx, clerk):
    from desktop.services import contact, documents, record

    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", terms=TERMS)
    record.record_outcome(engine, clerk, vid, "will_come", note=None, now=AT)
    contact.record_contact(engine, clerk, vid, contact.ContactInput("phone", "no_answer"), app_ctx.settings(),
                           now=AT - timedelta(days=2))
    documents.log_slip(engine, clerk, vid, None, "80mm")
    rows = card_facts.card_facts(engine, clerk, vid, AT).history
    texts = [r.what for r in rows]
    assert "记录：客户会来" in texts and "联系（电话）：无人接听" in texts and "打印告知单（80毫米小票）" in texts
    will = next(r for r in rows if r.what == "记录：客户会来")
    assert (will.year, will.policy_no, will.staff) == (2025, "PDZA000000000002", "clerk")
    first = next(r for r in rows if r.what.startswith("交强险保单生效，保至 2025-12-19"))
    assert (first.at.date(), first.year, first.policy_no) == (date(2024, 12, 20), 2024, "PDZA000000000001")
    assert [r.at for r in rows] == sorted((r.at for r in rows), reverse=True)


def test_source_names_the_import_file_and_date(app_ctx, admin, tmp_path):
    from desktop.services import importer

    engine = app_ctx.store().engine
    f = FakeData(77)
    p = tmp_path / "人保12月清单.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "被保险人", "联系电话", "险种", "保险起期", "保险止期", "保费", "车船税", "初登日期"])
    plate = f.plate()
    ws.append([plate, f.name(), f.mobile(), "交强险", "2026-01-05", "2027-01-04", "950", "360", "2019-01-20"])
    wb.save(p)
    importer.run_import(engine, admin, p, at=AT)
    with engine.connect() as c:
        vid = vehicles_repo.all_vehicle_ids(c)[0]
    facts = card_facts.card_facts(engine, admin, vid, AT)
    (src, text), = facts.sources.items()
    assert src.startswith("import:") and text.startswith("人保12月清单.xlsx（") and "导入" in text
    assert facts.vehicle_tax == Decimal("360") and facts.inspection is None  # no class: 年检 rule unknown


def test_cli_float_notice_and_inspection(app_ctx, monkeypatch, capsys):
    from desktop import cli
    from tests.conftest import PASSPHRASE

    engine = app_ctx.store().engine
    _, plate = add_car(engine, registered="2020-12-10", terms=TERMS)
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", "clerk-pass-1")
    base = ["--data-dir", str(app_ctx.data_dir), "--as", "clerk", "--at", AT.isoformat()]
    assert cli.main([*base, "inspection", plate, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["due"] == "2026-12-31" and out["confirmed"] and "2022-10-01" in out["rule"]
    assert out["reminders"] == [{"date": "2026-12-19", "items": ["ci", "vehicle_tax", "inspection"]}]
    assert cli.main([*base, "inspection", plate, "--due", "2027-04", "--json"]) == 2
    assert "依据" in capsys.readouterr().err
    assert cli.main([*base, "inspection", plate, "--due", "2027-04", "--reason", "按行驶证副页", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["due"] == "2027-04-30"
    assert cli.main([*base, "float-notice", plate, "--coef", "七折"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("renewdesk: ") and "Traceback" not in err
    assert cli.main([*base, "float-notice", plate, "--coef", "0.7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["coefficient"] == "0.7"


def test_renewal_records_premium_and_vehicle_tax(app_ctx, clerk):
    from desktop.services import record

    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", terms=TERMS)
    bad = record.NewTerm("示例财险", "PDZA000000000003", None, None, vehicle_tax="三百六")
    with pytest.raises(BadInput, match="车船税") as exc:
        record.record_outcome(engine, clerk, vid, "renewed_here", bad, now=AT)
    assert exc.value.field == "vehicle_tax"
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT COUNT(*) FROM policy_term WHERE vehicle_id = ?", (blob(vid),)).scalar() == 2
    good = record.NewTerm("示例财险", "PDZA000000000003", None, None, premium="855", vehicle_tax="380元")
    record.record_outcome(engine, clerk, vid, "renewed_here", good, now=AT)
    with engine.connect() as c:
        row = c.exec_driver_sql("SELECT premium, vehicle_tax FROM policy_term WHERE policy_no = 'PDZA000000000003'"
                                ).fetchone()
        payload = json.loads(c.exec_driver_sql("SELECT payload FROM outbox WHERE entity = 'policy_term' "
                                               "ORDER BY device_seq DESC LIMIT 1").scalar())
    assert tuple(row) == ("855", "380") and payload["vehicle_tax"] == "380"
    # a year on, the new term is "last year's" premium and its 车船税 is the one shown
    later = AT.replace(year=2027, month=1, day=5)
    f = card_facts.card_facts(engine, clerk, vid, later)
    assert (f.vehicle_tax, f.premium.last_premium) == (Decimal("380"), Decimal("855"))
