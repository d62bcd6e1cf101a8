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


@pytest.mark.parametrize("energy, items", [
    ("汽油", ("ci", "vehicle_tax", "inspection")),
    (None, ("ci", "vehicle_tax", "inspection")),       # an import says nothing: the common case
    ("纯电动", ("ci", "inspection")),                   # outside 车船税 (domain-rules §4)
])
def test_card_tabs_and_letter_give_one_reminder_for_the_three_dates(app_ctx, energy, items):
    engine = app_ctx.store().engine
    vid, _ = add_car(engine, registered="2020-12-10", terms=NO_TAX, energy=energy)
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
