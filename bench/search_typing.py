"""Typing into the real window's search box on a big store: keystroke-to-result latency and GUI stalls.

Builds a demo store of N vehicles (desktop.services.demo.fill_demo) in a temp data dir (or reuses
--data-dir), opens the real main window offscreen, types --queries queries key by key at
--interval-ms per key, and prints JSON:
  median_ms / p95_ms: from each keystroke to the result model being updated with a query that
                      includes that keystroke (this includes the ~100 ms keystroke coalescing);
  max_stall_ms:       the longest GUI event-loop stall, from a 5 ms QTimer heartbeat
                      (largest gap between ticks minus the 5 ms period);
  stall_p99_ms, stalls_over_50ms: the same gaps' 99th percentile and how many exceeded 50 ms
                      (the longest one alone is at the mercy of other work on a shared machine,
                      so loadavg is reported too).

    .venv/bin/python bench/search_typing.py --vehicles 100000
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")
PASS = "bench-passphrase"
FULLWIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def build(data_dir: Path, n: int) -> None:
    from desktop.app import AppContext
    from desktop.services import auth, demo
    from desktop.store.keyring_port import MemoryKeyring

    ctx = AppContext(data_dir, keyring=MemoryKeyring(), passphrase=lambda: PASS)
    engine = ctx.create(PASS).engine
    auth.add_staff(engine, None, "bench", "clerk", "bench-pass-1")
    t0 = time.perf_counter()

    def progress(done, total):
        if done % 50000 == 0 or done == total:
            print(f"  built {done}/{total} vehicles ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)

    demo.fill_demo(engine, n, seed=11, at=AT, staff="bench", progress=progress)
    ctx.close()


def pick_queries(engine, k: int, seed: int) -> list[str]:
    from bench.sampling import random_vehicle_rows

    rng = random.Random(seed)
    with engine.connect() as conn:
        rows = [(plate, vin, name, phone) for plate, vin, name, _ini, phone, _idn
                in random_vehicle_rows(conn.connection.driver_connection, k * 2, rng) if plate][:k]
        conn.rollback()
    out = []
    for i, (plate, vin, name, phone) in enumerate(rows):
        form = i % 5
        if form == 0:
            out.append(plate)
        elif form == 1:
            out.append(plate.lower())
        elif form == 2:
            out.append("".join(FULLWIDTH.get(c, c) for c in plate))
        elif form == 3:
            out.append(vin[-6:] if vin else plate)
        else:
            out.append(phone if phone and phone.startswith("1") else name)
    return out


def main(argv=None) -> int:
    from desktop.ui.search_panel import COALESCE_MS

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vehicles", type=int, default=1_000_000)
    ap.add_argument("--queries", type=int, default=20)
    ap.add_argument("--interval-ms", type=int, default=120, help="time between keystrokes (a brisk typist)")
    ap.add_argument("--data-dir", help="reuse (or build once into) this data dir")
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args(argv)

    tmp = None
    if args.data_dir:
        data_dir = Path(args.data_dir)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="renewdesk-bench-")
        data_dir = Path(tmp.name) / "data"
    if not (data_dir / "renewdesk.db").exists():
        print(f"building a store of {args.vehicles} vehicles in {data_dir} …", file=sys.stderr)
        build(data_dir, args.vehicles)

    from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    from desktop.app import AppContext
    from desktop.services import auth
    from desktop.services import settings as settings_svc
    from desktop.store.keyring_port import MemoryKeyring
    from desktop.ui import i18n, style
    from desktop.ui.backend import Backend
    from desktop.ui.main_window import MainWindow
    from desktop.ui.tasks import TaskRunner, freeze_startup_heap

    app = QApplication([sys.argv[0]])
    family = style.load_font()
    i18n.install(app)
    style.apply(app, False, family)
    ctx = AppContext(data_dir, keyring=MemoryKeyring(), passphrase=lambda: PASS)
    engine = ctx.store().engine
    queries = pick_queries(engine, args.queries, args.seed)
    from sqlalchemy import text

    with engine.connect() as conn:
        n_vehicles = conn.execute(text("SELECT count(*) FROM vehicle")).scalar()
        conn.rollback()
    runner = TaskRunner()
    backend = Backend(engine, now=lambda: AT, settings=settings_svc.load(engine))
    session = auth.login(engine, "bench", "bench-pass-1")
    win = MainWindow(runner, backend, session, data_dir, family, idle_ms=3_600_000)
    freeze_startup_heap()  # as desktop.ui.main does after log-in
    win.show()
    panel, box = win.search, win.search.box

    clock = QElapsedTimer()
    clock.start()
    pending: list[tuple[int, float]] = []   # (generation after the key, time of the key)
    latencies: list[float] = []
    gaps: list[float] = []
    stamps: list[float] = []
    keys_at: list[float] = []
    last_tick = [clock.nsecsElapsed() / 1e6]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        gaps.append(now - last_tick[0])
        stamps.append(now)
        last_tick[0] = now

    heartbeat = QTimer(timerType=Qt.TimerType.PreciseTimer, interval=5)
    heartbeat.timeout.connect(tick)

    def on_update(gen: int) -> None:
        now = clock.nsecsElapsed() / 1e6
        keep = []
        for g, t in pending:
            (latencies.append(now - t) if g <= gen else keep.append((g, t)))
        pending[:] = keep

    panel.model.updated.connect(on_update)
    plan = [(qi, ch) for qi, q in enumerate(queries) for ch in q]
    state = {"i": 0, "query": -1}

    def step() -> None:
        if state["i"] >= len(plan):
            if not pending and runner.pending == 0:
                app.quit()
            else:
                QTimer.singleShot(args.interval_ms, step)
            return
        qi, ch = plan[state["i"]]
        if qi != state["query"]:
            if pending or runner.pending:  # let the previous query land before the next one
                QTimer.singleShot(args.interval_ms, step)
                return
            state["query"] = qi
            panel.clear()
        box.setFocus()
        code = ord(ch.upper()) if ch.isascii() and ch.isprintable() else Qt.Key.Key_unknown
        t = clock.nsecsElapsed() / 1e6
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(box, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier, ch))
        pending.append((panel.generation, t))
        keys_at.append(t)
        state["i"] += 1
        QTimer.singleShot(args.interval_ms, step)

    def begin() -> None:
        last_tick[0] = clock.nsecsElapsed() / 1e6
        heartbeat.start()
        step()

    QTimer.singleShot(300, begin)  # after the window's first show and paint
    QTimer.singleShot(600_000, app.quit)  # a safety net
    app.exec()
    heartbeat.stop()
    runner.shutdown()
    win.close()
    ctx.close()

    if os.environ.get("BENCH_DEBUG"):
        top = sorted(range(len(gaps)), key=lambda i: -gaps[i])[:8]
        for i in top:
            end = stamps[i]
            near = min(keys_at, key=lambda k: abs(k - end)) if keys_at else 0
            print(f"gap {gaps[i]:.1f} ms ending at {end:.0f} (nearest key {near:.0f}, first key {keys_at[0]:.0f})",
                  file=sys.stderr)
    lat = sorted(latencies)
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] if lat else None
    result = {
        "vehicles": n_vehicles,
        "queries": len(queries),
        "keystrokes": len(plan),
        "interval_ms": args.interval_ms,
        "coalesce_ms": COALESCE_MS,
        "median_ms": round(statistics.median(lat), 1) if lat else None,
        "p95_ms": round(p95, 1) if p95 is not None else None,
        "max_ms": round(lat[-1], 1) if lat else None,
        "max_stall_ms": round(max(gaps) - 5, 1) if gaps else None,
        "stall_p99_ms": round(sorted(gaps)[int(0.99 * (len(gaps) - 1))] - 5, 1) if gaps else None,
        "stalls_over_50ms": sum(1 for g in gaps if g - 5 > 50),
        "loadavg": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "unanswered_keystrokes": len(pending),
    }
    print(json.dumps(result, ensure_ascii=False))
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
