"""SMS reminder lists: consent, 停止联系 and 本次关闭 honoured, masked unless an admin asks, the message
from the template with its character count, the banned-word check, CSV and .xlsx read back."""
from __future__ import annotations

import csv
from datetime import datetime

import openpyxl
import pytest
from sqlalchemy import text

from desktop.core import sms
from desktop.core.masking import mask_name, mask_phone, mask_plate
from desktop.core.timeutil import CST
from desktop.services import settings, sms_export
from desktop.services.errors import BadInput, NotAllowed
from desktop.services.event_log import write_event
from tests.conftest import AT

from .aftersales_fixtures import add_car


@pytest.fixture
def engine(app_ctx, admin):
    e = app_ctx.store().engine
    settings.put(e, admin, "org", "示例车行")
    settings.put(e, admin, "counter_phone", "020-12345678")
    return e


@pytest.fixture
def cars(engine, admin):
    due = add_car(engine, admin, seed=61, ci_end=(2026, 12, 20))
    no_consent = add_car(engine, admin, seed=62, ci_end=(2026, 12, 18), consent=False)
    stopped = add_car(engine, admin, seed=63, ci_end=(2026, 12, 19))
    snoozed = add_car(engine, admin, seed=64, ci_end=(2026, 12, 21))
    landline = add_car(engine, admin, seed=65, ci_end=(2026, 12, 22), phone="0755-12345678")
    far = add_car(engine, admin, seed=66, ci_end=(2027, 6, 1))
    with engine.begin() as conn:  # the renewal engineer's events, as they store them
        write_event(conn, "contact_stop", stopped.vehicle_id, {"reason": "客户要求不再来电"}, None, "admin", AT)
        write_event(conn, "contact_close", snoozed.vehicle_id, {"until": "2026-12-15"}, None, "admin", AT)
    return dict(due=due, no_consent=no_consent, stopped=stopped, snoozed=snoozed, landline=landline, far=far)


def _csv(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_clerk_gets_only_consenting_reachable_owners_masked(app_ctx, engine, cars, tmp_path):
    clerk = app_ctx.login("clerk", "clerk-pass-1")
    out = tmp_path / "sms.csv"
    r = sms_export.write_sms_list(engine, clerk, app_ctx.settings(), out, 30, False, AT)
    rows = _csv(out)
    assert rows[0] == sms_export.HEADERS
    car = cars["due"]
    assert [row[2] for row in rows[1:]] == [car.plate]
    phone, name, plate, due, message, chars, parts = rows[1]
    assert phone == mask_phone(car.phone) and name == mask_name(car.name) and due == "2026-12-19"
    assert message.startswith("【示例车行】") and mask_plate(car.plate) in message and car.plate not in message
    assert "2026年12月19日" in message and "020-12345678" in message
    assert int(chars) == len(message) and int(parts) == sms.segments(message) == 1
    assert r.skipped == {"no_consent": 1, "do_not_contact": 1, "closed_for_now": 1, "no_mobile": 1}
    assert r.rows == 1 and not r.full


def test_snooze_ends_on_its_day(app_ctx, engine, cars, tmp_path, admin):
    out = tmp_path / "later.csv"
    later = datetime(2026, 12, 16, 10, tzinfo=CST)
    sms_export.write_sms_list(engine, admin, app_ctx.settings(), out, 30, False, later)
    plates = [row[2] for row in _csv(out)[1:]]
    assert cars["snoozed"].plate in plates and cars["stopped"].plate not in plates


def test_full_numbers_only_for_an_admin_and_the_export_is_audited(app_ctx, engine, cars, tmp_path, admin):
    clerk = app_ctx.login("clerk", "clerk-pass-1")
    supervisor = app_ctx.login("super", "super-pass-1")
    for who in (clerk, supervisor):
        with pytest.raises(NotAllowed):
            sms_export.write_sms_list(engine, who, app_ctx.settings(), tmp_path / "f.csv", 30, False, AT, full=True)
    assert not (tmp_path / "f.csv").exists()
    out = tmp_path / "full.xlsx"
    sms_export.write_sms_list(engine, admin, app_ctx.settings(), out, 30, False, AT, full=True)
    ws = openpyxl.load_workbook(out, read_only=True).active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert values[0] == sms_export.HEADERS
    assert values[1][0] == cars["due"].phone and values[1][1] == cars["due"].name
    with engine.connect() as conn:
        audits = conn.execute(text("SELECT staff, target, detail FROM audit WHERE action = 'sms_export'")).fetchall()
        conn.rollback()
    assert len(audits) == 1 and audits[0][0] == "admin" and audits[0][1] == "full.xlsx"
    assert '"full": true' in audits[0][2] and cars["due"].phone not in audits[0][2]


def test_a_banned_word_stops_the_export_and_writes_nothing(app_ctx, engine, cars, tmp_path, admin):
    tpl = tmp_path / "sms.txt"
    tpl.write_text("【{org}】续保送油卡！您的车{plate_masked}交强险保到{ci_end_date}", encoding="utf-8")
    res = sms_export.SmsResources(tpl, sms_export.default_sms_resources().banned)
    out = tmp_path / "x.csv"
    with pytest.raises(BadInput, match="送油卡"):
        sms_export.write_sms_list(engine, admin, app_ctx.settings(), out, 30, False, AT, res=res)
    assert not out.exists() and list(tmp_path.glob(".x.csv*")) == []
    tpl.write_text("【{org}】{plate}", encoding="utf-8")
    with pytest.raises(BadInput, match="未知的占位符"):
        sms_export.write_sms_list(engine, admin, app_ctx.settings(), out, 30, False, AT, res=res)


def test_the_shipped_template_is_one_sms_and_passes_its_own_check():
    template, banned = sms_export.load_template(sms_export.default_sms_resources())
    sms_export.check_text(template, banned)
    sample = sms.render(template, {"org": "示例汽车服务", "plate_masked": "京A1***5",
                                   "ci_end_date": "2026年12月31日", "days_phrase": "还有 30 天到期",
                                   "counter_phone": "0755-12345678"})
    assert len(sample) <= sms.SINGLE


@pytest.mark.parametrize("n,parts", [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3)])
def test_segments_count_as_platforms_bill(n, parts):
    assert sms.segments("字" * n) == parts


def test_a_csv_cell_that_excel_would_run_as_a_formula_is_kept_as_text(app_ctx, engine, admin, tmp_path):
    """Names arrive from insurers' sheets: an owner named "=…", "+…", "-…" or "@…" was written raw into
    the CSV, and Excel (or a platform's upload page opened in it) runs such a cell as a formula.
    The CSV now starts such a cell with an apostrophe; the .xlsx keeps it as a text cell."""
    car = add_car(engine, admin, seed=67, ci_end=(2026, 12, 20))
    with engine.begin() as conn:
        conn.execute(text("UPDATE customer SET name = :n WHERE name = :o"), {"n": "@SUM(1+1)", "o": car.name})
    out = tmp_path / "sms.csv"
    sms_export.write_sms_list(engine, admin, app_ctx.settings(), out, 30, False, AT, full=True)
    [row] = _csv(out)[1:]
    assert row[1] == "'@SUM(1+1)" and row[0] == car.phone and row[2] == car.plate
    xl = tmp_path / "sms.xlsx"
    sms_export.write_sms_list(engine, admin, app_ctx.settings(), xl, 30, False, AT, full=True)
    cell = openpyxl.load_workbook(xl).active["B2"]
    assert cell.value == "@SUM(1+1)" and cell.data_type == "s"
