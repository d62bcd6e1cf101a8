"""Benchmark: N reminder letters streamed into one PDF (not a test).

Prints JSON: {letters, pages, seconds, pages_per_s, peak_rss_mb, rss_mb_at_10pct,
rss_mb_at_end, pdf_mb, baseline_pages_per_s, ratio}. The baseline is a bare
QPdfWriter drawing the same strings at the same sizes with QPainter.drawText
(no wrapping, no layout), i.e. the cost floor of Qt's PDF text output;
ratio = pages_per_s / baseline_pages_per_s.

    .venv/bin/python bench/letters.py [--letters 10000] [--out DIR]

With --data-dir (a demo store, e.g. a copy of the 1M store; passphrase bench-passphrase) it first
times the real selection (desktop.services.letters.select: the letters dialog's count) for the
dialog's default window and with "also lapsed", against the old candidate query (every 交强险
term ending in the window, policy_term) in the same run (the old one stopped after
--old-limit-s), then renders the first --letters letters of the selection through the real
path (documents.render_letters). Prints {"store": ..., "pdf": ..., "loadavg": ...}.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop.core.status import Term, coverage_status  # noqa: E402
from desktop.core.timeutil import CST  # noqa: E402
from desktop.printing import letter as L  # noqa: E402
from desktop.printing.fonts import ensure_gui_app, load_font, make_font  # noqa: E402
from desktop.printing.layout import PDF_DPI  # noqa: E402
from desktop.printing.model import CounterInfo, LetterData  # noqa: E402

FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
TEMPLATE = ROOT / "resources" / "templates" / "letter_zh.txt"
AT = datetime(2026, 11, 20, 10, 30, tzinfo=CST)

# Fictitious data only.
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨"
GIVEN = ["示例", "测试", "演示", "样本", "虚构", "模拟"]
STREETS = ["幸福路", "光明街", "和平大道", "长安路", "样本巷"]


def letters(n: int):
    counter = CounterInfo("示例汽车销售服务有限公司 续保柜台", "0755-12345678",
                          "示例市样本区幸福路 88 号一楼", "周一至周六 9:00–17:30")
    statuses = [coverage_status([Term("CI", datetime(2026, m, 1, tzinfo=CST), datetime(2027, m, 1, tzinfo=CST))], AT)
                for m in range(1, 3)]
    statuses.append(coverage_status([Term("CI", datetime(2025, 10, 1, tzinfo=CST),
                                          datetime(2026, 10, 1, tzinfo=CST))], AT))
    for i in range(n):
        name = SURNAMES[i % 16] + GIVEN[i % 6]
        addr = f"示例省样本市第{i % 9 + 1}区{STREETS[i % 5]} {i % 300 + 1} 号 {i % 20 + 1} 栋 {i % 30 + 101} 室"
        yield LetterData(name, addr, f"粤B{i % 100000:05d}", f"138{i:08d}"[:11], statuses[i % 3],
                         "示例财产保险", counter, date(2026, 11, 20))


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_letters(n: int, out: Path) -> dict:
    tpl = L.load_letter_template(TEMPLATE)
    t0 = time.perf_counter()
    rss_10 = None
    with L.LetterPdfWriter(out, tpl, FONT) as w:
        for i, letter in enumerate(letters(n), 1):
            w.add(letter)
            if i == max(1, n // 10):
                rss_10 = rss_mb()
    seconds = time.perf_counter() - t0
    return {"letters": n, "pages": w.pages, "seconds": round(seconds, 2),
            "pages_per_s": round(w.pages / seconds, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_mb_at_10pct": round(rss_10 or 0, 1), "rss_mb_at_end": round(rss_mb(), 1),
            "pdf_mb": round(out.stat().st_size / 1e6, 1)}


def run_baseline(n: int, out: Path) -> float:
    """Same strings, same sizes, one drawText per paragraph: no layout engine at all."""
    from PySide6.QtGui import QPainter, QPdfWriter
    family = load_font(FONT)
    tpl = L.load_letter_template(TEMPLATE)
    w = QPdfWriter(str(out))
    w.setResolution(PDF_DPI)
    fonts: dict = {}
    p = QPainter(w)
    t0 = time.perf_counter()
    for i, letter in enumerate(letters(n)):
        if i:
            w.newPage()
        paras = L._letterhead(letter) + L.address_paragraphs(letter) + L.letter_paragraphs(letter, tpl)
        y = 200
        for para in paras:
            key = (para.size_pt, para.bold)
            if key not in fonts:
                fonts[key] = make_font(family, para.size_pt, para.bold, PDF_DPI)
            p.setFont(fonts[key])
            for text in para.text.split("\n"):
                y += int(para.size_pt * 6)
                p.drawText(280, y, text)
    p.end()
    seconds = time.perf_counter() - t0
    del p, w
    return n / seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=None, help="directory for the PDFs (default: a temp dir)")
    ap.add_argument("--data-dir", type=Path, help="time the selection on this store (see above)")
    ap.add_argument("--at", default="2026-12-01T10:00:00+08:00", help="the demo's 'now'")
    ap.add_argument("--old-limit-s", type=float, default=120.0)
    args = ap.parse_args()
    ensure_gui_app()
    if args.data_dir:
        from bench.letters_store import run_store

        print(json.dumps(run_store(args.data_dir, datetime.fromisoformat(args.at), args.letters, args.old_limit_s,
                                   args.out), ensure_ascii=False))
        return
    with tempfile.TemporaryDirectory() as tmp:
        d = args.out or Path(tmp)
        d.mkdir(parents=True, exist_ok=True)
        result = run_letters(args.letters, d / "letters.pdf")
        base = run_baseline(args.letters, d / "baseline.pdf")
    result["baseline_pages_per_s"] = round(base, 1)
    result["ratio"] = round(result["pages_per_s"] / base, 2)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
