"""Lookup latency: the encrypted store (SQLCipher) against the same rows in plain SQLite.

Builds an N-vehicle demo store with desktop.services.demo.fill_demo, exports it to a plain SQLite
file with sqlcipher_export (same schema, indexes and rows), then runs every query kind through the
same repository code path (search keys -> vehicles_repo.find_ids -> vehicles_repo.load_bundles)
over a SQLAlchemy engine on each file, alternating between the two, and prints JSON.
The same queries also run through the path as it was before ids were read as bytes
(bench/lookup_baseline.py), interleaved on the same SQLCipher engine: "before" and
"ratio_to_before" (current / before median) make the change a figure measured in the same run.

    .venv/bin/python bench/lookup.py --vehicles 200000
    .venv/bin/python bench/lookup.py --store /tmp/m1   # measure a store built earlier (enc/, plain.db)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import lookup_baseline  # noqa: E402
from bench.sampling import random_vehicle_rows  # noqa: E402
from desktop.core.search_keys import full_pinyin, query_keys, query_prefixes  # noqa: E402
from desktop.services import demo  # noqa: E402
from desktop.services.lookup import MAX_MATCHES  # noqa: E402
from desktop.store import vehicles_repo  # noqa: E402
from desktop.store.engine import make_plain_engine  # noqa: E402
from desktop.store.keyring_port import NoKeyring  # noqa: E402
from desktop.store.store import create_store, open_store  # noqa: E402

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")
KINDS = ("plate", "vin6", "phone4", "id4", "pinyin", "full_pinyin", "name")


def plain_engine(path: Path) -> Engine:
    """Plain SQLite with the store's connection settings (make_engine minus the key)."""
    return make_plain_engine(path)


def export_plain(engine: Engine, target: Path) -> None:
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        db.execute("ATTACH DATABASE ? AS plain KEY ''", (str(target),))
        db.execute("SELECT sqlcipher_export('plain')")
        db.execute("DETACH DATABASE plain")
    finally:
        raw.close()
    e = plain_engine(target)
    with e.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA journal_mode = WAL")
    e.dispose()


def sample_queries(engine: Engine, n: int, seed: int) -> dict[str, list[str]]:
    """n queries of each kind, each built from a randomly chosen vehicle and its owner."""
    rng = random.Random(seed)
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        out: dict[str, list[str]] = {k: [] for k in KINDS}
        while min(len(v) for v in out.values()) < n:
            r = random_vehicle_rows(db, 1, rng)[0]
            plate, vin, name, initials, phone, idn = r
            for kind, q in (("plate", plate), ("vin6", vin and vin[-6:]), ("name", name),
                            ("phone4", phone and "".join(c for c in phone if c.isdigit())[-4:]),
                            ("id4", idn and idn[-4:]), ("pinyin", initials),
                            ("full_pinyin", name and (full_pinyin(name) or [""])[0].lower())):
                if q and len(out[kind]) < n:
                    out[kind].append(q)
    finally:
        raw.close()
    return out


def repo_lookup(engine: Engine, exact, partial) -> int:
    """The repository path of desktop.services.lookup.find, without the status computation."""
    with engine.connect() as conn:
        ranked = vehicles_repo.find_ids(conn, exact, partial, MAX_MATCHES)[:MAX_MATCHES]
        bundles = vehicles_repo.load_bundles(conn, [vid for vid, _ in ranked])
        conn.rollback()
    return len(bundles)


def before_lookup(engine: Engine, exact, partial) -> int:
    """repo_lookup as it was before the bytes-read rewrite (the in-run baseline)."""
    with engine.connect() as conn:
        ranked = lookup_baseline.find_ids(conn, exact, partial, MAX_MATCHES)[:MAX_MATCHES]
        bundles = lookup_baseline.load_bundles(conn, [vid for vid, _ in ranked])
        conn.rollback()
    return len(bundles)


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def measure(engines: dict[str, Engine], queries: dict[str, list[str]], warmup: int,
            kinds: tuple[str, ...] = KINDS) -> dict:
    # (label, engine, path): the current path on both files, the old path on the encrypted one.
    lanes = [(name, e, repo_lookup) for name, e in engines.items()]
    lanes.append(("before", engines["sqlcipher"], before_lookup))
    result = {}
    for kind in kinds:
        keys = [(query_keys(q), query_prefixes(q)) for q in queries[kind]]
        for exact, partial in keys[:warmup]:
            for _name, e, path in lanes:
                path(e, exact, partial)
        times: dict[str, list[float]] = {name: [] for name, _e, _p in lanes}
        cpu: dict[str, list[float]] = {name: [] for name, _e, _p in lanes}
        matches: dict[str, list[int]] = {name: [] for name, _e, _p in lanes}
        for i, (exact, partial) in enumerate(keys):
            order = lanes if i % 2 == 0 else lanes[::-1]  # alternate, so drift and warm caches hit all alike
            for name, e, path in order:
                t, c = time.perf_counter(), time.thread_time()
                matches[name].append(path(e, exact, partial))
                times[name].append((time.perf_counter() - t) * 1e6)
                cpu[name].append((time.thread_time() - c) * 1e6)
        assert matches["sqlcipher"] == matches["plain"] == matches["before"], f"{kind}: different results"
        # CPU time of this thread beside the wall clock: on a shared machine the wall clock also
        # counts the time other processes held the cores.
        row = {name: {"median_us": round(statistics.median(ts), 1), "p95_us": round(_pct(ts, 0.95), 1),
                      "cpu_median_us": round(statistics.median(cpu[name]), 1)} for name, ts in times.items()}
        row["ratio_median"] = round(row["sqlcipher"]["median_us"] / row["plain"]["median_us"], 2)
        row["ratio_p95"] = round(row["sqlcipher"]["p95_us"] / row["plain"]["p95_us"], 2)
        row["ratio_to_before"] = round(row["sqlcipher"]["median_us"] / row["before"]["median_us"], 2)
        row["mean_matches"] = round(statistics.mean(matches["sqlcipher"]), 1)
        result[kind] = row
    return result


def bytes_per_vehicle(enc_file: Path, plain_file: Path, vehicles: int) -> dict:
    """File sizes a vehicle, and the plain copy's pages a vehicle per table and index (dbstat)."""
    import sqlite3

    db = sqlite3.connect(plain_file)
    try:
        try:
            rows = db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC").fetchall()
        except sqlite3.OperationalError:  # a sqlite3 built without dbstat
            rows = []
    finally:
        db.close()
    n = max(vehicles, 1)
    return {"sqlcipher_file": round(enc_file.stat().st_size / n, 1), "plain_file": round(plain_file.stat().st_size / n, 1),
            "plain_by_table": {name: round(size / n, 1) for name, size in rows if size / n >= 0.5}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vehicles", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=1000, help="per kind")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir", help="work dir (default: a temp dir, removed afterwards)")
    ap.add_argument("--store", help="measure a store this script built before (its --dir: enc/ and plain.db); "
                                    "opened as is, without migrating, and not changed")
    ap.add_argument("--kinds", default=",".join(KINDS), help="comma-separated subset of " + ",".join(KINDS))
    args = ap.parse_args(argv)
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if unknown := set(kinds) - set(KINDS):
        ap.error(f"unknown kinds {sorted(unknown)}: choose from {', '.join(KINDS)}")

    with tempfile.TemporaryDirectory(prefix="renewdesk-bench-") as tmp:
        work = Path(args.store or args.dir or tmp)
        out: dict = {}
        if args.store:
            store = open_store(work / "enc", lambda: "bench-passphrase", NoKeyring(), run_migrations=False)
            plain_path = work / "plain.db"
            if not plain_path.exists():
                ap.error(f"{plain_path} is missing: --store takes a directory made by this script (--dir)")
            with store.engine.connect() as conn:
                vehicles = conn.exec_driver_sql("SELECT count(*) FROM vehicle").scalar()
                conn.rollback()
        else:
            work.mkdir(parents=True, exist_ok=True)
            t0 = time.perf_counter()
            store = create_store(work / "enc", "bench-passphrase", NoKeyring())
            demo.fill_demo(store.engine, args.vehicles, args.seed, AT, "bench")
            out["store_create_s"] = round(time.perf_counter() - t0, 1)
            with store.engine.connect() as conn:
                conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            t1 = time.perf_counter()
            plain_path = work / "plain.db"
            export_plain(store.engine, plain_path)
            out["plain_export_s"] = round(time.perf_counter() - t1, 1)
            vehicles = args.vehicles
        plain = plain_engine(plain_path)
        engines = {"sqlcipher": store.engine, "plain": plain}
        try:
            queries = sample_queries(store.engine, args.queries, args.seed)
            measured = measure(engines, queries, warmup=min(100, args.queries), kinds=kinds)
        finally:
            plain.dispose()
            store.close()
        out = {
            "vehicles": vehicles,
            "queries_per_kind": args.queries,
            **out,
            "file_size_bytes": {"sqlcipher": (work / "enc" / "renewdesk.db").stat().st_size,
                                "plain": plain_path.stat().st_size},
            "bytes_per_vehicle": bytes_per_vehicle(work / "enc" / "renewdesk.db", plain_path, vehicles),
            "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
            "kinds": measured,
        }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
