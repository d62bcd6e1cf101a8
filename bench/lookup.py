"""Lookup latency: the encrypted store (SQLCipher) against the same rows in plain SQLite.

Builds an N-vehicle demo store with desktop.services.demo.fill_demo, exports it to a plain SQLite
file with sqlcipher_export (same schema, indexes and rows), then runs every query kind through the
same repository code path (search keys -> vehicles_repo.find_ids -> vehicles_repo.load_bundles)
over a SQLAlchemy engine on each file, alternating between the two, and prints JSON.

    .venv/bin/python bench/lookup.py --vehicles 200000
"""
from __future__ import annotations

import argparse
import json
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

from bench.sampling import random_vehicle_rows  # noqa: E402
from desktop.core.search_keys import full_pinyin, query_keys, query_prefixes  # noqa: E402
from desktop.services import demo  # noqa: E402
from desktop.services.lookup import MAX_MATCHES  # noqa: E402
from desktop.store import vehicles_repo  # noqa: E402
from desktop.store.engine import make_plain_engine  # noqa: E402
from desktop.store.keyring_port import NoKeyring  # noqa: E402
from desktop.store.store import create_store  # noqa: E402

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


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p * (len(xs) - 1))))]


def measure(engines: dict[str, Engine], queries: dict[str, list[str]], warmup: int) -> dict:
    result = {}
    for kind in KINDS:
        keys = [(query_keys(q), query_prefixes(q)) for q in queries[kind]]
        for exact, partial in keys[:warmup]:
            for e in engines.values():
                repo_lookup(e, exact, partial)
        times: dict[str, list[float]] = {name: [] for name in engines}
        matches: dict[str, list[int]] = {name: [] for name in engines}
        for exact, partial in keys:
            for name, e in engines.items():  # alternate, so drift hits both alike
                t = time.perf_counter()
                matches[name].append(repo_lookup(e, exact, partial))
                times[name].append((time.perf_counter() - t) * 1e6)
        assert matches["sqlcipher"] == matches["plain"], f"{kind}: different results"
        row = {name: {"median_us": round(statistics.median(ts), 1), "p95_us": round(_pct(ts, 0.95), 1)}
               for name, ts in times.items()}
        row["ratio_median"] = round(row["sqlcipher"]["median_us"] / row["plain"]["median_us"], 2)
        row["ratio_p95"] = round(row["sqlcipher"]["p95_us"] / row["plain"]["p95_us"], 2)
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
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="renewdesk-bench-") as tmp:
        work = Path(args.dir) if args.dir else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        store = create_store(work / "enc", "bench-passphrase", NoKeyring())
        demo.fill_demo(store.engine, args.vehicles, args.seed, AT, "bench")
        create_s = time.perf_counter() - t0
        with store.engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        t1 = time.perf_counter()
        plain_path = work / "plain.db"
        export_plain(store.engine, plain_path)
        export_s = time.perf_counter() - t1
        plain = plain_engine(plain_path)
        engines = {"sqlcipher": store.engine, "plain": plain}
        try:
            queries = sample_queries(store.engine, args.queries, args.seed)
            kinds = measure(engines, queries, warmup=min(100, args.queries))
        finally:
            plain.dispose()
            store.close()
        out = {
            "vehicles": args.vehicles,
            "queries_per_kind": args.queries,
            "store_create_s": round(create_s, 1),
            "plain_export_s": round(export_s, 1),
            "file_size_bytes": {"sqlcipher": (work / "enc" / "renewdesk.db").stat().st_size,
                                "plain": plain_path.stat().st_size},
            "bytes_per_vehicle": bytes_per_vehicle(work / "enc" / "renewdesk.db", plain_path, args.vehicles),
            "kinds": kinds,
        }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
