"""Work tabs and the monthly segment report (issue 13) on an N-vehicle demo store.

Times each tab as the window asks for it — worklist.build(only=(tab,)): its count and its first
page of rows (PAGE, plates, masked owners, last contact, next date) — every tab in one call, and
renewal_report.build, on the encrypted store. Baseline, in the same run: hand-written SQL on a
plain sqlite3 copy of the same file (sqlcipher_export, so the same tables and indexes; opened
through sqlcipher3 without a key: the same SQLite build, page cache and temp store), one
query per tab giving its count and its first page (plate and owner joined, sorted as the tab
shows it), written independently of store.work_repo / work_cases: touchpoints as dates, the tab's
candidate vehicles joined to one GROUP BY over their renewal events (the correlated NOT EXISTS /
max() subqueries per row it had did not finish in 37 min at 1M with events). The bench checks the baseline's count equals the
service's for every tab (an unequal baseline would not be a baseline).

The report's baseline is the whole report's arithmetic in one hand-written statement on the
plain copy: store.renewal_repo.segment_query — every segment rule of core.segments.classify
(claims by 本店续保 records, the due and the lapsed term, successors, the closing fact of the
case, visits 12 months back, the latest assignment), grouped by segment, outcome, reason and
specialist. It is the same SQL text the service runs (not an independent formulation: its
equivalence with the core is tested in tests/unit/test_segments_sql.py); the service adds the
encrypted store, the Python engine for odd-time vehicles, the tally and the audit record. The
statement reads each vehicle's 交强险 terms through ix_policy_term_ci_vehicle (migration 0017),
which the plain copy has as well (sqlcipher_export copies every index): both sides do the same
probes, so the ratio stays the store's cost. The bench checks both give the same segment figures.

With --events (the default; --no-events for the bare demo) the store first gets a realistic mix
of renewal events (bench/worklist_events.py: contacts with results, promised visits, 本店续保,
assignments, on ~7 % of the vehicles), written before the plain copy is exported, so both sides
see the same rows. With --reuse pass a COPY: it is migrated and seeded in place (and --plain,
exported from the store before seeding, is then ignored).

    .venv/bin/python bench/worklist.py --vehicles 20000
    .venv/bin/python bench/worklist.py --reuse /tmp/report-m1 --no-events --plain /tmp/report-m1-plain.db
"""
from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import sqlcipher3

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import worklist_events  # noqa: E402
from bench.lookup import export_plain  # noqa: E402
from desktop.core.timeutil import lapse_window_days  # noqa: E402
from desktop.services import demo, renewal_report, worklist  # noqa: E402
from desktop.services import settings as settings_svc  # noqa: E402
from desktop.services.auth import StaffSession  # noqa: E402
from desktop.store import renewal_repo  # noqa: E402
from desktop.store.engine import CACHE_KIB  # noqa: E402
from desktop.store.keyring_port import NoKeyring  # noqa: E402
from desktop.store.store import create_store, open_store  # noqa: E402

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")

# work_index with the last covered day as a date (the store keeps epoch seconds since 0013)
_WI = "(SELECT *, date(ci_end_at - 1, 'unixepoch', '+8 hours') AS end_day FROM work_index)"
# Hand-written for the default settings (lead 90, cadence 45/33/30, cap 1 a day / 3 a week,
# lapsing 7 days, lapses of at most 1096 days) and the events the bench writes (valid JSON details,
# no times after `at`, canonical times: tier 3 is empty). Each tab: its candidate vehicles (c), one
# GROUP BY over their renewal events (a), joined. Only work_index's term columns, tier and consent
# are read (never its event summary): the events are aggregated here.
_LIVE = "w.contactable = 1 AND w.tier < 3"
_DAY = "substr(e.at, 1, 10)"
_IN_CASE = f"{_DAY} >= c.case_day"
_CONTACT = "(e.kind = 'contact' OR (e.kind = 'outcome' AND e.outcome IN ('will_come', 'declined', 'unreachable')))"
_REACHED = """((e.kind = 'contact' AND e.outcome IN ('will_renew', 'quote_requested', 'will_come', 'renewed_elsewhere',
                                             'sold', 'declined'))
   OR (e.kind = 'outcome' AND e.outcome IN ('will_come', 'declined')))"""
_CLOSING = """(e.kind = 'loss_confirmed'
   OR (e.kind = 'outcome' AND e.outcome IN ('renewed_here', 'renewed_elsewhere', 'sold', 'scrapped', 'declined'))
   OR (e.kind = 'contact' AND e.outcome IN ('renewed_elsewhere', 'sold', 'declined')))"""
# a follow-up date the event names (contact --next, 本次关闭 until, a will_come / unreachable record's day)
_DATE = """substr(coalesce(json_extract(e.detail, '$.next_date'), json_extract(e.detail, '$.until'),
  json_extract(e.detail, '$.visit_date'), json_extract(e.detail, '$.will_come_on')), 1, 10)"""
_DATED = f"""((e.kind IN ('contact', 'contact_close') OR (e.kind = 'outcome' AND e.outcome IN ('will_come', 'unreachable')))
  AND {_DATE} IS NOT NULL)"""
_KINDS = "e.kind IN ('contact', 'contact_stop', 'contact_close', 'loss_confirmed', 'outcome')"
# the candidates' events, one row a vehicle (the latest fact found by max() over time || what it says)
_STOP = f"max(e.kind = 'contact_stop') AS stopped, max({_IN_CASE} AND {_CLOSING}) AS closed"
_PLAN_AGG = f"""{_STOP},
    sum({_CONTACT} AND {_DAY} = :today) AS today_n, sum({_CONTACT} AND {_DAY} BETWEEN :monday AND :today) AS week_n,
    max(CASE WHEN {_IN_CASE} AND {_REACHED} THEN {_DAY} END) AS lr,
    -- the latest dated or reached fact of the case: 'N'/'C' (本次关闭) and its date, or 'R'
    max(CASE WHEN {_IN_CASE} AND ({_DATED} OR {_REACHED}) THEN e.at || CASE WHEN {_DATED}
        THEN (CASE WHEN e.kind = 'contact_close' THEN 'C' ELSE 'N' END) || {_DATE} ELSE 'R' END END) AS lkey,
    -- the case's last contact: a will_come with its day ('V') or anything else ('X')
    max(CASE WHEN {_IN_CASE} AND {_CONTACT} THEN e.at || CASE WHEN e.outcome = 'will_come'
        THEN 'V' || coalesce({_DATE}, '') ELSE 'X' END END) AS vkey"""


def _with(cands: str, agg: str) -> str:
    """c: the candidates (with case_day, their case's first day), a: their events grouped."""
    return f"""WITH c AS MATERIALIZED (SELECT w.*, date(w.end_day, '-90 days') AS case_day FROM {_WI} w
        WHERE {_LIVE} AND {cands}),
    a AS (SELECT c.vehicle_id, {agg} FROM c JOIN event e ON e.vehicle_id = c.vehicle_id
        WHERE c.tier > 0 AND {_KINDS} GROUP BY c.vehicle_id)"""


_OPEN = "coalesce(a.stopped, 0) = 0 AND coalesce(a.closed, 0) = 0"
_PLAN = _with("""((w.ci_end_at > :at AND w.ci_start_at <= :at AND w.ci_end_at <= :hi91)
         OR (w.tier > 0 AND w.ci_end_at <= :at AND w.ci_end_at > :lapse_lo))""", _PLAN_AGG) + f""",
    p AS (SELECT c.vehicle_id, c.end_day, c.ci_end_at <= :at AS lapsed, date(c.end_day, '-30 days') AS t30,
        date(c.end_day, '-33 days') AS t33, date(c.end_day, '-45 days') AS t45,
        coalesce(a.today_n, 0) >= 1 OR coalesce(a.week_n, 0) >= 3 AS blocked, a.lr,
        CASE WHEN substr(a.lkey, 26, 1) IN ('N', 'C') THEN substr(a.lkey, 27, 10) END AS nd,
        substr(a.lkey, 26, 1) = 'C' AS is_close,
        CASE WHEN substr(a.vkey, 26, 1) = 'V' THEN nullif(substr(a.vkey, 27, 10), '') END AS visit
      FROM c LEFT JOIN a ON a.vehicle_id = c.vehicle_id WHERE {_OPEN})"""
_T = "(nd IS NULL OR {t} >= nd) AND (lr IS NULL OR {t} > lr)"
_NEXT = f"""CASE WHEN nd IS NOT NULL AND (lr IS NULL OR lr < nd) THEN nd WHEN lapsed THEN NULL
     WHEN {_T.format(t="t30")} AND t30 <= :today THEN t30
     WHEN {_T.format(t="t33")} AND t33 <= :today THEN t33
     WHEN {_T.format(t="t45")} AND t45 <= :today THEN t45
     WHEN {_T.format(t="t45")} THEN t45 WHEN {_T.format(t="t33")} THEN t33
     WHEN {_T.format(t="t30")} THEN t30 END"""
_HELD = "(nd IS NOT NULL AND (lr IS NULL OR lr < nd) AND is_close AND nd > :today)"  # 本次关闭 in force
_TOUCH = f"{_PLAN}, t AS (SELECT vehicle_id, end_day, blocked, visit, {_NEXT} AS next, {_HELD} AS held FROM p)"
# Each tab's statement ends with the CTE r (vehicle_id, k1, k2): hand_tab counts it and pages it.
HAND = {
    "today": f"{_TOUCH}, r AS (SELECT vehicle_id, next AS k1, end_day AS k2 FROM t WHERE next = :today "
             "AND NOT blocked AND NOT held)",
    "overdue": f"{_TOUCH}, r AS (SELECT vehicle_id, next AS k1, end_day AS k2 FROM t WHERE next < :today "
               "AND NOT blocked AND NOT held)",
    "week": f"{_TOUCH}, r AS (SELECT vehicle_id, next AS k1, end_day AS k2 FROM t WHERE next > :today "
            "AND next <= :today7 AND NOT held)",
    "lapsing": _with("w.ci_end_at > :at AND w.ci_start_at <= :at AND w.ci_end_at <= :due_hi AND w.end_day <= :today7",
                     _STOP) + f""", r AS (SELECT c.vehicle_id, c.end_day AS k1, 0 AS k2 FROM c
        LEFT JOIN a ON a.vehicle_id = c.vehicle_id WHERE {_OPEN})""",
    "lapsed": _with("w.ci_end_at > :lapse_lo AND w.ci_end_at <= :at", _STOP) + f""", r AS (SELECT c.vehicle_id,
        -julianday(c.end_day) AS k1, 0 AS k2 FROM c LEFT JOIN a ON a.vehicle_id = c.vehicle_id WHERE {_OPEN})""",
    "visits": f"{_TOUCH}, r AS (SELECT vehicle_id, visit AS k1, end_day AS k2 FROM t WHERE visit IS NOT NULL)",
}
PAGE_SQL = """SELECT v.plate, c.name, r.k1, r.k2 FROM r JOIN vehicle v ON v.id = r.vehicle_id
  LEFT JOIN customer c ON c.id = v.owner_id ORDER BY r.k1, r.k2, v.plate LIMIT :page"""
MONTH = "2026-11"


def hand_report(db: sqlite3.Connection) -> dict[str, int]:
    """{segment: due} of the month by the hand-written statement on the plain copy."""
    first, last = renewal_report.parse_month(MONTH)
    epoch = (db.execute("SELECT type FROM pragma_table_info('policy_term') WHERE name = 'end_at'").fetchone()
             or [""])[0].upper() == "ISOTIME"  # as renewal_repo.terms_are_epoch
    sql, prm = renewal_repo.segment_query(first, last, 90, lapse_window_days(first), epoch)
    due: dict[str, int] = {}
    for seg, _oc, _who, n in db.execute(sql, prm).fetchall():
        due[seg] = due.get(seg, 0) + n
    return due


def _iso(d: datetime) -> int:
    return int(d.timestamp())  # work_index's times are epoch seconds


def hand_params(at: datetime) -> dict:
    day = at.replace(hour=0, minute=0, second=0)
    today = day.date()
    return {"at": _iso(at), "today": today.isoformat(), "today7": (today + timedelta(days=7)).isoformat(),
            "monday": (today - timedelta(days=today.weekday())).isoformat(), "hi91": _iso(day + timedelta(days=92)),
            "due_hi": _iso(at + timedelta(days=90)), "lapse_lo": _iso(day - timedelta(days=1096)),
            "page": worklist.PAGE}


def hand_tab(db: sqlite3.Connection, tab: str, prm: dict) -> tuple[int, list]:
    count = db.execute(HAND[tab] + " SELECT count(*) FROM r", prm).fetchone()[0]
    return count, db.execute(HAND[tab] + " " + PAGE_SQL, prm).fetchall()


def timed(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(out), 1)


def _load() -> float | None:
    """The machine's 1-minute load (other engineers' work), None where the OS does not say."""
    return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vehicles", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--report-runs", type=int, default=None, help="default: --runs (the report is slow at 1M)")
    ap.add_argument("--reuse", type=Path, help="an existing demo store (a COPY: it is opened and migrated)")
    ap.add_argument("--plain", type=Path, help="with --reuse: its plain sqlite3 copy (else exported here)")
    ap.add_argument("--only-report", action="store_true",
                    help="time the monthly report only (the tabs take minutes at 1M): tabs come out empty")
    ap.add_argument("--events", action=argparse.BooleanOptionalAction, default=True,
                    help="seed a realistic mix of renewal events first (default on)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.reuse:
            store = open_store(a.reuse, lambda: "bench-passphrase", NoKeyring())
            fill_s = None
        else:
            store = create_store(Path(tmp) / "data", "bench-passphrase", NoKeyring())
            t0 = time.perf_counter()
            demo.fill_demo(store.engine, a.vehicles, seed=1, at=AT, staff="bench")
            fill_s = round(time.perf_counter() - t0, 1)
        engine = store.engine
        seeded, seed_s = None, None
        if a.events:
            t0 = time.perf_counter()
            seeded = worklist_events.seed(engine, AT)
            seed_s = round(time.perf_counter() - t0, 1)
        with engine.connect() as conn:
            vehicles = conn.exec_driver_sql("SELECT count(*) FROM vehicle").scalar()
            conn.rollback()
        s = settings_svc.load(engine)
        sup = StaffSession("bench", "supervisor")
        given_plain = a.reuse and a.plain and not a.events
        plain = a.plain if given_plain else Path(tmp) / "plain.db"
        if not given_plain:
            export_plain(engine, plain)
        # The plain copy through the same SQLite build as the service (sqlcipher3 without a key is
        # plain SQLite 3.5x; the stdlib's 3.40 cannot cover ix_policy_term_ci_end's partial index)
        # and the same page cache and temp store: the ratio is then the store's cost, not a version's.
        db = sqlcipher3.connect(plain)
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        db.execute("PRAGMA temp_store = MEMORY")
        prm = hand_params(AT)
        load_before = _load()
        lists = None if a.only_report else worklist.build(engine, sup, AT, s)
        tabs, all_ms = {}, None
        for tab in () if a.only_report else worklist.TABS:
            ms = timed(lambda t=tab: worklist.build(engine, sup, AT, s, only=(t,)), a.runs)
            row = {"ms": ms, "count": lists.counts()[tab], "rows_shown": len(lists.tabs[tab])}
            if tab in HAND:
                count, _page = hand_tab(db, tab, prm)
                if count != row["count"]:
                    raise SystemExit(f"baseline for {tab} counts {count}, the service {row['count']}: not equivalent")
                row["sql_ms"] = timed(lambda t=tab: hand_tab(db, t, prm), a.runs)
                row["ratio"] = round(ms / row["sql_ms"], 2) if row["sql_ms"] else None
            tabs[tab] = row
        if not a.only_report:
            all_ms = timed(lambda: worklist.build(engine, sup, AT, s), a.runs)
        rr = a.report_runs or a.runs
        got = {x["segment"]: x["due"] for x in renewal_report.build(engine, sup, MONTH, AT, s).to_json()["segments"]}
        want = hand_report(db)
        if {k: v for k, v in got.items() if v} != want:
            raise SystemExit(f"report baseline {want} differs from the service {got}: not equivalent")
        # interleaved: ours, then the baseline, run by run (the machine's load moves under both alike)
        # (and CPU time beside it: the machine is shared, the wall clock moves with the others' load)
        ours, base, ours_cpu, base_cpu = [], [], [], []
        for _ in range(rr):
            t0, c0 = time.perf_counter(), time.process_time()
            renewal_report.build(engine, sup, MONTH, AT, s)
            ours.append((time.perf_counter() - t0) * 1000)
            ours_cpu.append((time.process_time() - c0) * 1000)
            t0, c0 = time.perf_counter(), time.process_time()
            hand_report(db)
            base.append((time.perf_counter() - t0) * 1000)
            base_cpu.append((time.process_time() - c0) * 1000)
        report_ms, report_sql = round(statistics.median(ours), 1), round(statistics.median(base), 1)
        report_cpu_ms, report_sql_cpu_ms = round(statistics.median(ours_cpu), 1), round(statistics.median(base_cpu), 1)
        db.close()
        store.close()
    print(json.dumps({
        "vehicles": vehicles, "runs": a.runs, "fill_s": fill_s, "events": seeded, "seed_s": seed_s,
        "page": worklist.PAGE, "tabs": tabs,
        "all_tabs_ms": all_ms, "max_tab_ms": max((r["ms"] for r in tabs.values()), default=None),
        "max_tab_ratio": max((r.get("ratio") or 0 for r in tabs.values()), default=None),
        "report_month": MONTH, "report_due": got,
        "report_ms": report_ms, "report_sql_ms": report_sql,
        "report_cpu_ms": report_cpu_ms, "report_sql_cpu_ms": report_sql_cpu_ms,
        "report_ratio": round(report_ms / report_sql, 2) if report_sql else None,
        "load_1min": {"before": load_before, "after": _load()},
        "targets": {"tab_ms": 300, "report_ms": 2000, "ratio": 2},
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
