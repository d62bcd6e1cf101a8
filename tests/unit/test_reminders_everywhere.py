"""Issue 13 item 5: one merged reminder per vehicle per date, the same on the card, in the work tabs
and in the letters — 交强险, 车船税 and 年检 falling due together are one reminder, not three, and
车船税 is on it whether or not last year's amount was recorded (it is paid with every 交强险)."""
from __future__ import annotations

from datetime import date

import pytest

from desktop.core.reminders import tax_with_ci
from desktop.services import auth, card_facts, letters, worklist
from desktop.services import settings as settings_svc
from tests.conftest import AT
from tests.unit.card_fixtures import add_car

# 交强险 covers to 2026-12-19; registered 2020-12-10: the sixth-year 年检 is due 2026-12-31.
NO_TAX = (("2025-12-20T00:00:00+08:00", "2026-12-20T00:00:00+08:00", "950", None, "PDZA000000000009"),)


def _everywhere(engine, vid):
    clerk = auth.login(engine, "clerk", "clerk-pass-1", now=AT)
    card = card_facts.card_facts(engine, clerk, vid, AT).reminders
    lists = worklist.build(engine, clerk, AT, settings_svc.load(engine))
    rows = [r for rows in lists.tabs.values() for r in rows if r.vehicle_id == vid]
    assert rows, "the car is owed a call: it is on a work tab"
    sel = letters.select(engine, 31, False, "due", AT, settings_svc.load(engine).lead_days)
    letter = next(s for s in sel.letters if s.bundle.vehicle.id == vid)
    return card, {r.reminders for r in rows}, letter


def _letter_lines(letter_sel) -> str:
    from desktop.printing.letter import letter_values
    from desktop.printing.model import CounterInfo

    counter = CounterInfo(name="1号柜台", phone="020-0000000", address="示例路 1 号", hours="9:00-17:00", org="示例车行")
    return letter_values(letters.letter_data(letter_sel, counter, AT.date()))


@pytest.mark.parametrize("energy, plate, items", [
    ("汽油", None, ("ci", "vehicle_tax", "inspection")),
    (None, None, ("ci", "vehicle_tax", "inspection")),       # an import says nothing: the common case
    ("纯电动", None, ("ci", "inspection")),                   # outside 车船税 (domain-rules §4)
    # An import names no energy, but a green plate with D/A/B/C/E is a pure-electric car (§5).
    (None, "粤AD12345", ("ci", "inspection")),
    (None, "粤AF12345", ("ci", "vehicle_tax", "inspection")),  # F–K: not pure electric (a hybrid pays)
])
def test_card_tabs_and_letter_give_one_reminder_for_the_three_dates(app_ctx, energy, plate, items):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", terms=NO_TAX, energy=energy, plate=plate)
    card, tab_reminders, letter = _everywhere(engine, vid)
    assert [(r.day, r.items) for r in card] == [(date(2026, 12, 19), items)]
    assert tab_reminders == {card}                       # every tab row says exactly what the card says
    assert letter.inspection is not None and letter.inspection.due == date(2026, 12, 31)
    values = _letter_lines(letter)  # the letter names 车船税 too (no amount recorded), except outside the tax
    assert values["inspection_due"].startswith("2026年12月31日")
    assert (values["vehicle_tax"] != "") == ("vehicle_tax" in items)


def test_tax_follows_the_energy_not_a_recorded_amount():
    assert tax_with_ci("汽油") and tax_with_ci(None) and tax_with_ci("插电混动")
    assert not tax_with_ci("纯电动") and not tax_with_ci("氢燃料电池")


def test_a_pure_electric_plate_is_outside_the_tax_when_no_energy_is_recorded():
    assert not tax_with_ci(None, "京AD12345") and not tax_with_ci("", "粤BE1234 5")
    assert tax_with_ci(None, "京AF12345") and tax_with_ci(None, "京A12345")  # hybrid letter; a fuel car
    assert tax_with_ci(None, "京AD1234") and tax_with_ci(None, "京AD123应急")  # 7 characters; 应急
    assert tax_with_ci(None, "京A12345D")  # a large vehicle: §4 names passenger cars only
    assert tax_with_ci("汽油", "京AD12345")  # a recorded energy wins over the plate
