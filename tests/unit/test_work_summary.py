"""work_index's event summary (migration 0016) kept by the triggers is what a full recompute from the
events gives, whatever order the events arrive in (a sync pull brings a peer's older rows after
newer ones), and the tabs read from it list what the Python engine lists: a vehicle whose only
facts are from an earlier case is placed as one without events, a clerk sees it only while the
latest assignment is theirs or nobody's, and one new fact (a contact today, a closing record, a
停止联系, a new term moving the case) moves it at once."""
import json
import random
from datetime import date, datetime, timedelta

import pytest

from desktop.core.ids import new_id
from desktop.core.timeutil import CST
from desktop.services import settings as settings_svc
from desktop.services import worklist
from desktop.services.auth import StaffSession
from desktop.store import work_triggers, writes
from desktop.store.records import EventRec, TermRec
from tests.builders import add_vehicle
from tests.conftest import AT
from tests.unit.test_work_repo import CLERK, SUPER, _events, check, fill


@pytest.fixture
def engine(app_ctx):
    return app_ctx.store().engine


_SUMMARY = f"SELECT vehicle_id, tier, {', '.join(work_triggers.SUMMARY_COLUMNS)} FROM work_index"


def _summary(engine) -> set[tuple]:
    with engine.connect() as conn:
        out = set(conn.exec_driver_sql(_SUMMARY).fetchall())
        conn.rollback()
    return out


def _recomputed(engine) -> set[tuple]:
    """The summary as install's full refresh computes it from the events (rolled back after)."""
    with engine.connect() as conn:
        conn.exec_driver_sql("DELETE FROM work_index")
        conn.exec_driver_sql(work_triggers.refresh("1"))
        out = set(conn.exec_driver_sql(_SUMMARY).fetchall())
        conn.rollback()
    return out


def test_the_summary_equals_a_full_recompute_when_events_arrive_out_of_order(engine):
    ids = fill(engine, 300, 21, AT)
    r = random.Random(22)
    late: list[EventRec] = []
    for vid in r.sample(ids, 120):
        late += _events(r, vid, AT)
        # assignments of the same instant and older ones arriving after newer ones
        when = AT - timedelta(days=r.choice([1, 5, 30]))
        for to in r.sample(["ann", "bob", "cat"], 2):
            late.append(EventRec(new_id(), vid, "assign", None, json.dumps({"to": to}), None, "boss", when))
        late.append(EventRec(new_id(), vid, "assign", None, json.dumps({"to": None}), None, "boss",
                             when - timedelta(days=r.choice([-2, 2]))))
    r.shuffle(late)
    for i in range(0, len(late), 50):  # several pulls, each in its own transaction
        with engine.begin() as conn:
            writes.insert_events(conn, late[i:i + 50])
    kept = _summary(engine)
    assert kept == _recomputed(engine)
    assert sum(1 for row in kept if row[5] == "cat") > 5  # assignee column: the later assignment won
    s = settings_svc.load(engine)
    # AT + 4 days: a vehicle promised to come, on 逾期 by its touchpoint, is sorted there by the
    # promised day its row shows (SQL paged it by the touchpoint: a page ordered unlike the tab)
    for at in (AT, AT + timedelta(days=4, hours=2), AT - timedelta(days=6, hours=2)):
        check(engine, at, s, SUPER)
        check(engine, at, s, CLERK)
        check(engine, at, s, StaffSession("cat", "clerk"))


def _on(engine, session, tab: str, at=AT) -> list[str]:
    s = settings_svc.load(engine)
    return [r.vehicle_id for r in worklist.build(engine, session, at, s, only=(tab,)).tabs[tab]]


def _event(vid: str, kind: str, at: datetime, outcome=None, detail=None) -> EventRec:
    return EventRec(new_id(), vid, kind, outcome, json.dumps(detail) if detail else None, None, "boss", at)


def test_a_vehicle_with_only_an_earlier_case_facts_is_listed_as_one_without_events(engine):
    last = date(2026, 12, 1) + timedelta(days=45)  # today is its 45-day touchpoint
    v = add_vehicle(engine, ci=[((last - timedelta(days=364)).isoformat(), last.isoformat())])
    year_ago = AT - timedelta(days=300)
    with engine.begin() as conn:  # last year's case: renewed here, assigned to bob
        writes.insert_events(conn, [_event(v.id, "outcome", year_ago, "renewed_here"),
                                    _event(v.id, "assign", year_ago, detail={"to": "bob"})])
    assert _on(engine, SUPER, "today") == [v.id]
    assert _on(engine, CLERK, "today") == []  # bob's, not ann's
    assert _on(engine, StaffSession("bob", "clerk"), "today") == [v.id]
    with engine.begin() as conn:  # an older assignment pulled later changes nothing
        writes.insert_events(conn, [_event(v.id, "assign", year_ago - timedelta(days=1), detail={"to": "ann"})])
    assert _on(engine, CLERK, "today") == []
    with engine.begin() as conn:  # handed to ann now
        writes.insert_events(conn, [_event(v.id, "assign", AT - timedelta(hours=1), detail={"to": "ann"})])
    assert _on(engine, CLERK, "today") == [v.id]
    with engine.begin() as conn:  # contacted today: the day's cap holds it back from today
        writes.insert_events(conn, [_event(v.id, "contact", AT - timedelta(minutes=5), "no_answer",
                                           {"channel": "phone"})])
    s = settings_svc.load(engine)
    lists = worklist.build(engine, SUPER, AT, s, only=("today",))
    assert lists.tabs["today"] == [] and lists.capped == 1


def test_a_closing_fact_or_a_stop_takes_a_lapsed_vehicle_off_and_a_new_term_brings_the_case_back(engine):
    last = date(2026, 11, 20)  # lapsed 11 days ago
    v = add_vehicle(engine, ci=[((last - timedelta(days=364)).isoformat(), last.isoformat())])
    w = add_vehicle(engine, ci=[((last - timedelta(days=364)).isoformat(), last.isoformat())])
    assert set(_on(engine, SUPER, "lapsed")) == {v.id, w.id}
    with engine.begin() as conn:
        writes.insert_events(conn, [_event(v.id, "outcome", AT - timedelta(days=2), "sold"),
                                    _event(w.id, "contact_stop", AT - timedelta(days=400), detail={"reason": "x"})])
    assert _on(engine, SUPER, "lapsed") == []  # sold in this case; 停止联系 however long ago
    # v back with us on a new 交强险 term whose case (90 days before its last day, 2027-03-14) starts
    # after the sale: listed again, at its 45-day touchpoint
    end = datetime(2027, 3, 15, tzinfo=CST)
    with engine.begin() as conn:
        writes.insert_terms(conn, (TermRec(new_id(), v.id, "CI", (end - timedelta(days=365)).isoformat(),
                                           end.isoformat(), source="counter", as_of=AT.isoformat()),))
    touch = AT + timedelta(days=58)  # 2027-01-28
    assert _on(engine, SUPER, "today", touch) == [v.id]
    assert _on(engine, SUPER, "today", touch - timedelta(days=1)) == []
    check(engine, touch, settings_svc.load(engine), SUPER)
