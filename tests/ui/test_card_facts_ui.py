"""The card's facts in the real window (issues 11, 13 items 5–6): VIN and class, 车船税 beside 交强险,
年检 with its rule, the merged reminder, the premium 估算 (the 浮动告知单 dialog changes it), the
年检 override dialog, the readable history, and the import file name on the source line."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtWidgets import QApplication

from desktop.core.fakes import FakeData
from desktop.ui import style
from tests.conftest import AT
from tests.ui.conftest import shot, type_query

LOOK = Path("/tmp/shots/card")


def _shot(widget, name):
    p = shot(widget, name)
    if LOOK.is_dir():
        shutil.copy(p, LOOK / p.name)


def _open(win, qtbot, plate):
    type_query(qtbot, win, plate)
    with qtbot.waitSignal(win.card.facts_shown, timeout=10000) as got:
        qtbot.keyClick(win.search.box, "\r")
    qtbot.waitUntil(lambda: win.card.facts_view.facts is not None
                    and win.card.match is not None and win.card.match.plate == plate, timeout=10000)
    return got.args[0]


def _with_tax(by_status, status="DUE"):
    return next(m for m in by_status[status] if m.plate and m.bundle.vehicle.energy != "纯电动")


def test_card_shows_vin_class_tax_inspection_premium_history(window, by_status, qtbot):
    m = _with_tax(by_status)
    _open(window, qtbot, m.plate)
    fv = window.card.facts_view
    assert m.vin in fv.vehicle.text() and "家庭自用汽车" in fv.vehicle.text()
    assert fv.tax.isVisible() and "车船税" in fv.tax.text() and "与交强险一并缴纳" in fv.tax.text()
    assert fv.inspection.text().startswith("年检：检验有效期至") and fv.inspection_rule.text().startswith("规则：")
    assert "估算" in fv.premium.text() and "约" in fv.premium.text()
    assert "上年保费" in fv.premium_note.text()
    assert "交强险保单生效" in window.card.history.text() and "年度" in window.card.history.text()
    # 车船税 sits right under the 交强险 end line
    lay = window.card.body.layout()
    assert lay.indexOf(fv.tax) == lay.indexOf(window.card.ci_end) + 1


def test_float_notice_dialog_changes_the_estimate(window, by_status, demo_ctx, qtbot):
    m = _with_tax(by_status)
    _open(window, qtbot, m.plate)
    before = window.card.facts_view.premium.text()
    window.card.facts_view.float_btn.click()
    dlg = window.card.float_dialog
    qtbot.waitExposed(dlg)
    dlg.coef.setText("七折")
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.error.isVisible(), timeout=10000)
    assert "系数" in dlg.error.text() and dlg.isVisible()
    _shot(dlg, "card_float_notice_error")
    engine = demo_ctx.store().engine
    with engine.connect() as c:
        assert c.exec_driver_sql("SELECT COUNT(*) FROM event WHERE kind='float_notice'").scalar() == 0
    dlg.coef.setText("0.9")
    dlg.ok.click()
    qtbot.waitUntil(lambda: window.card.facts_view.premium.text() != before, timeout=10000)
    after = window.card.facts_view.premium.text()
    assert after != before and ("855" in after or "990" in after)  # 950 × 0.9, or 1,100 × 0.9
    assert "告知单" in window.card.facts_view.premium_note.text()
    with engine.connect() as c:
        (payload,) = c.exec_driver_sql("SELECT payload FROM outbox WHERE entity='event' ORDER BY device_seq DESC "
                                       "LIMIT 1").fetchone()
        assert json.loads(payload)["kind"] == "float_notice"
        assert c.exec_driver_sql("SELECT staff FROM audit WHERE action='float_notice'").scalar() == "clerk"


def test_inspection_dialog_overrides_the_date(window, by_status, qtbot):
    m = _with_tax(by_status, "ACTIVE")
    _open(window, qtbot, m.plate)
    window.card.facts_view.inspection_btn.click()
    dlg = window.card.inspection_dialog
    qtbot.waitExposed(dlg)
    assert "年" in dlg.findChildren(type(window.card.plate))[0].text()
    dlg.due.setText("2027-03")
    dlg.ok.click()
    fv = window.card.facts_view
    qtbot.waitUntil(lambda: "2027年3月31日" in fv.inspection.text(), timeout=10000)
    assert "2027年3月31日" in fv.inspection.text() and "人工更正" in fv.inspection_rule.text()
    assert "更正年检日期为 2027-03-31" in window.card.history.text()


def _import_one(ctx, path, row: dict[str, str]) -> None:
    """One row in an insurer-style workbook, imported by the admin as the CLI would."""
    from desktop.services import auth, importer

    wb = openpyxl.Workbook()
    wb.active.append(list(row))
    wb.active.append(list(row.values()))
    wb.save(path)
    engine = ctx.store().engine
    importer.run_import(engine, auth.login(engine, "admin", "admin-pass-1", now=AT), path, at=AT)


def test_source_line_names_the_import_file(window, demo_ctx, qtbot, tmp_path):
    f = FakeData(99)
    plate = f.plate()
    _import_one(demo_ctx, tmp_path / "太保11月续保清单.xlsx", {
        "车牌号": plate, "被保险人": f.name(), "联系电话": f.mobile(), "险种": "交强险", "保险起期": "2026-01-10",
        "保险止期": "2027-01-09", "车船税": "360"})
    _open(window, qtbot, plate)
    src = window.card.source.text()
    assert "太保11月续保清单.xlsx" in src and "导入" in src and "import:" not in src
    assert "车船税：360 元" in window.card.facts_view.tax.text()


def test_demo_batch_without_a_record_shows_no_uuid(window, by_status, qtbot):
    m = _with_tax(by_status, "LAPSED")
    _open(window, qtbot, m.plate)
    src = window.card.source.text()
    assert "导入的文件" in src and "批次" not in src and "import:" not in src


@pytest.mark.parametrize("size", [(1600, 1000), (1024, 768)])
@pytest.mark.parametrize("elder", [False, True])
def test_each_status_card_fits(make_window, by_status, qtbot, ui_env, size, elder):
    win = make_window("super", "super-pass-1")
    win.resize(*size)
    if elder:
        win.set_elder_mode(True)
    qtbot.wait(50)
    tag = f"{size[0]}x{size[1]}_{'elder' if elder else 'normal'}"
    scroll = win.card.parentWidget().parentWidget()
    for status in ("DUE", "LAPSED", "RENEWED", "PENDING", "ACTIVE", "NONE"):
        m = next(x for x in by_status[status] if x.plate)
        _open(win, qtbot, m.plate)
        qtbot.wait(30)
        card, fv = win.card, win.card.facts_view
        assert scroll.horizontalScrollBar().maximum() == 0, tag       # nothing cut off at the side
        for b in (fv.float_btn, fv.inspection_btn):
            assert b.isVisible() and b.mapTo(card, b.rect().topRight()).x() <= card.width(), (b.text(), tag)
        _shot(win, f"cardfacts_{status}_{tag}")
        scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
        qtbot.wait(30)
        _shot(win, f"cardfacts_{status}_{tag}_bottom")
    style.apply(QApplication.instance(), False, ui_env)


def test_print_from_the_card_carries_the_vehicle_tax(window, by_status, qtbot, monkeypatch, tmp_path):
    from desktop.ui import printing_hook

    m = _with_tax(by_status)
    _open(window, qtbot, m.plate)
    seen = []
    monkeypatch.setattr(printing_hook, "preview", lambda parent, slip, *a, **k: seen.append(slip) or False)
    window.print_slip(window.card.match)
    (slip,) = seen
    assert slip.vehicle_tax in ("360", "420")
    out = tmp_path / "slip.pdf"
    printing_hook.write_pdf(slip, out, "80mm")
    import pdfplumber
    with pdfplumber.open(out) as pdf:
        assert f"车船税{slip.vehicle_tax}元" in pdf.pages[0].extract_text().replace(" ", "").replace("\n", "")


def test_record_dialog_takes_the_vehicle_tax(window, by_status, qtbot):
    m = _with_tax(by_status, "DUE")
    _open(window, qtbot, m.plate)
    window.card.record_btn.click()
    dlg = window.record_dialog
    dlg.choose("renewed_here")
    dlg.policy_no.setText("PDZA2026000777")
    dlg.vehicle_tax.setText("三百")
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.error.isVisible(), timeout=10000)
    assert "车船税" in dlg.error.text() and dlg.isVisible()
    dlg.vehicle_tax.setText("480")
    dlg.premium.setText("900")
    dlg.ok.click()
    qtbot.waitUntil(lambda: "PDZA2026000777" in window.card.history.text(), timeout=10000)


def test_card_says_when_inspection_falls_due_with_the_renewal(window, demo_ctx, qtbot):
    from tests.unit.card_fixtures import add_car

    terms = (("2025-12-20T00:00:00+08:00", "2026-12-20T00:00:00+08:00", "950", "360", "PDZA000000004242"),)
    _, together = add_car(demo_ctx.store().engine, registered="2020-12-10", terms=terms, seed=4242)
    _, apart = add_car(demo_ctx.store().engine, registered="2021-06-10", terms=terms, seed=4243)
    _open(window, qtbot, together)
    fv = window.card.facts_view
    assert fv.reminder.isVisible()
    assert fv.reminder.text() == "一起到期，一次办完：2026年12月19日 前办理 交强险 + 车船税 + 年检"
    window.resize(1024, 768)
    qtbot.wait(50)
    _shot(window, "cardfacts_merged_reminder")
    _open(window, qtbot, apart)
    assert not fv.reminder.isVisible() and "2027年6月30日" in fv.inspection.text()


def test_an_imported_car_gets_its_inspection_rule_from_the_use_and_seats_dialog(window, demo_ctx, qtbot, tmp_path):
    """A sheet without 使用性质 / 座位数 columns brings no use or seats: the card says why there is no
    年检 date, offers the dialog, and once the 行驶证's use and seats are in, the date and its rule show."""
    f = FakeData(98)
    plate = f.plate()
    _import_one(demo_ctx, tmp_path / "人保12月清单.xlsx", {
        "车牌号": plate, "被保险人": f.name(), "联系电话": f.mobile(), "险种": "交强险", "保险起期": "2025-12-20",
        "保险止期": "2026-12-19", "初次登记日期": "2020-12-10"})
    _open(window, qtbot, plate)
    fv = window.card.facts_view
    assert "使用性质和座位数" in fv.inspection.text() and fv.class_btn.isVisible()
    fv.class_btn.click()
    dlg = window.card.vehicle_class_dialog
    qtbot.waitExposed(dlg)
    dlg.use.setCurrentIndex(dlg.use.findData("family"))
    dlg.ok.click()                                     # no seats: told what to type, nothing stored
    qtbot.waitUntil(lambda: dlg.error.isVisible(), timeout=10000)
    assert "核定载人数" in dlg.error.text()
    dlg.seats.setText("5")
    dlg.ok.click()
    qtbot.waitUntil(lambda: "2026年12月31日" in fv.inspection.text(), timeout=10000)
    assert "非营运小型" in fv.inspection_rule.text() and not fv.class_btn.isVisible()
    assert "年检" in fv.reminder.text()
    _shot(window, "card_imported_class_recorded")
