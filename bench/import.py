"""Benchmark: import an insurer-style export of N rows into a fresh encrypted store (not a test).

Prints JSON: {rows, vehicles, seconds, rows_per_s, peak_rss_mb, baseline_seconds, ratio,
baseline_peak_rss_mb, cpu_seconds, baseline_cpu_seconds, cpu_ratio, report, loadavg}.
The import runs in a child process so that peak_rss_mb (getrusage maxrss of that child) does not
count the generator's memory. `--reader cli` (the default) imports as `renewdesk import` does: a
child reader when the machine has a second core, else in process (the JSON's "reader_used" says
which). `--reader here`: the sheet is parsed in the importing process. `--reader child`: a large
sheet is parsed by a grandchild (desktop.io.parse_process),
its CPU counts in cpu_seconds (cpu_parent_seconds + cpu_reader_seconds), its peak RSS is
reader_peak_rss_mb, and peak_rss_mb is the writer's (the two run at once: their sum bounds the job).
The JSON says which ("reader", "reader_used"). The baseline, measured in the same run on the same file, is the cost
floor of the job: python-calamine's raw parse of the sheet plus one executemany of the same rows
into a plain (unencrypted, unindexed) sqlite3 table, also in a child process;
ratio = seconds / baseline_seconds. The CPU seconds of both (process time) are printed beside them:
on a machine shared with other work the wall-clock figures swing by 2-3x, the CPU ones far less.

    .venv/bin/python bench/import.py [--rows 100000] [--seed 1] [--out DIR] [--reader cli|here|child]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.fakes import FakeData  # noqa: E402

AT = "2026-12-01T10:00:00+08:00"
HEADERS = ["序号", "保单号", "险种", "车牌号", "车架号", "被保险人", "证件号码", "联系电话", "保险起期", "保险止期",
           "保险公司", "保费", "车船税"]


def generate(path: Path, rows: int, seed: int = 1) -> int:
    """An insurer-style per-term export: a title row, the header, then a 交强险 and a 商业险 row per
    vehicle (every 50th vehicle only 交强险), dates as real date cells. Returns the vehicle count."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    f = FakeData(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("承保清单")
    ws.append([f"{date(2026, 11, 30):%Y年%m月%d日} 承保清单导出"])
    ws.append(HEADERS)
    day0 = date(2025, 12, 1).toordinal()
    n = vehicles = 0
    while n < rows:
        vehicles += 1
        plate, vin, name, idn, mobile, insurer = (f.plate(), f.vin(), f.name(), f.id_number(), f.mobile(),
                                                  f.insurer())
        start = date.fromordinal(day0 + vehicles % 365)
        end = start.replace(year=start.year + 1) - timedelta(days=1)
        kinds = ("交强险",) if vehicles % 50 == 0 else ("交强险", "商业险")
        for k in kinds:
            if n >= rows:
                break
            n += 1
            s, e = WriteOnlyCell(ws, start), WriteOnlyCell(ws, end)
            s.number_format = e.number_format = "yyyy-mm-dd"
            ws.append([n, f"P{seed:02d}{n:010d}", k, plate, vin, name, idn, mobile, s, e, insurer,
                       950.0 if k == "交强险" else 3210.5, 360.0 if k == "交强险" else None])
    wb.save(str(path))
    return vehicles


def child(file: Path, data_dir: Path, reader: str = "cli") -> None:
    """Import into a fresh store; print the report counts, seconds and this process's peak RSS."""
    from desktop.app import AppContext
    from desktop.core.timeutil import parse_at
    from desktop.services import auth
    from desktop.services.importer import run_import
    from desktop.store.keyring_port import MemoryKeyring

    ctx = AppContext(data_dir, keyring=MemoryKeyring(), passphrase=lambda: "bench-passphrase")
    store = ctx.create("bench-passphrase")
    auth.add_staff(store.engine, None, "admin", "admin", "bench-admin-1")
    session = ctx.login("admin", "bench-admin-1")
    t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
    from desktop.services.importer import two_cores

    if reader == "cli":
        reader = "child" if two_cores() else "here"
    rep = run_import(store.engine, session, file, at=parse_at(AT), in_process=reader == "here")
    seconds, cpu, reader_cpu = time.perf_counter() - t0, time.process_time() - c0, _children_cpu() - k0
    ctx.close()
    out = {k: v for k, v in rep.to_json().items() if k in ("rows", "imported", "updated", "duplicates")}
    out["rejected"] = len(rep.rejected)
    out["warnings"] = len(rep.warnings)
    out.update(reader_used=reader, seconds=seconds, cpu_seconds=cpu + reader_cpu, cpu_parent_seconds=cpu,
               cpu_reader_seconds=reader_cpu, peak_rss_mb=_maxrss_mb(),
               reader_peak_rss_mb=_maxrss_mb(resource.RUSAGE_CHILDREN))
    print(json.dumps(out))


def _children_cpu() -> float:
    """CPU of this process's finished (joined) children: the sheet reader of a large import."""
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def _maxrss_mb(who: int = resource.RUSAGE_SELF) -> float:
    rss = resource.getrusage(who).ru_maxrss  # KiB on Linux, bytes on macOS
    return rss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def baseline(file: Path, db_path: Path) -> tuple[float, float]:
    """Raw calamine parse + executemany of the same rows into plain sqlite3: (seconds, CPU seconds)."""
    import python_calamine as pc

    t0, c0 = time.perf_counter(), time.process_time()
    sheet = pc.CalamineWorkbook.from_path(str(file)).get_sheet_by_index(0)
    it = iter(sheet.iter_rows())
    next(it), next(it)  # title, header
    db = sqlite3.connect(db_path)
    db.execute(f"CREATE TABLE raw({', '.join(f'c{i}' for i in range(len(HEADERS)))})")
    marks = ",".join("?" * len(HEADERS))

    def rows():
        for r in it:
            yield [v.isoformat() if isinstance(v, date | datetime) else v for v in r[:len(HEADERS)]]

    with db:
        db.executemany(f"INSERT INTO raw VALUES ({marks})", rows())
    db.close()
    return time.perf_counter() - t0, time.process_time() - c0


def _load() -> list[float] | None:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None


def _run_child(argv: list[str], env: dict[str, str]) -> dict:
    p = subprocess.run([sys.executable, __file__, *argv], env=env, capture_output=True, text=True, check=False)
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, help="keep the generated file and stores here (a file of this --rows "
                    "already there is used again; --seed must then be the same)")
    ap.add_argument("--repeat", type=int, default=1, help="baseline and import alternated this many times: "
                    "the figures are the medians (the machine is shared: one pair can land on a busy moment)")
    ap.add_argument("--reader", choices=("cli", "here", "child"), default="cli", help="cli: as `renewdesk import` "
                    "does (child with a second core, else here); here: parse in the importing process; child: a "
                    "large sheet by a child process, as the window")
    ap.add_argument("--child", nargs=2, type=Path, metavar=("FILE", "DATA_DIR"), help=argparse.SUPPRESS)
    ap.add_argument("--baseline-child", nargs=2, type=Path, metavar=("FILE", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child, reader=args.reader)
        return
    if args.baseline_child:
        seconds, cpu = baseline(*args.baseline_child)
        print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": _maxrss_mb()}))
        return
    tmp = tempfile.TemporaryDirectory(prefix="bench-import-")
    work = args.out or Path(tmp.name)
    work.mkdir(parents=True, exist_ok=True)
    file = work / f"export_{args.rows}.xlsx"
    t0 = time.perf_counter()
    if args.out and file.exists() and file.with_suffix(".vehicles").exists():  # made by an earlier run
        vehicles = int(file.with_suffix(".vehicles").read_text())
    else:
        vehicles = generate(file, args.rows, args.seed)
        file.with_suffix(".vehicles").write_text(str(vehicles))
    gen_s = time.perf_counter() - t0
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    load0 = _load()
    runs, bases = [], []
    for i in range(args.repeat):  # interleaved: baseline, import, baseline, import …
        base_db = work / f"baseline_{os.getpid()}_{i}.sqlite"
        bases.append(_run_child(["--baseline-child", str(file), str(base_db)], env))
        base_db.unlink(missing_ok=True)
        runs.append(_run_child(["--reader", args.reader, "--child", str(file),
                                str(work / f"store_{os.getpid()}_{i}")], env))

    def med(rows: list[dict], key: str) -> float:
        return statistics.median(r[key] for r in rows)

    rep = runs[-1]
    seconds, cpu, base, base_cpu = med(runs, "seconds"), med(runs, "cpu_seconds"), med(bases, "seconds"), \
        med(bases, "cpu_seconds")
    print(json.dumps({
        "rows": rep["rows"], "vehicles": vehicles, "reader": args.reader, "reader_used": rep["reader_used"],
        "file_mb": round(file.stat().st_size / 2**20, 1),
        "generate_seconds": round(gen_s, 2), "repeat": args.repeat, "seconds": round(seconds, 2),
        "rows_per_s": round(rep["rows"] / seconds), "peak_rss_mb": round(max(r["peak_rss_mb"] for r in runs), 1),
        "reader_peak_rss_mb": round(max(r["reader_peak_rss_mb"] for r in runs), 1),
        "baseline_seconds": round(base, 2), "ratio": round(seconds / base, 2),
        "baseline_peak_rss_mb": round(max(r["peak_rss_mb"] for r in bases), 1),
        "cpu_seconds": round(cpu, 2), "cpu_parent_seconds": round(med(runs, "cpu_parent_seconds"), 2),
        "cpu_reader_seconds": round(med(runs, "cpu_reader_seconds"), 2),
        "baseline_cpu_seconds": round(base_cpu, 2), "cpu_ratio": round(cpu / base_cpu, 2),
        "runs": [{"seconds": round(r["seconds"], 2), "cpu_seconds": round(r["cpu_seconds"], 2),
                  "baseline_seconds": round(b["seconds"], 2), "baseline_cpu_seconds": round(b["cpu_seconds"], 2)}
                 for r, b in zip(runs, bases, strict=True)],
        "report": {k: rep[k] for k in ("imported", "updated", "duplicates", "rejected", "warnings")},
        "loadavg": {"before": load0, "after": _load()},
    }, ensure_ascii=False, indent=2))
    tmp.cleanup()


if __name__ == "__main__":
    main()
