"""A follow-up date recorded with 联系不上 / 客户会来 (issue 11) is the worklist's next planned date."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from desktop.services import record, worklist
from desktop.services import settings as settings_svc
from desktop.services.auth import StaffSession
from desktop.services.errors import BadInput
from tests.builders import add_vehicle
from tests.conftest import AT

TODAY = AT.date()
CLERK = StaffSession("clerk", "clerk")


def _ending_in(days: int) -> list[tuple[str, str]]:
    last = TODAY + timedelta(days=days)
    return [((last - timedelta(days=364)).isoformat(), last.isoformat())]


def _row(engine, vehicle_id):
    lists = worklist.build(engine, CLERK, AT, settings_svc.load(engine))
    rows = [r for rs in lists.tabs.values() for r in rs if r.vehicle_id == vehicle_id]
    return rows[0] if rows else None


@pytest.mark.parametrize("outcome", ["unreachable", "will_come"])
def test_the_follow_up_date_is_the_next_planned_date(app_ctx, outcome):
    engine = app_ctx.store().engine
    v = add_vehicle(engine, ci=_ending_in(45))
    follow = TODAY + timedelta(days=4)
    record.record_outcome(engine, CLERK, v.id, outcome, now=AT, next_date=follow)
    row = _row(engine, v.id)
    assert row is not None and row.next_date == follow
    stored = engine.connect().exec_driver_sql("SELECT detail FROM event WHERE kind = 'outcome'").fetchall()
    assert follow.isoformat() in stored[0][0]


def test_a_past_or_misplaced_follow_up_date_names_the_field(app_ctx):
    engine = app_ctx.store().engine
    v = add_vehicle(engine, ci=_ending_in(45))
    with pytest.raises(BadInput) as past:
        record.record_outcome(engine, CLERK, v.id, "unreachable", now=AT, next_date=date(2026, 11, 30))
    assert past.value.field == "next_date" and "已经过去" in past.value.message
    with pytest.raises(BadInput) as wrong:
        record.record_outcome(engine, CLERK, v.id, "declined", now=AT, next_date=TODAY)
    assert wrong.value.field == "next_date"
