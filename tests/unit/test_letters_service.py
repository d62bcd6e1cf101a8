"""Batch letter selection, order, skipped reasons, print log and roles (DESIGN §7)."""
from __future__ import annotations

import pytest

from desktop.core.masking import mask_plate
from desktop.services import letters
from desktop.services.errors import NotAllowed
from desktop.store.uuidcol import blob
from tests.builders import add_vehicle
from tests.conftest import AT  # 2026-12-01 10:00 +08:00


@pytest.fixture
def fleet(app_ctx):
    e = app_ctx.store().engine
    v = {
        "due_10": add_vehicle(e, [("2025-12-12", "2026-12-11")], address="示例市东城区二路2号"),
        "due_0": add_vehicle(e, [("2025-12-02", "2026-12-01")], address="示例市和平区一路1号"),
        "active_200": add_vehicle(e, [("2026-06-20", "2027-06-19")]),
        "renewed": add_vehicle(e, [("2025-12-12", "2026-12-11"), ("2026-12-12", "2027-12-11")]),
        "future_gap": add_vehicle(e, [("2025-12-12", "2026-12-11"), ("2026-12-20", "2027-12-19")]),
        "lapsed_1y": add_vehicle(e, [("2024-11-01", "2025-10-31")]),
        "lapsed_4y": add_vehicle(e, [("2021-11-01", "2022-10-31")]),
        "sold": add_vehicle(e, [("2025-12-12", "2026-12-11")], outcome="sold"),
        "scrapped": add_vehicle(e, [("2025-12-12", "2026-12-11")], outcome="scrapped"),
        "no_consent": add_vehicle(e, [("2025-12-12", "2026-12-11")], consent_mail=False),
        "no_address": add_vehicle(e, [("2025-12-12", "2026-12-11")], address=None),
    }
    return e, v


def _plates(sel):
    return [s.bundle.vehicle.plate for s in sel.letters]


def test_due_window_takes_due_not_renewed_not_future_term(fleet):
    e, v = fleet
    sel = letters.select(e, 30, False, "due", AT, 90)
    assert set(_plates(sel)) == {v["due_10"].plate, v["due_0"].plate}
    assert _plates(sel) == [v["due_0"].plate, v["due_10"].plate]  # by due date
    reasons = {(s.plate, s.reason) for s in sel.skipped}
    assert reasons == {(mask_plate(v["sold"].plate), "sold"), (mask_plate(v["scrapped"].plate), "scrapped"),
                       (mask_plate(v["no_consent"].plate), "no_consent"),
                       (mask_plate(v["no_address"].plate), "no_address")}


def test_order_by_address_is_mail_order(fleet):
    e, v = fleet
    sel = letters.select(e, 30, False, "address", AT, 90)
    # Sorted by postal address (东城区 before 和平区), the reverse of the due order.
    assert _plates(sel) == [v["due_10"].plate, v["due_0"].plate]
    assert _plates(letters.select(e, 30, False, "due", AT, 90)) == [v["due_0"].plate, v["due_10"].plate]


def test_include_lapsed_adds_lapses_of_at_most_three_years(fleet):
    e, v = fleet
    sel = letters.select(e, 30, True, "due", AT, 90)
    assert v["lapsed_1y"].plate in _plates(sel)
    assert v["lapsed_4y"].plate not in _plates(sel)


def test_active_far_away_is_outside_a_short_window_but_inside_a_long_one(fleet):
    e, v = fleet
    assert v["active_200"].plate not in _plates(letters.select(e, 30, False, "due", AT, 90))
    assert v["active_200"].plate in _plates(letters.select(e, 210, False, "due", AT, 90))


def test_print_log_counts_each_letter_and_needs_a_supervisor(fleet, app_ctx):
    e, v = fleet
    sel = letters.select(e, 30, False, "due", AT, 90)
    clerk = app_ctx.login("clerk", "clerk-pass-1")
    with pytest.raises(NotAllowed):
        letters.log_printed(e, clerk, sel, None, AT, 2, "x.pdf")
    sup = app_ctx.login("super", "super-pass-1")
    letters.log_printed(e, sup, sel, None, AT, 2, "x.pdf")
    letters.log_printed(e, sup, sel, None, AT, 2, "x.pdf")
    with e.connect() as conn:  # both batches logged for this vehicle
        assert conn.exec_driver_sql("SELECT count(*) FROM letter_log WHERE vehicle_id = ?",
                                    (blob(v["due_0"].id),)).scalar() == 2
        conn.rollback()
    assert letters.mark_returned(e, sup, v["due_0"].id, "查无此人") == 1


@pytest.mark.parametrize("due_within, include_lapsed", [(0, False), (7, False), (30, False), (30, True),
                                                        (120, True), (366, False)])
def test_window_candidates_miss_nobody_a_pass_over_the_whole_store_selects(demo_ctx, monkeypatch, due_within,
                                                                           include_lapsed):
    """The candidates (latest 交强险 end near the window, work_index) give exactly the letters and
    skipped vehicles that reading every vehicle of the demo store gives."""
    from desktop.store import vehicles_repo

    e = demo_ctx.store().engine
    fast = letters.select(e, due_within, include_lapsed, "due", AT, 90)
    with e.connect() as conn:
        everyone = vehicles_repo.all_vehicle_ids(conn)
        conn.rollback()
    monkeypatch.setattr(letters, "window_candidates", lambda *_a: everyone)
    full = letters.select(e, due_within, include_lapsed, "due", AT, 90)
    assert _plates(fast) == _plates(full)
    assert fast.skipped == full.skipped
    assert full.letters or due_within == 0  # the demo mix has letters in these windows
