"""The first lookup after a bulk fill cannot be slow by plan or by size (issue 10 item 1, the 508 s).

Once, right after `demo` filled 300,000 vehicles, the first `lookup` took 508 s. Two ways that
could recur are closed here, on a real SQLCipher store:
- a bad plan: every statement a lookup runs (each query form) is EXPLAINed and must reach the big
  tables through a key or an index, never a SCAN, with no planner statistics (as after `demo`),
  after an import, and after ANALYZE wrote sqlite_stat1;
- a size-dependent open: store open + the first lookup read about as many bytes from the files on
  a store ten times bigger (the open no longer checks the whole file), so a cold or slow disk costs
  a bounded number of pages, not the whole file (/proc/self/io, Linux: test only).
"""
from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.services import demo, importer
from desktop.services import lookup as lookup_svc
from tests.conftest import AT, PASSPHRASE

BIG = {"vehicle", "customer", "policy_term", "event", "search_key", "letter_log", "outbox", "audit"}


def _queries(engine) -> list[str]:
    """One query of every form a clerk types, taken from the store."""
    with engine.connect() as conn:
        db = conn.connection.driver_connection
        plate, vin = db.execute("SELECT plate, vin FROM vehicle WHERE plate IS NOT NULL AND vin IS NOT NULL "
                                "LIMIT 1").fetchone()
        name, phone, idn = db.execute("SELECT name, phone, id_number FROM customer WHERE name IS NOT NULL "
                                      "AND phone IS NOT NULL AND id_number IS NOT NULL LIMIT 1").fetchone()
        conn.rollback()
    return [plate, plate.lower(), plate[1:], plate[:2], vin[-6:], phone, phone[-4:], idn[-4:], name, "wang", "zzzz9"]


def _plans(engine, queries: list[str]) -> dict[str, list[str]]:
    """{statement: its plan lines} for every SELECT the lookups ran."""
    seen: list[str] = []
    with engine.connect() as conn:
        db = conn.connection.driver_connection
        db.set_trace_callback(seen.append)
        conn.rollback()
    try:
        for q in queries:
            lookup_svc.find(engine, q, AT, 90)
    finally:
        with engine.connect() as conn:
            conn.connection.driver_connection.set_trace_callback(None)
            conn.rollback()
    plans: dict[str, list[str]] = {}
    with engine.connect() as conn:
        db = conn.connection.driver_connection
        for sql in dict.fromkeys(s for s in seen if s.lstrip().upper().startswith("SELECT")):
            plans[sql] = [r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + sql)]
        conn.rollback()
    return plans


def _scans(plans: dict[str, list[str]]) -> list[str]:
    bad = []
    for sql, lines in plans.items():
        for line in lines:
            words = line.split()
            if words[:1] == ["SCAN"] and len(words) > 1 and words[1] in BIG:
                bad.append(f"{line}  <-  {sql[:160]}")
    return bad


def _import_file(tmp_path: Path, n: int) -> Path:
    fake = FakeData(4242)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "车架号", "被保险人", "联系电话", "证件号码", "险种", "保险起期", "保险止期"])
    for _ in range(n):
        who = fake.identity()
        ws.append([who.plate, who.vin, who.name, who.mobile, who.id_number, "交强险", "2026-03-01", "2027-02-28"])
    path = tmp_path / "import.xlsx"
    wb.save(path)
    return path


def test_every_lookup_reaches_the_tables_by_key_after_demo_import_and_analyze(demo_ctx, tmp_path):
    engine = demo_ctx.store().engine
    with engine.connect() as conn:
        stat = conn.connection.driver_connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()[0]
        conn.rollback()
    assert stat == 0  # as after `demo`: the planner has no statistics
    queries = _queries(engine)
    plans = _plans(engine, queries)
    assert len(plans) >= 4 and _scans(plans) == []

    session = demo_ctx.login("super", "super-pass-1")
    rep = importer.run_import(engine, session, _import_file(tmp_path, 40))
    assert rep.imported == 40
    assert _scans(_plans(engine, queries)) == []

    with engine.connect() as conn:
        conn.connection.driver_connection.execute("ANALYZE")
        conn.rollback()
    assert _scans(_plans(engine, queries)) == []


def _read_bytes() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar")


def _open_and_first_lookup(data_dir: Path, query: str, fake_keyring) -> int:
    from desktop.app import AppContext

    before = _read_bytes()
    ctx = AppContext(data_dir, keyring=fake_keyring, passphrase=lambda: PASSPHRASE)
    found = lookup_svc.find(ctx.store().engine, query, AT, 90)
    after = _read_bytes()
    ctx.close()
    assert found
    return after - before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/io is Linux's")
def test_open_and_first_lookup_read_about_the_same_on_a_store_ten_times_bigger(tmp_path, fake_keyring):
    from desktop.app import AppContext
    from desktop.services import auth

    sizes = {}
    for n in (300, 3000):
        data_dir = tmp_path / f"s{n}"
        ctx = AppContext(data_dir, keyring=fake_keyring, passphrase=lambda: PASSPHRASE)
        engine = ctx.create(PASSPHRASE).engine
        auth.add_staff(engine, None, "admin", "admin", "admin-pass-1")
        demo.fill_demo(engine, n, seed=7, at=AT, staff="admin")
        plate = _queries(engine)[0]
        file_bytes = (data_dir / "renewdesk.db").stat().st_size
        ctx.close()
        _open_and_first_lookup(data_dir, plate, fake_keyring)  # the same imports and caches for both
        sizes[n] = (_open_and_first_lookup(data_dir, plate, fake_keyring), file_bytes)
    (small, small_file), (big, big_file) = sizes[300], sizes[3000]
    assert big_file > 5 * small_file
    # The whole-file check read every page: ~(big_file - small_file) more. Now a few pages more.
    assert big - small < (big_file - small_file) / 4, sizes
