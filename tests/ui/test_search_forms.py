"""Search: a plate without its province and a two-character plate prefix find vehicles."""
from __future__ import annotations

from tests.ui.conftest import type_query


def test_plate_without_province_finds_it(window, by_status, qtbot):
    m = next(x for x in by_status["DUE"] if x.plate and len(x.plate) == 7)
    type_query(qtbot, window, m.plate[1:].lower())
    assert m.vehicle_id in [x.vehicle_id for x in window.search.model.matches()]
    assert not window.search.not_found_row.isVisible()


def test_plate_prefix_lists_that_office(window, by_status, qtbot):
    m = next(x for x in by_status["ACTIVE"] if x.plate)
    type_query(qtbot, window, m.plate[:2])
    plates = [x.plate for x in window.search.model.matches()]
    assert plates and all(p.startswith(m.plate[:2]) for p in plates)
    assert window.search.count.isVisible()
