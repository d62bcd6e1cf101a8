"""Benchmark: sync through the real head office into PostgreSQL (not a test).

1. push: a counter with N pending changes (customers, vehicles, terms, events written through the
   store's one write path, outbox rows in the same transaction) pushes them all through a real
   `renewdesk-server` on PostgreSQL; changes/s.
2. pull: a second counter pulls the same N changes from the feed and applies them; changes/s.
3. baselines in the same run, same rows, same PostgreSQL: psycopg `executemany` and `COPY` of the
   rows into a table shaped like head office's change log (push), and `COPY … TO STDOUT` of them
   (pull); ratio = sync seconds / baseline seconds (target ≤ 3 each way).
4. snapshot: a fresh counter's first `renewdesk sync` (the real CLI, a child process, so peak RSS is
   its own) against a head office holding V vehicles; seconds and peak RSS.

    .venv/bin/python bench/sync.py [--changes 100000] [--snapshot-vehicles 100000] [--pg URL]

PostgreSQL: --pg, else RENEWDESK_TEST_PG_URL, else a throwaway local cluster (as CI's tests do).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.fakes import FakeData  # noqa: E402
from desktop.core.hlc import HLC  # noqa: E402
from desktop.core.ids import new_id  # noqa: E402

PASS, STAFF_PW = "bench-passphrase", "bench-admin-pw"
BIN = Path(sys.executable).parent


def _pg_base(arg: str | None):
    url = arg or os.environ.get("RENEWDESK_TEST_PG_URL")
    if url:
        return url, None
    from tests.integration.conftest import _Cluster

    c = _Cluster()
    return c.url, c


def _new_db(base: str) -> tuple[str, str]:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(base)
    name = f"rd_bench_{uuid.uuid4().hex[:10]}"
    plain = u.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    db = u.set(database=name)
    return (db.set(drivername="postgresql+psycopg").render_as_string(hide_password=False),
            db.set(drivername="postgresql").render_as_string(hide_password=False))


class Head:
    def __init__(self, db_url: str, tmp: Path):
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.env = dict(os.environ, RENEWDESK_SERVER_DB=db_url, RENEWDESK_DATA_DIR=str(tmp / "hq"),
                        RENEWDESK_SERVER_ADMIN_PASSWORD="bench-hq")
        self.log = open(tmp / "hq.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen([str(BIN / "renewdesk-server"), "--port", str(self.port)], env=self.env,
                                     stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        import httpx

        for _ in range(300):
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise SystemExit("head office did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def code(self, branch: str) -> str:
        r = subprocess.run([str(BIN / "renewdesk-server"), "enroll-code", "--branch", branch, "--json"], env=self.env,
                           capture_output=True, text=True, check=True)
        return json.loads(r.stdout)["code"]

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _counter(tmp: Path, name: str, head: Head):
    from desktop.app import AppContext
    from desktop.services import auth
    from desktop.services import sync as sync_svc
    from desktop.store.keyring_port import NoKeyring

    ctx = AppContext(tmp / name, keyring=NoKeyring(), passphrase=lambda: PASS)
    store = ctx.create(PASS)
    auth.add_staff(store.engine, None, "admin", "admin", STAFF_PW)
    session = ctx.login("admin", STAFF_PW)
    e = sync_svc.enroll(store, ctx.keyring, session, head.url, head.code(name), name)
    return ctx, session, e


def fill(engine, n: int, seed: int = 1) -> int:
    """n outbox changes: 1/10 customers, 1/10 vehicles, 1/5 terms, the rest events."""
    from desktop.store import outbox, writes
    from desktop.store.records import CustomerRec, EventRec, TermRec, VehicleRec
    from desktop.store.records import parse_iso as p

    fake = FakeData(seed)
    k = n // 10
    custs = [CustomerRec(new_id(), fake.name(), fake.mobile(), fake.id_number(), f"示例路{i}号") for i in range(k)]
    vehs = [VehicleRec(new_id(), fake.plate("ordinary"), fake.vin(), custs[i].id) for i in range(k)]
    terms = [TermRec(new_id(), vehs[i % k].id, "CI", f"2026-{1 + i % 12:02d}-01T00:00:00+08:00",
                     f"2027-{1 + i % 12:02d}-01T00:00:00+08:00", "安泰财产保险", f"P{seed}-{i}", "950.00", None,
                     None, "counter", "2026-12-01T10:00:00+08:00", "admin") for i in range(2 * k)]
    events = [EventRec(new_id(), vehs[i % k].id, "outcome", "will_come", None, f"第{i}次", "admin",
                       p("2026-12-01T10:00:00+08:00")) for i in range(n - 4 * k)]
    with engine.begin() as conn:
        with outbox.changes(conn) as ch:
            writes.insert_customers(conn, custs, "2026-12-01T10:00:00+08:00", ch)
            writes.insert_vehicles(conn, vehs, "2026-12-01T10:00:00+08:00", ch)
            writes.insert_terms(conn, terms, ch)
            writes.insert_events(conn, events, ch)
    return n


def _rows_from_outbox(engine, device_id: str) -> list[tuple]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT device_seq, change_id, entity, entity_id, op, payload, hlc FROM outbox "
                                    "ORDER BY device_seq").fetchall()
    now = int(time.time() * 1000)
    return [(device_id, s, cid, e, eid, op, pl, h, "applied", s, now) for s, cid, e, eid, op, pl, h in rows]


def baselines(pg_plain: str, rows: list[tuple]) -> dict:
    import psycopg

    cols = ("device_id text, device_seq bigint, change_id text, entity text, entity_id text, op text, payload text, "
            "hlc text, result text, server_seq bigint unique, received_ms bigint, primary key (device_id, device_seq)")
    out = {}
    with psycopg.connect(pg_plain, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE b_many ({cols})")
        conn.execute(f"CREATE TABLE b_copy ({cols})")
        t = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany("INSERT INTO b_many VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)", rows)
        out["executemany_s"] = time.perf_counter() - t
        t = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur, cur.copy("COPY b_copy FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)
        out["copy_in_s"] = time.perf_counter() - t
        t = time.perf_counter()
        buf = io.BytesIO()
        with conn.cursor() as cur, cur.copy("COPY (SELECT * FROM b_copy ORDER BY server_seq) TO STDOUT") as cp:
            for block in cp:
                buf.write(block)
        out["copy_out_s"] = time.perf_counter() - t
    return out


def seed_state(pg_plain: str, vehicles: int) -> None:
    """A head office holding `vehicles` vehicles (its materialised state, as its snapshot reads it)."""
    import psycopg

    fake = FakeData(7)
    now = int(time.time() * 1000)
    node = "0190aaaa-0000-7000-8000-000000000001"
    with psycopg.connect(pg_plain, autocommit=True) as conn, conn.cursor() as cur:
        top = cur.execute("SELECT COALESCE(MAX(ord), 0) FROM state").fetchone()[0]
        with cur.copy("COPY state (entity, id, ord, payload, hlc, field_hlc, ident, deleted, updated_seq, updated_ms) "
                      "FROM STDIN") as cp:
            for i in range(vehicles):
                vid, vin = new_id(), fake.vin()
                payload = {"id": vid, "plate": fake.plate("ordinary"), "vin": vin, "vehicle_class": None, "use": None,
                           "seats": None, "energy": None, "registered_on": None, "owner_id": None}
                cp.write_row(("vehicle", vid, top + i + 1, json.dumps(payload, ensure_ascii=True),
                              str(HLC(now, i % 1000, node)), None, json.dumps(["vin", vin]), False, 0, now))


def snapshot_run(tmp: Path, head: Head) -> dict:
    from desktop.app import AppContext
    from desktop.services import auth
    from desktop.store.keyring_port import NoKeyring

    d = tmp / "fresh"
    ctx = AppContext(d, keyring=NoKeyring(), passphrase=lambda: PASS)
    store = ctx.create(PASS)
    auth.add_staff(store.engine, None, "admin", "admin", STAFF_PW)
    from desktop.store import settings_repo

    with store.engine.begin() as conn:
        settings_repo.put(conn, "init_admin", "admin")
    ctx.close()
    env = dict(os.environ, RENEWDESK_DATA_DIR=str(d), RENEWDESK_PASSPHRASE=PASS, RENEWDESK_STAFF_PASSWORD=STAFF_PW,
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    cli = str(BIN / "renewdesk")
    subprocess.run([cli, "sync", "--server", head.url, "--enroll", head.code("fresh")], env=env, check=True,
                   capture_output=True)
    t = time.perf_counter()
    r = subprocess.run([cli, "sync", "--json"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"snapshot sync failed: {r.stderr}")
    return {"seconds": round(seconds, 2), "pulled": json.loads(r.stdout)["pulled"],
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=100_000)
    ap.add_argument("--snapshot-vehicles", type=int, default=100_000)
    ap.add_argument("--pg")
    args = ap.parse_args()
    from desktop.sync.client import SyncClient, SyncReport
    from desktop.sync.identity import put_state
    from desktop.sync.transport import Transport

    base, cluster = _pg_base(args.pg)
    head = None
    try:
        with tempfile.TemporaryDirectory(prefix="rd-bench-sync-") as tmp_s:
            tmp = Path(tmp_s)
            db_url, pg_plain = _new_db(base)
            head = Head(db_url, tmp)
            a_ctx, _, a = _counter(tmp, "a", head)
            fill(a_ctx.store().engine, args.changes)
            rows = _rows_from_outbox(a_ctx.store().engine, a.device_id)
            report = SyncReport()
            with Transport(head.url, a.token, timeout=120) as t:
                t0 = time.perf_counter()
                SyncClient(a_ctx.store().engine, t, a.device_id).push(report)
                push_s = time.perf_counter() - t0
            b_ctx, _, b = _counter(tmp, "b", head)
            with b_ctx.store().engine.begin() as conn:
                put_state(conn.connection.driver_connection, "pull_cursor", "0")  # follow the feed
            pulled = SyncReport()
            with Transport(head.url, b.token, timeout=120) as t:
                t0 = time.perf_counter()
                SyncClient(b_ctx.store().engine, t, b.device_id, page_limit=1000).pull(pulled)
                pull_s = time.perf_counter() - t0
            base_s = baselines(pg_plain, rows)
            a_ctx.close()
            b_ctx.close()
            seed_state(pg_plain, args.snapshot_vehicles)
            snap = snapshot_run(tmp, head)
            out = {
                "changes": args.changes,
                "push": {"seconds": round(push_s, 2), "changes_per_s": round(report.pushed / push_s),
                         "pushed": report.pushed, "ratio_vs_executemany": round(push_s / base_s["executemany_s"], 2),
                         "ratio_vs_copy": round(push_s / base_s["copy_in_s"], 2)},
                "pull": {"seconds": round(pull_s, 2), "changes_per_s": round(pulled.pulled / pull_s),
                         "pulled": pulled.pulled, "ratio_vs_copy_out": round(pull_s / base_s["copy_out_s"], 2),
                         "ratio_vs_executemany": round(pull_s / base_s["executemany_s"], 2)},
                "baseline": {k: round(v, 2) for k, v in base_s.items()},
                "snapshot": {"vehicles": args.snapshot_vehicles, **snap},
            }
            print(json.dumps(out, indent=2))
    finally:
        if head:
            head.stop()
        if cluster:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
