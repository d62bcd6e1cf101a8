"""柜台 → 修改联系方式 (issue 11): the clerk changes the phone, address and consent of the owner
of the car on the card; errors sit beside their box; the card shows the new values (masked)."""
from __future__ import annotations

import json

from sqlalchemy import text

from desktop.core.masking import mask_phone
from desktop.store.uuidcol import blob
from tests.ui.conftest import open_first, type_query


def _card(window, qtbot, by_status):
    m = next(x for x in by_status["DUE"] if x.plate and x.bundle.owner and x.bundle.owner.consent_mail)
    type_query(qtbot, window, m.plate)
    open_first(qtbot, window)
    return m


def test_edit_contact_details_from_the_menu(window, by_status, demo_ctx, qtbot):
    m = _card(window, qtbot, by_status)
    act = window.contact_details_action
    assert act.text() == "修改联系方式…" and "Ctrl+E" in act.toolTip()
    act.trigger()
    dlg = window.contact_details_dialog
    qtbot.waitExposed(dlg)
    assert dlg.phone.text() == "" and m.phone in dlg.phone.placeholderText()  # masked, never the full number
    assert dlg.consent_mail.isChecked()                                          # as stored
    dlg.phone.setText("12345678901")
    top_before = dlg.address.mapTo(dlg, dlg.address.rect().topLeft())
    dlg.ok.click()
    qtbot.waitUntil(lambda: dlg.errors["phone"].isVisible(), timeout=10000)
    assert "电话" in dlg.errors["phone"].text()
    assert dlg.address.mapTo(dlg, dlg.address.rect().topLeft()) == top_before   # nothing moved
    dlg.phone.setText("13912345678")
    dlg.address.setText("示例市新华路8号")
    dlg.consent_mail.setChecked(False)
    with qtbot.waitSignal(window.card_shown, timeout=10000) as shown:
        dlg.ok.click()
    assert shown.args[0].phone == mask_phone("13912345678")
    engine = demo_ctx.store().engine
    with engine.connect() as conn:
        row = conn.execute(text("SELECT c.phone, c.address, c.consent_mail FROM customer c JOIN vehicle v "
                                "ON v.owner_id = c.id WHERE v.id = :v"), {"v": blob(m.vehicle_id)}).one()
        change = conn.execute(text("SELECT payload FROM outbox WHERE entity = 'customer' ORDER BY device_seq DESC "
                                   "LIMIT 1")).scalar_one()
        conn.rollback()
    assert tuple(row) == ("13912345678", "示例市新华路8号", 0)
    assert json.loads(change)["fields"] == ["phone", "address", "consent_mail"]


def test_nothing_on_the_card_means_nothing_to_edit(window, qtbot):
    window.contact_details_action.trigger()
    assert getattr(window, "contact_details_dialog", None) is None
