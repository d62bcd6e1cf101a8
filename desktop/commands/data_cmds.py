"""import and export."""
from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from desktop.io.xlsx_writer import write_reject_report
from desktop.logs import scrub
from desktop.services import export as export_svc
from desktop.services import importer

from .common import acting_staff, at_of, context, out_file, print_json


def cmd_import(args: argparse.Namespace) -> int:
    overrides = importer.parse_map(args.map) if args.map else None
    at = at_of(args) if args.at is not None else None
    report_to = out_file(args.report, "--report") if args.report else None
    ctx = context(args)
    session = acting_staff(ctx, args, write_nothing=args.dry_run)
    engine = ctx.store().engine
    rejected_rows = []
    # A large sheet is parsed by a child process while this one writes, as in the window, when the
    # machine has a second core: the batch then takes about as long as its writes alone (100k rows:
    # ~9 s instead of ~11.5, bench/import.py --reader cli). On one core the child would only add its
    # pickling and a second interpreter, so the sheet is parsed here.
    # With --json stdout holds only the JSON: anything a reader library prints goes to stderr (the
    # child's stdout too: desktop.io.parse_process).
    with contextlib.redirect_stdout(sys.stderr) if args.json else contextlib.nullcontext():
        report = importer.run_import(engine, session, Path(args.file), dry_run=args.dry_run, sheet=args.sheet,
                                     overrides=overrides, at=at, on_rejected=rejected_rows.append,
                                     remembered=importer.remembered_mapping(engine),
                                     in_process=not importer.two_cores())
        if report_to:
            # The headers of the reading the import used (a remembered mapping included): re-reading
            # the file here could pick another header row, and costs a second parse of a large file.
            write_reject_report(report_to, report.source_headers, rejected_rows)
    shown = _masked(report.to_json())
    if args.json:
        print_json(shown)
        return 0
    mode = "（试运行，未写入任何数据）" if args.dry_run else ""
    print(f"{report.file} · 工作表 {report.sheet} · 表头第 {report.header_row} 行{mode}")
    print(f"数据行 {report.rows}：新增 {report.imported}，更新 {report.updated}，重复 {report.duplicates}，"
          f"拒收 {len(report.rejected)}")
    for r in shown["rejected"][:20]:
        print(f"  第 {r['row']} 行 {r['column'] or ''}：{r['reason']}")
    if len(report.rejected) > 20:
        print(f"  ……另有 {len(report.rejected) - 20} 行，见 --report 报告")
    for w in shown["warnings"][:10]:
        print(f"  提示 第 {w['row']} 行：{w['message']}")
    return 0


def _masked(j: dict) -> dict:
    """The report's values and messages through the one masking pass: the reader masks a value by
    its column (a phone in 联系电话), so a mobile or an ID number in another column (shifted columns:
    a phone under 保险止期) came out in full in `value` and in the reason quoting it."""
    def clean(v):
        return scrub(v) if isinstance(v, str) else v
    return {**j, "rejected": [{k: clean(v) if k in ("value", "reason") else v for k, v in r.items()}
                              for r in j.get("rejected", [])],
            "warnings": [{k: clean(v) if k == "message" else v for k, v in w.items()}
                         for w in j.get("warnings", [])]}


def cmd_export(args: argparse.Namespace) -> int:
    at = at_of(args)
    out = out_file(args.xlsx, "--xlsx")
    ctx = context(args)
    session = acting_staff(ctx, args)
    if args.what == "status" and args.within is not None:
        # Said, not silently dropped: the status list is every vehicle, whatever the window.
        print("提示：状态总表（status）列出全部车辆，--within 只用于到期名单（export due）。", file=sys.stderr)
    within = 30 if args.within is None else args.within
    n = export_svc.export_xlsx(ctx.store().engine, session, args.what, out, at, ctx.settings().lead_days,
                               within=within, full=args.full)
    print(f"已导出 {n} 行到 {args.xlsx}" + ("（含完整个人信息）" if args.full else "（个人信息已脱敏）"))
    return 0
