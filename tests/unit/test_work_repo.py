"""The work tabs decided in SQL (store.work_repo + the work_index triggers) list exactly what the
Python engine (worklist.classify over every vehicle) lists, on generated histories: terms that
touch, overlap, leave gaps, start mid-day or are inverted; every renewal event kind, dated or not;
do-not-contact owners, deleted vehicles, later edits to consent and terms."""
import json
import random
from datetime import date, datetime, timedelta

import pytest

from desktop.core import cadence
from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.core.timeutil import CST, cst_date
from desktop.services import settings as settings_svc
from desktop.services import worklist
from desktop.services.auth import StaffSession
from desktop.services.statuses import iter_statuses
from desktop.store import vehicles_repo, writes
from desktop.store.records import CustomerRec, EventRec, TermRec, VehicleRec
from desktop.store.uuidcol import blob
from tests.conftest import AT

SUPER = StaffSession("super", "supervisor")
CLERK = StaffSession("ann", "clerk")
RESULTS = list(cadence.RESULTS) + [None]
OUTCOMES = ["renewed_here", "renewed_elsewhere", "sold", "scrapped", "unreachable", "declined", "will_come", "odd"]


def _iso(d: datetime) -> str:
    return d.astimezone(CST).isoformat(timespec="seconds")


def _terms(r: random.Random, vid: str, day0: datetime) -> list[TermRec]:
    shape = r.random()
    if shape < 0.05:
        return []
    end = day0 + timedelta(days=r.choice([r.randint(-1300, -1000), r.randint(-200, 0), r.randint(0, 120),
                                          r.randint(120, 400), 0, 1, 30, 33, 45, 52, 53, -1095, -1096, -1097]))
    if r.random() < 0.2:
        end += timedelta(hours=r.choice([9, 10, 11, 15]), minutes=r.choice([0, 30]))
    out, start = [], end - timedelta(days=365)
    out.append((start, end))
    for _ in range(r.randint(0, 2)):  # history, sometimes with a hole or an overlap
        e = out[0][0] + timedelta(days=r.choice([0, 0, -5, 3]))
        out.insert(0, (e - timedelta(days=365), e))
    if r.random() < 0.2:  # renewed, or a later cover after a gap / lapse
        s = end + timedelta(days=r.choice([0, 0, 3, 20]), hours=r.choice([0, 0, 15]))
        out.append((s, s + timedelta(days=365)))
    if r.random() < 0.05:  # an inverted term: bad data the engine ignores
        out.append((end + timedelta(days=10), end + timedelta(days=5)))
    if r.random() < 0.05:  # a short term inside the latest one
        out.append((end - timedelta(days=40), end - timedelta(days=10)))
    kinds = ["CI"] * len(out)
    return [TermRec(new_id(), vid, k, _iso(s), _iso(e), "安泰财产保险", f"P{new_id()[-10:]}", source="counter",
                    as_of=_iso(AT), verified_by="t") for k, (s, e) in zip(kinds, out, strict=True)]


def _events(r: random.Random, vid: str, at: datetime) -> list[EventRec]:
    out = []
    for _ in range(r.choice([0, 0, 0, 1, 1, 2, 4])):
        when = at - timedelta(days=r.choice([0, 0, 1, 2, 3, 6, 10, 40, 100, 400]), hours=r.randint(0, 9))
        pick = r.random()
        if pick < 0.45:
            nxt = (cst_date(at) + timedelta(days=r.randint(-3, 9))).isoformat() if r.random() < 0.25 else None
            detail = {"channel": r.choice(list(cadence.CHANNELS))}
            if nxt:
                detail["next_date"] = nxt
            if r.random() < 0.1:
                detail["reason"] = "价格"
            out.append(EventRec(new_id(), vid, "contact", r.choice(RESULTS), json.dumps(detail), None, "ann", when))
        elif pick < 0.7:
            o = r.choice(OUTCOMES)
            detail = json.dumps({"visit_date": (cst_date(at) + timedelta(days=2)).isoformat()}) \
                if o == "will_come" and r.random() < 0.5 else None
            out.append(EventRec(new_id(), vid, "outcome", o, detail, None, "ann", when))
        elif pick < 0.78:
            out.append(EventRec(new_id(), vid, "contact_stop", None, json.dumps({"reason": "x"}), None, "ann", when))
        elif pick < 0.84:
            until = (cst_date(at) + timedelta(days=r.randint(-2, 8))).isoformat()
            out.append(EventRec(new_id(), vid, "contact_close", None, json.dumps({"until": until}), None, "ann", when))
        elif pick < 0.9:
            out.append(EventRec(new_id(), vid, "assign", None, json.dumps({"to": r.choice(["ann", "bob"])}), None,
                                "boss", when))
        elif pick < 0.95:
            out.append(EventRec(new_id(), vid, "loss_confirmed", None, json.dumps({"reason": "price"}), None,
                                "boss", when))
        else:
            out.append(EventRec(new_id(), vid, "visit", None, None, None, "ann", when))
    return out


def fill(engine, n: int, seed: int, at: datetime) -> list[str]:
    r, fake = random.Random(seed), FakeData(seed)
    day0 = at.replace(hour=0, minute=0, second=0)
    ids = []
    with engine.begin() as conn:
        for _ in range(n):
            cust = CustomerRec(new_id(), fake.name(), fake.mobile(), None, None, r.random() > 0.1, True)
            v = VehicleRec(new_id(), fake.plate("ordinary"), None, cust.id if r.random() > 0.03 else None)
            writes.insert_customers(conn, (cust,), at)
            writes.insert_vehicles(conn, (v,), at)
            writes.insert_terms(conn, _terms(r, v.id, day0))
            writes.insert_events(conn, _events(r, v.id, at))
            vehicles_repo.replace_search_keys(conn, v, cust)
            ids.append(v.id)
    return ids


def reference(engine, session, at, s) -> tuple[dict[str, list[str]], int]:
    """What the tabs were before SQL: classify() on every vehicle of the store."""
    with engine.connect() as conn:
        ids = vehicles_repo.all_vehicle_ids(conn)
        conn.rollback()
    today = cst_date(at)
    tabs: dict[str, list] = {t: [] for t in worklist.TABS}
    capped = 0
    sees_all = session.may("supervisor")
    for b, c in iter_statuses(engine, ids, at, s.lead_days):
        where, row, held = worklist.classify(b, c, today, s, cadence.parse_cadence(s.contact_cadence))
        if row is None or not (sees_all or row.assigned_to in (None, session.name)):
            continue
        capped += held
        for t in where:
            tabs[t].append(row)
    return {t: [r.vehicle_id for r in sorted(rows, key=worklist._sort_key(t))] for t, rows in tabs.items()}, capped


@pytest.fixture
def engine(app_ctx):
    return app_ctx.store().engine


def check(engine, at, s, session, limit=5):
    want, want_capped = reference(engine, session, at, s)
    got = worklist.build(engine, session, at, s, limit=100000)
    assert {t: [r.vehicle_id for r in rows] for t, rows in got.tabs.items()} == want
    assert got.counts() == {t: len(v) for t, v in want.items()}
    assert got.capped == want_capped
    page = worklist.build(engine, session, at, s, limit=limit)
    assert {t: [r.vehicle_id for r in rows] for t, rows in page.tabs.items()} == {t: v[:limit] for t, v in want.items()}
    assert page.counts() == got.counts()


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_tabs_equal_the_python_engine_on_generated_histories(engine, seed):
    fill(engine, 400, seed, AT)
    s = settings_svc.load(engine)
    for at in (AT, AT + timedelta(days=3, hours=5), AT - timedelta(days=17, hours=9)):
        check(engine, at, s, SUPER)
    check(engine, AT, s, CLERK)


def test_other_settings_and_later_edits_keep_the_index_exact(engine):
    ids = fill(engine, 300, 7, AT)
    s = settings_svc.load(engine)
    s2 = s.__class__(**{**s.__dict__, "lead_days": 40, "contact_cadence": "60,20,7", "lapsing_days": 15,
                        "contact_cap_day": 2, "contact_cap_week": 2})
    check(engine, AT, s2, SUPER)
    r = random.Random(3)
    with engine.begin() as conn:  # consent withdrawn and given, vehicles deleted, terms removed and edited
        db = conn.connection.driver_connection
        for vid in r.sample(ids, 30):
            db.execute("UPDATE customer SET consent_contact = 1 - consent_contact WHERE id = "
                       "(SELECT owner_id FROM vehicle WHERE id = ?)", (blob(vid),))
        writes.tombstone(conn, "vehicle", r.sample(ids, 10))
        gone = [t for (t,) in db.execute("SELECT id FROM policy_term ORDER BY id LIMIT 40").fetchall()]
        writes.tombstone(conn, "policy_term", gone)
        db.execute("UPDATE policy_term SET end_at = ? WHERE id IN (SELECT id FROM policy_term ORDER BY id DESC "
                   "LIMIT 20)", (_iso(AT + timedelta(days=20)),))
        db.execute("UPDATE policy_term SET end_at = '2026-12-20 00:00' WHERE id IN "
                   "(SELECT id FROM policy_term ORDER BY start_at LIMIT 5)")  # an odd time: Python decides
    check(engine, AT, s, SUPER)
    check(engine, AT, s2, CLERK)


def test_a_new_term_or_event_moves_the_vehicle_at_once(engine):
    from tests.builders import add_vehicle

    last = date(2026, 12, 1) + timedelta(days=45)
    v = add_vehicle(engine, ci=[((last - timedelta(days=364)).isoformat(), last.isoformat())])
    s = settings_svc.load(engine)
    assert [r.vehicle_id for r in worklist.build(engine, SUPER, AT, s).tabs["today"]] == [v.id]
    with engine.begin() as conn:  # renewed here: the successor starts at the old end
        writes.insert_terms(conn, (TermRec(new_id(), v.id, "CI", _iso(datetime(2027, 1, 16, tzinfo=CST)),
                                           _iso(datetime(2028, 1, 16, tzinfo=CST)), source="counter",
                                           as_of=_iso(AT)),))
    assert worklist.build(engine, SUPER, AT, s).counts()["today"] == 0


def test_the_report_reads_the_same_vehicles_as_a_pass_over_the_whole_store(engine, monkeypatch):
    from desktop.services import demo, renewal_report

    demo.fill_demo(engine, 300, seed=3, at=AT, staff="t")
    fill(engine, 300, 5, AT)
    s = settings_svc.load(engine)
    got = {m: renewal_report.build(engine, SUPER, m, AT, s).to_json() for m in ("2026-11", "2026-12", "2025-06")}
    with engine.connect() as conn:
        every = vehicles_repo.all_vehicle_ids(conn)
        conn.rollback()
    monkeypatch.setattr(renewal_report, "_candidates", lambda *_a: every)
    want = {m: renewal_report.build(engine, SUPER, m, AT, s, use_sql=False).to_json() for m in got}
    assert got == want
    assert sum(x["due"] for x in want["2026-11"]["segments"]) > 20


@pytest.mark.parametrize("session", [SUPER, CLERK])
def test_one_tab_with_a_short_page_still_shows_the_whole_tab_count(engine, session):
    # the window builds one tab at a time with a page limit: its count must be the tab's, not the page's
    fill(engine, 400, 4, AT)
    s = settings_svc.load(engine)
    want, _capped = reference(engine, session, AT, s)
    for tab in worklist.TABS:
        for limit in (0, 1, 3):
            one = worklist.build(engine, session, AT, s, limit=limit, only=(tab,))
            assert one.counts()[tab] == len(want[tab]), (tab, limit)
            assert [r.vehicle_id for r in one.tabs[tab]] == want[tab][:limit]


def test_the_bench_mix_of_counter_events_lists_what_the_python_engine_lists(engine):
    # promised visits, follow-up dates, 本次关闭, assignments and 本店续保 as bench/worklist.py seeds them
    from bench import worklist_events
    from desktop.services import demo

    demo.fill_demo(engine, 400, seed=5, at=AT, staff="t")
    mix = worklist_events.seed(engine, AT, share=0.6)
    assert mix["contact:will_come"] > 5 and mix["assign"] > 20 and mix["contact_close"] > 0
    s = settings_svc.load(engine)
    want, _capped = reference(engine, SUPER, AT, s)
    assert len(want["visits"]) > 3 and len(want["today"]) + len(want["overdue"]) > 10
    for at in (AT, AT + timedelta(days=2, hours=3), AT - timedelta(days=5)):
        check(engine, at, s, SUPER)
    check(engine, AT, s, StaffSession(worklist_events.STAFF[0], "clerk"))
