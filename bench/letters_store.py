"""bench/letters.py --data-dir: the letters dialog's count and PDF on a real store (not a test).

The count (letters.select) is timed with today's candidates (work_index: each vehicle's latest
交强险 end) and, in the same run, with the old ones (every 交强险 term ending in the window), which
a cancel stops after `old_limit_s`: with "also lapsed" at 1M they were the whole store.
"""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text

PASS = "bench-passphrase"
CHOICES = ((30, False), (30, True))  # the dialog's default window, and with 也含脱保


def _old_candidates(engine, at: datetime, due_within: int, include_lapsed: bool) -> list[str]:
    """main before 1fc8aeb: vehicles with ANY 交强险 term ending in the window."""
    from desktop.core.timeutil import CST, cst_date
    from desktop.services.letters import LAPSE_YEARS
    from desktop.store import vehicles_repo

    today = cst_date(at)
    start = datetime(today.year, today.month, today.day, tzinfo=CST)
    lo = start - timedelta(days=366 * LAPSE_YEARS + 2) if include_lapsed else start
    hi = start + timedelta(days=due_within + 2)
    with engine.connect() as conn:  # the store's own query for it (it knows how times are stored)
        ids = vehicles_repo.vehicles_with_ci_end_between(conn, lo, hi)
        conn.rollback()
    return ids


def _timed_select(engine, at, due_within, include_lapsed, lead_days, candidates, limit_s=None):
    from desktop.services import letters

    real = letters.window_candidates
    got: dict = {}

    def counted(*a):
        ids = candidates(*a)
        got["candidates"] = len(ids)
        return ids

    letters.window_candidates = counted
    t0 = time.perf_counter()
    stop = (lambda: time.perf_counter() - t0 > limit_s) if limit_s else None
    try:
        sel = letters.select(engine, due_within, include_lapsed, "address", at, lead_days, stop)
    finally:
        letters.window_candidates = real
    seconds = time.perf_counter() - t0
    finished = not (stop and stop())
    return {"seconds": round(seconds, 2), "finished": finished, "candidates": got.get("candidates"),
            "letters": len(sel.letters) if finished else None, "skipped": len(sel.skipped) if finished else None}, sel


def run_store(data_dir: Path, at: datetime, n_pdf: int, old_limit_s: float, out: Path | None) -> dict:
    from bench.letters import run_baseline
    from desktop.app import AppContext
    from desktop.services import documents, letters
    from desktop.services import settings as settings_svc
    from desktop.store.keyring_port import MemoryKeyring

    ctx = AppContext(data_dir, keyring=MemoryKeyring(), passphrase=lambda: PASS)
    engine = ctx.store().engine
    settings = settings_svc.load(engine)
    with engine.connect() as conn:
        vehicles = conn.execute(text("SELECT count(*) FROM vehicle")).scalar()
        conn.rollback()
    result: dict = {"vehicles": vehicles, "at": at.isoformat(), "choices": []}
    keep = None
    for due_within, lapsed in CHOICES:
        new_runs = []
        first, sel = _timed_select(engine, at, due_within, lapsed, settings.lead_days, letters.window_candidates)
        new_runs.append(first)
        old, _ = _timed_select(engine, at, due_within, lapsed, settings.lead_days, _old_candidates, old_limit_s)
        again, sel = _timed_select(engine, at, due_within, lapsed, settings.lead_days, letters.window_candidates)
        new_runs.append(again)
        new_s = statistics.median(r["seconds"] for r in new_runs)
        assert first["letters"] == again["letters"]
        if old["finished"]:
            assert old["letters"] == first["letters"] and old["skipped"] == first["skipped"], (old, first)
        result["choices"].append({
            "due_within": due_within, "include_lapsed": lapsed, "letters": first["letters"],
            "skipped": first["skipped"], "candidates": first["candidates"], "select_s": new_runs,
            "old_candidates": old["candidates"], "old_select": old,
            "ratio_old_over_new": round(old["seconds"] / new_s, 1) if new_s else None,
            "old_note": None if old["finished"] else f"old query stopped after {old_limit_s:.0f} s (lower bound)"})
        if keep is None:
            keep = sel
    with tempfile.TemporaryDirectory() as tmp:
        d = out or Path(tmp)
        d.mkdir(parents=True, exist_ok=True)
        part = letters.Selection(keep.letters[:n_pdf], [])
        t0 = time.perf_counter()
        pages = documents.render_letters(part, settings, d / "store-letters.pdf", at, documents.default_resources())
        seconds = time.perf_counter() - t0
        base = run_baseline(len(part.letters), d / "baseline.pdf")
    result["pdf"] = {"letters": len(part.letters), "pages": pages, "seconds": round(seconds, 2),
                     "pages_per_s": round(pages / seconds, 1), "baseline_pages_per_s": round(base, 1),
                     "ratio": round(pages / seconds / base, 2)}
    ctx.close()
    return {"store": result, "loadavg": [round(x, 2) for x in os.getloadavg()]}
