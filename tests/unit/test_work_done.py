"""本月已办结 decided in SQL (store.work_done) lists what the Python engine (worklist.classify) lists,
on constructed histories at the edges: a closing record at 00:00 CST on the first of the month and
one second before it, the case start a day either side of the closing day, 停止联系 then contacted
again, corrected records, odd stored times (tier 3), a cover renewed early (case moved past the
record), a cover after a gap and one not started yet (the Python engine's), no 交强险 term, a lapsed
cover, a deleted vehicle, an owner without consent, and a clerk's view."""
import json
from datetime import date, datetime, timedelta

import pytest

from desktop.core.ids import new_id
from desktop.core.timeutil import CST
from desktop.services import settings as settings_svc
from desktop.services import worklist
from desktop.store import work_repo, writes
from desktop.store.records import EventRec
from desktop.store.uuidcol import blob
from tests.builders import add_vehicle
from tests.conftest import AT
from tests.unit.test_work_repo import CLERK, SUPER, check, fill


@pytest.fixture
def engine(app_ctx):
    return app_ctx.store().engine


def _cst(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def _ev(engine, vid: str, kind: str, at: datetime, outcome: str | None = None, detail: dict | None = None,
        staff: str = "ann", corrects: str | None = None) -> str:
    e = EventRec(new_id(), vid, kind, outcome, json.dumps(detail) if detail else None, None, staff, at, corrects)
    with engine.begin() as conn:
        writes.insert_events(conn, (e,))
    return e.id


def _raw_event(engine, vid: str, kind: str, outcome: str | None, at_text: str) -> None:
    # a time not in the stored UTC+8 form (a peer's, an old version's): tier 3, the Python engine's
    with engine.begin() as conn:
        conn.connection.driver_connection.execute(writes._EVENT_INSERT, (blob(new_id()), blob(vid), kind, outcome,
                                                                         None, None, "ann", at_text, None))


def _ci(last: date, days: int = 364) -> list[tuple[str, str]]:
    return [((last - timedelta(days=days)).isoformat(), last.isoformat())]


def _build(engine):
    """{name: vehicle id}; 'done' names the vehicles 已办结 lists at AT (2026-12-01 10:00 CST)."""
    v = {}
    soon = date(2027, 1, 10)  # in the case at AT (case start 2026-10-12)
    v["first_00"] = add_vehicle(engine, ci=_ci(soon)).id
    _ev(engine, v["first_00"], "outcome", _cst("2026-12-01T00:00:00"), "renewed_elsewhere")
    v["last_second"] = add_vehicle(engine, ci=_ci(soon)).id
    _ev(engine, v["last_second"], "outcome", _cst("2026-11-30T23:59:59"), "sold")
    # the case starts 90 days before the last covered day: on the closing day, and a day after it
    v["case_starts_that_day"] = add_vehicle(engine, ci=_ci(date(2026, 12, 1) + timedelta(days=90))).id
    _ev(engine, v["case_starts_that_day"], "loss_confirmed", _cst("2026-12-01T00:00:00"), detail={"reason": "price"})
    v["case_starts_next_day"] = add_vehicle(engine, ci=_ci(date(2026, 12, 1) + timedelta(days=91))).id
    _ev(engine, v["case_starts_next_day"], "loss_confirmed", _cst("2026-12-01T00:00:00"), detail={"reason": "price"})
    # 停止联系 last month, then contacted again this month: the stop in force is last month's
    v["stop_then_contact"] = add_vehicle(engine, ci=_ci(soon)).id
    _ev(engine, v["stop_then_contact"], "contact_stop", _cst("2026-11-20T09:00:00"), detail={"reason": "x"})
    _ev(engine, v["stop_then_contact"], "contact", _cst("2026-12-01T09:00:00"), "will_renew", {"channel": "phone"})
    v["stop_first_00"] = add_vehicle(engine, ci=_ci(date(2027, 6, 1))).id  # outside any case: the stop alone
    _ev(engine, v["stop_first_00"], "contact_stop", _cst("2026-10-02T09:00:00"), detail={"reason": "x"})
    _ev(engine, v["stop_first_00"], "contact_stop", _cst("2026-12-01T00:00:00"), detail={"reason": "y"})
    # corrected records: both stay facts (events are append-only)
    v["corrected_away"] = add_vehicle(engine, ci=_ci(soon)).id
    wrong = _ev(engine, v["corrected_away"], "outcome", _cst("2026-11-25T10:00:00"), "sold")
    _ev(engine, v["corrected_away"], "outcome", _cst("2026-12-01T08:00:00"), "will_come",
        {"next_date": "2026-12-05"}, corrects=wrong)
    v["corrected_to_loss"] = add_vehicle(engine, ci=_ci(soon)).id
    wrong = _ev(engine, v["corrected_to_loss"], "outcome", _cst("2026-11-28T10:00:00"), "will_come")
    _ev(engine, v["corrected_to_loss"], "outcome", _cst("2026-12-01T08:00:00"), "renewed_elsewhere", corrects=wrong)
    # tier 3: 17:00 UTC on 11-30 is 01:00 CST on 12-01
    v["odd_time"] = add_vehicle(engine, ci=_ci(soon)).id
    _raw_event(engine, v["odd_time"], "outcome", "scrapped", "2026-11-30T17:00:00+00:00")
    v["odd_time_before"] = add_vehicle(engine, ci=_ci(soon)).id
    _raw_event(engine, v["odd_time_before"], "outcome", "scrapped", "2026-11-30T15:59:59+00:00")
    # renewed here early: the new term touches the old one, one cover to 2027-12, the case moved past the record
    v["renewed_early"] = add_vehicle(engine, ci=_ci(date(2026, 12, 19)) + [("2026-12-20", "2027-12-19")]).id
    _ev(engine, v["renewed_early"], "outcome", _cst("2026-12-01T09:00:00"), "renewed_here")
    # a new cover after a gap: the current one (to 12-10) decides the case (the Python engine's)
    v["after_gap"] = add_vehicle(engine, ci=_ci(date(2026, 12, 10)) + [("2026-12-20", "2027-12-19")]).id
    _ev(engine, v["after_gap"], "outcome", _cst("2026-12-01T09:00:00"), "renewed_here")
    v["not_started"] = add_vehicle(engine, ci=[("2027-01-01", "2027-12-31")]).id
    _ev(engine, v["not_started"], "outcome", _cst("2026-12-01T09:00:00"), "declined")
    v["no_ci"] = add_vehicle(engine, bi=_ci(soon)).id
    _ev(engine, v["no_ci"], "outcome", _cst("2026-12-01T09:00:00"), "renewed_here")
    v["lapsed"] = add_vehicle(engine, ci=_ci(date(2026, 11, 20))).id
    _ev(engine, v["lapsed"], "contact", _cst("2026-12-01T09:00:00"), "declined", {"channel": "phone"})
    v["deleted"] = add_vehicle(engine, ci=_ci(soon)).id
    _ev(engine, v["deleted"], "outcome", _cst("2026-12-01T09:00:00"), "sold")
    with engine.begin() as conn:
        writes.tombstone(conn, "vehicle", [v["deleted"]])
    v["no_consent"] = add_vehicle(engine, ci=_ci(soon)).id
    _ev(engine, v["no_consent"], "outcome", _cst("2026-12-01T09:00:00"), "sold")
    with engine.begin() as conn:
        conn.connection.driver_connection.execute(
            "UPDATE customer SET consent_contact = 0 WHERE id = (SELECT owner_id FROM vehicle WHERE id = ?)",
            (blob(v["no_consent"]),))
    v["bobs"] = add_vehicle(engine, ci=_ci(soon)).id
    _ev(engine, v["bobs"], "assign", _cst("2026-11-01T09:00:00"), detail={"to": "bob"}, staff="boss")
    _ev(engine, v["bobs"], "outcome", _cst("2026-12-01T09:00:00"), "renewed_here")
    done = {"first_00", "case_starts_that_day", "stop_first_00", "corrected_to_loss", "odd_time", "after_gap",
            "not_started", "no_ci", "lapsed", "no_consent", "bobs"}
    return v, done


def test_done_at_the_edges_is_what_the_python_engine_lists(engine):
    v, done = _build(engine)
    s = settings_svc.load(engine)
    got = worklist.build(engine, SUPER, AT, s, limit=1000)
    assert {r.vehicle_id for r in got.tabs["done"]} == {v[n] for n in done}
    assert got.counts()["done"] == len(done)
    mine = worklist.build(engine, CLERK, AT, s, limit=1000)
    assert {r.vehicle_id for r in mine.tabs["done"]} == {v[n] for n in done - {"bobs"}}
    # SQL decides every one but the odd time (every tab of it: python_candidates), the cover after a
    # gap and the one not started yet
    p = worklist.params(AT, s)
    with engine.connect() as conn:
        full = work_repo.python_candidates(conn, p)
        st, python = work_repo.done_tab(conn, p, date(2026, 12, 1), 1000, None, full)
        conn.rollback()
    assert full == {v["odd_time"], v["odd_time_before"]}
    assert python == {v["after_gap"], v["not_started"]}
    assert st.count == len(done) - 3
    for at in (AT, _cst("2026-12-01T00:00:00"), _cst("2026-11-30T23:59:59"), _cst("2026-12-31T23:59:59"),
               _cst("2027-01-01T00:00:00"), AT + timedelta(days=12, hours=3)):
        for session in (SUPER, CLERK):
            check(engine, at, s, session, limit=3)


def test_every_tab_on_generated_histories_with_the_edges_among_them(engine):
    # the generated mix (every kind, dated or not, odd terms) beside the constructed edges, paged,
    # under other lead days and caps
    fill(engine, 300, 11, AT)
    _build(engine)
    s = settings_svc.load(engine)
    s2 = s.__class__(**{**s.__dict__, "lead_days": 40})
    for at in (AT, AT + timedelta(days=20), AT - timedelta(days=1)):
        check(engine, at, s, SUPER, limit=4)
    check(engine, AT, s2, SUPER, limit=4)
    # a cap of 0 holds every vehicle back from today and overdue, with or without attempts this week
    for cap in ({"contact_cap_day": 0}, {"contact_cap_week": 0}, {"contact_cap_day": 1, "contact_cap_week": 1}):
        check(engine, AT, s.__class__(**{**s.__dict__, **cap}), SUPER, limit=4)
    check(engine, AT, s, CLERK, limit=4)
