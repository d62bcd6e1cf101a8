"""Issue 11 item 8: consent asked not assumed, no pre-filled existing plate, sold/scrapped cars get
no fine warning and leave the due export, Qt's own dialogs speak Chinese."""
from __future__ import annotations

from openpyxl import load_workbook
from PySide6.QtCore import QCoreApplication

from desktop.services import export
from desktop.services.record import record_outcome
from tests.conftest import AT
from tests.ui.conftest import open_first, shot, type_query


def test_register_asks_consent_and_never_prefills_a_known_plate(window, by_status, qtbot):
    m = by_status["DUE"][0]
    type_query(qtbot, window, m.plate)
    dlg = window.open_register(m.plate)
    assert not dlg.consent_contact.isChecked() and not dlg.consent_mail.isChecked()
    assert dlg.edits["plate"].text() == ""
    dlg.reject()
    dlg = window.open_register("新Z99998")
    assert dlg.edits["plate"].text() == "新Z99998"
    dlg.reject()


def test_sold_car_gets_no_fine_warning_and_leaves_the_due_export(window, by_status, demo_ctx, admin, qtbot, tmp_path):
    engine = demo_ctx.store().engine
    lapsed = next(x for x in by_status["LAPSED"] if x.last_outcome not in ("sold", "scrapped"))
    record_outcome(engine, admin, lapsed.vehicle_id, "sold", now=AT)
    type_query(qtbot, window, lapsed.plate)
    open_first(qtbot, window)
    assert not window.card.lapse.isVisible() and "车辆已卖出" in window.card.gone.text()
    shot(window, "card_sold")

    due = next(x for x in by_status["DUE"] if 0 <= x.coverage.days_left <= 30 and x.last_outcome is None)
    record_outcome(engine, admin, due.vehicle_id, "scrapped", now=AT)
    out = tmp_path / "due.xlsx"
    export.export_xlsx(engine, admin, "due", out, AT, 90, within=30)
    plates = {str(c.value) for row in load_workbook(out).active.iter_rows() for c in row if c.value}
    assert due.plate not in plates


def test_qt_own_dialog_strings_are_chinese(ui_env):
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    assert QCoreApplication.translate("QPrintDialog", "Print") == "打印"
