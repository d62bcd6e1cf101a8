"""The monthly report's SQL path (store.renewal_repo.segment_counts) gives the same figures as the
pure core (core.segments.classify over every candidate, renewal_report.build(use_sql=False)) on
constructed histories: every segment, terms ending or starting on the month's first and last day
and either side of it, 本店续保 records on the claim boundary (day − 2), visits 365 days back,
losses inside and outside the case, assignments, lapses of exactly 3 years, odd and inverted
terms, deleted vehicles."""
import dataclasses
import json
import random
from datetime import date, datetime, timedelta

import pytest

from desktop.core import segments
from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.core.timeutil import CST
from desktop.services import renewal_report
from desktop.services import settings as settings_svc
from desktop.services.auth import StaffSession
from desktop.store import renewal_repo, vehicles_repo, writes
from desktop.store.records import CustomerRec, EventRec, TermRec, VehicleRec
from tests.conftest import AT

SUPER = StaffSession("super", "supervisor")
NOV1 = date(2026, 11, 1)
# days (relative to 2026-11-01) where a rule changes: the month's edges, the lead, 3 years back
EDGES = [-1097, -1096, -1095, -400, -366, -365, -364, -91, -90, -89, -31, -2, -1, 0, 1, 2, 14, 28, 29, 30, 31, 32, 60]


def _at(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CST)


def _iso(d: datetime) -> str:
    return d.astimezone(CST).isoformat(timespec="seconds")


def _history(r: random.Random, vid: str) -> tuple[list[TermRec], list[EventRec]]:
    ends = [NOV1 + timedelta(days=r.choice(EDGES))]
    for _ in range(r.randint(0, 3)):  # earlier years, sometimes with a gap or an overlap
        ends.insert(0, ends[0] - timedelta(days=365 + r.choice([0, 0, 0, 5, -3, 200])))
    if r.random() < 0.35:  # a later cover: on time, after a gap, or within the month
        ends.append(ends[-1] + timedelta(days=r.choice([365, 365, 380, 20, 700])))
    terms = []
    for e in ends:
        end = _at(e, r.choice([0, 0, 0, 10]))
        start = end - timedelta(days=r.choice([365, 365, 365, 30, 400]))
        if r.random() < 0.1:  # a new car's first cover starts mid-month
            start = _at(NOV1 + timedelta(days=r.choice([-1, 0, 15, 29, 30])), 9)
            end = start + timedelta(days=365)
        terms.append((start, end))
    if r.random() < 0.05:
        terms.append((terms[-1][0], terms[-1][1]))  # the same cover twice
    if r.random() < 0.03:
        terms.append((terms[-1][1] + timedelta(days=10), terms[-1][1] + timedelta(days=5)))  # inverted
    recs = [TermRec(new_id(), vid, r.choice(["CI"] * 9 + ["BI"]), _iso(s), _iso(e), "安泰财产保险", "P1",
                    source="counter", as_of=_iso(AT), verified_by="t") for s, e in terms]
    events = []
    for _ in range(r.choice([0, 1, 2, 3, 5])):
        anchor = r.choice(terms)[r.randint(0, 1)].date()
        when = _at(anchor + timedelta(days=r.choice([-3, -2, -1, 0, 1, 2, -95, -89, -40])), r.randint(8, 18))
        pick = r.random()
        if pick < 0.35:
            events.append(EventRec(new_id(), vid, "outcome", "renewed_here", None, None, "ann", when))
        elif pick < 0.5:
            o = r.choice(["renewed_elsewhere", "sold", "scrapped", "declined", "will_come"])
            events.append(EventRec(new_id(), vid, "outcome", o, None, None, "ann", when))
        elif pick < 0.62:
            reason = r.choice(["price", "elsewhere", None])
            detail = json.dumps({"reason": reason} if reason else {}) if r.random() < 0.9 else "not json"
            events.append(EventRec(new_id(), vid, "loss_confirmed", None, detail, None, "boss", when))
        elif pick < 0.75:
            events.append(EventRec(new_id(), vid, "assign", None, json.dumps({"to": r.choice(["ann", "bob"])}), None,
                                   "boss", when))
        elif pick < 0.95:
            back = r.choice([0, 100, 364, 365, 366, 400])
            events.append(EventRec(new_id(), vid, "visit", None, None, None, "ann",
                                   _at(terms[-1][1].date() - timedelta(days=back), 11)))
        else:
            events.append(EventRec(new_id(), vid, "contact", "will_renew", json.dumps({"channel": "phone"}), None,
                                   "ann", when))
    return recs, events


def _fill(engine, n: int, seed: int, scramble: bool = False) -> list[str]:
    """With `scramble`, each vehicle's term ids are shuffled among its terms and the terms written in
    a shuffled order, as terms arriving out of order through sync are: classify's tie-break (id)
    and the store's order then differ from the order the terms were drawn in."""
    r, fake = random.Random(seed), FakeData(seed)
    mix = random.Random(seed + 1000)  # its own stream: the histories stay those of `seed`
    ids = []
    with engine.begin() as conn:
        for _ in range(n):
            cust = CustomerRec(new_id(), fake.name(), fake.mobile(), None, None, r.random() > 0.1, True)
            v = VehicleRec(new_id(), fake.plate("ordinary"), None, cust.id if r.random() > 0.05 else None)
            writes.insert_customers(conn, (cust,), AT)
            writes.insert_vehicles(conn, (v,), AT)
            terms, events = _history(r, v.id)
            if scramble:
                term_ids = [t.id for t in terms]
                mix.shuffle(term_ids)
                terms = [dataclasses.replace(t, id=i) for t, i in zip(terms, term_ids, strict=True)]
                mix.shuffle(terms)
            writes.insert_terms(conn, terms)
            writes.insert_events(conn, events)
            vehicles_repo.replace_search_keys(conn, v, cust)
            ids.append(v.id)
        writes.tombstone(conn, "vehicle", r.sample(ids, n // 30))
        conn.connection.driver_connection.execute(  # an odd stored time: the Python engine decides
            "UPDATE policy_term SET end_at = '2026-11-20 00:00' WHERE id IN (SELECT id FROM policy_term LIMIT 3)")
    return ids


@pytest.fixture
def engine(app_ctx):
    return app_ctx.store().engine


@pytest.mark.parametrize("seed", [11, 12])
def test_sql_report_equals_the_core_classify_on_constructed_histories(engine, seed):
    _fill(engine, 500, seed)
    s = settings_svc.load(engine)
    with engine.connect() as conn:  # the SQL decides nearly every vehicle, the core only the odd ones
        assert len(renewal_repo.python_report_ids(conn)) < 60
        conn.rollback()
    for month in ("2026-11", "2026-10", "2027-11", "2024-02"):
        got = renewal_report.build(engine, SUPER, month, AT, s).to_json()
        want = renewal_report.build(engine, SUPER, month, AT, s, use_sql=False).to_json()
        assert got == want, month
    nov = renewal_report.build(engine, SUPER, "2026-11", AT, s).to_json()
    seen = {x["segment"] for x in nov["segments"] if x["due"]}
    assert seen == {"新保", "新转续", "首次", "续转续", "间转续", "潜转续", "在修不在保", "断保回流"}
    assert nov["reasons"] and set(nov["by_staff"]) >= {"ann", "bob", "未分配"}


def test_sql_report_equals_the_core_classify_when_terms_arrive_out_of_order(engine):
    _fill(engine, 400, 13, scramble=True)
    s = settings_svc.load(engine)
    for month in ("2026-11", "2026-12", "2027-11"):
        assert (renewal_report.build(engine, SUPER, month, AT, s).to_json()
                == renewal_report.build(engine, SUPER, month, AT, s, use_sql=False).to_json()), month


def test_other_lead_days_move_the_case_start_in_sql_too(engine):
    _fill(engine, 300, 5)
    s = settings_svc.load(engine)
    s2 = s.__class__(**{**s.__dict__, "lead_days": 30})
    for month in ("2026-11", "2026-12"):
        assert (renewal_report.build(engine, SUPER, month, AT, s2).to_json()
                == renewal_report.build(engine, SUPER, month, AT, s2, use_sql=False).to_json())


def _car(conn, terms: list[tuple[datetime, datetime]], events=(), consent: bool = True, ids=None) -> str:
    fake = FakeData(len(terms) * 7 + len(events))
    cust = CustomerRec(new_id(), fake.name(), fake.mobile(), None, None, consent, True)
    v = VehicleRec(new_id(), fake.plate("ordinary"), None, cust.id)
    writes.insert_customers(conn, (cust,), AT)
    writes.insert_vehicles(conn, (v,), AT)
    writes.insert_terms(conn, [TermRec(i, v.id, "CI", _iso(s), _iso(e), "安泰财产保险", "P1", source="counter",
                                       as_of=_iso(AT), verified_by="t")
                               for (s, e), i in zip(terms, ids or [new_id() for _ in terms], strict=True)])
    writes.insert_events(conn, [EventRec(new_id(), v.id, k, o, d, None, "ann", w) for k, o, d, w in events])
    vehicles_repo.replace_search_keys(conn, v, cust)
    return v.id


def test_sql_report_equals_the_core_on_overlaps_duplicate_terms_and_same_time_facts(engine):
    """The histories the one-pass statement must not shortcut: an earlier term ending in the month
    under a longer latest one (no end index since 0020, so the pass over every term finds it); two
    terms ending in the month; the same cover twice with ids in either order (classify's tie-break);
    a car renewed early; a first cover starting on the month's first / last day; a lapse whose last
    ended term is not the latest-ending one; 战败 and 本店续保 records at the same second; an owner
    without consent (the row looked up for `deleted`) and a deleted car."""
    d = NOV1
    low, high = bytes(16).hex(), "f" * 32
    with engine.begin() as conn:
        _car(conn, [(_at(d - timedelta(days=300)), _at(d + timedelta(days=10))),  # ends in the month
                    (_at(d - timedelta(days=200)), _at(d + timedelta(days=200)))])  # ...under this one
        _car(conn, [(_at(d - timedelta(days=20)), _at(d + timedelta(days=5))), (_at(d + timedelta(days=5)), _at(d + timedelta(days=12))),
                    (_at(d + timedelta(days=12)), _at(d + timedelta(days=377)))],
             [("outcome", "renewed_here", None, _at(d + timedelta(days=4), 10))])
        for ids in ([f"{low[:8]}-{low[8:12]}-{low[12:16]}-{low[16:20]}-{low[20:]}",
                     f"{high[:8]}-{high[8:12]}-{high[12:16]}-{high[16:20]}-{high[20:]}"], None):
            _car(conn, [(_at(d - timedelta(days=365)), _at(d + timedelta(days=29))),
                        (_at(d - timedelta(days=365)), _at(d + timedelta(days=29)))],
                 [("outcome", "renewed_here", None, _at(d - timedelta(days=364), 9))], ids=ids)
        _car(conn, [(_at(d - timedelta(days=345)), _at(d + timedelta(days=20))), (_at(d + timedelta(days=20)), _at(d + timedelta(days=385)))],
             [("outcome", "renewed_here", None, _at(d - timedelta(days=10), 15))])
        _car(conn, [(_at(d, 0), _at(d + timedelta(days=365)))])
        _car(conn, [(_at(d + timedelta(days=29), 23), _at(d + timedelta(days=395)))])
        _car(conn, [(_at(d - timedelta(days=900)), _at(d - timedelta(days=100))),  # latest-ending, lapsed
                    (_at(d - timedelta(days=500)), _at(d - timedelta(days=400))),
                    (_at(d - timedelta(days=150)), _at(d - timedelta(days=120)))])  # the last ended in order
        same = _at(d + timedelta(days=3), 11)
        _car(conn, [(_at(d - timedelta(days=350)), _at(d + timedelta(days=15)))],
             [("loss_confirmed", None, json.dumps({"reason": "price"}), same), ("outcome", "renewed_elsewhere", None, same),
              ("assign", None, json.dumps({"to": "bob"}), same)])
        _car(conn, [(_at(d - timedelta(days=340)), _at(d + timedelta(days=25)))], consent=False)
        gone = _car(conn, [(_at(d - timedelta(days=330)), _at(d + timedelta(days=26)))], consent=False)
        writes.tombstone(conn, "vehicle", [gone])
    s = settings_svc.load(engine)
    with engine.connect() as conn:
        assert renewal_repo.python_report_ids(conn) == []  # every one of them is the SQL's
        conn.rollback()
    for month in ("2026-11", "2026-10", "2026-12", "2027-11"):
        got = renewal_report.build(engine, SUPER, month, AT, s).to_json()
        assert got == renewal_report.build(engine, SUPER, month, AT, s, use_sql=False).to_json(), month
    nov = {x["segment"]: x["due"] for x in renewal_report.build(engine, SUPER, "2026-11", AT, s).to_json()["segments"]}
    # seven cars have a term ending in November (the deleted one is not counted), the overlapped one among them
    assert nov["新保"] == 2 and nov["断保回流"] >= 1 and sum(nov[k] for k in segments.RENEWAL_SEGMENTS) == 7
