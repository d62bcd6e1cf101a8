"""Work lists and the monthly segment report (issue 13) on an N-vehicle demo store.

Times worklist.build (one pass that fills every tab: today, week, overdue, lapsing, lapsed, visits,
done) and renewal_report.build on the encrypted store, and a hand-written SQL baseline on a plain
sqlite3 copy of the same rows: the candidate vehicles of the tabs (交强险 end in the window) with
each one's latest contact, and the report's due vehicles grouped by month of end. The baseline
does less than the service (no status engine, no cadence), so the ratio is an upper bound of the
cost of doing it properly. Prints JSON.

    .venv/bin/python bench/worklist.py --vehicles 20000
"""
from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.lookup import export_plain  # noqa: E402
from desktop.services import demo, renewal_report, worklist  # noqa: E402
from desktop.services import settings as settings_svc  # noqa: E402
from desktop.services.auth import StaffSession  # noqa: E402
from desktop.store.keyring_port import NoKeyring  # noqa: E402
from desktop.store.store import create_store  # noqa: E402

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")
TABS_SQL = """
SELECT t.vehicle_id, MAX(e.at) FROM policy_term t
LEFT JOIN event e ON e.vehicle_id = t.vehicle_id AND e.kind IN ('contact', 'outcome')
WHERE t.kind = 'CI' AND t.end_at >= '2023-11-28T00:00:00+08:00' AND t.end_at < '2027-01-25T00:00:00+08:00'
GROUP BY t.vehicle_id
"""
REPORT_SQL = """
SELECT substr(t.end_at, 1, 7), count(DISTINCT t.vehicle_id), sum(e.outcome = 'renewed_here')
FROM policy_term t LEFT JOIN event e ON e.vehicle_id = t.vehicle_id AND e.kind = 'outcome'
WHERE t.kind = 'CI' AND t.end_at > '2026-11-01T00:00:00+08:00' AND t.end_at <= '2026-12-01T00:00:00+08:00'
GROUP BY 1
"""


def timed(fn, runs: int) -> float:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(out), 1)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vehicles", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = create_store(Path(tmp) / "data", "bench-passphrase", NoKeyring())
        engine = store.engine
        demo.fill_demo(engine, a.vehicles, seed=1, at=AT, staff="bench")
        s = settings_svc.load(engine)
        sup = StaffSession("bench", "supervisor")
        plain = Path(tmp) / "plain.db"
        export_plain(engine, plain)
        db = sqlite3.connect(plain)
        lists = worklist.build(engine, sup, AT, s)
        tabs_ms = timed(lambda: worklist.build(engine, sup, AT, s), a.runs)
        report_ms = timed(lambda: renewal_report.build(engine, sup, "2026-11", AT, s), a.runs)
        tabs_sql = timed(lambda: db.execute(TABS_SQL).fetchall(), a.runs)
        report_sql = timed(lambda: db.execute(REPORT_SQL).fetchall(), a.runs)
        db.close()
        store.close()
    print(json.dumps({
        "vehicles": a.vehicles, "runs": a.runs,
        "all_tabs_ms": tabs_ms, "tab_counts": lists.counts(), "tabs_sql_ms": tabs_sql,
        "tabs_ratio": round(tabs_ms / tabs_sql, 1) if tabs_sql else None,
        "report_ms": report_ms, "report_sql_ms": report_sql,
        "report_ratio": round(report_ms / report_sql, 1) if report_sql else None,
        "targets": {"tab_ms": 300, "report_ms": 2000, "ratio": 2},
    }, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
