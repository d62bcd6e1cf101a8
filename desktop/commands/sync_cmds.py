"""renewdesk sync: enrol, sync now, and the offline batch files (DESIGN §6–§7)."""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop.services import sync as sync_svc
from desktop.services.errors import BadInput

from .common import acting_staff, context, print_json


def _print_report(args: argparse.Namespace, report, headline: str) -> None:
    if args.json:
        print_json(report.to_json())
        return
    print(f"{headline}：发出 {report.pushed}，重复 {report.duplicates}，拒收 {report.rejected}，"
          f"暂缓 {report.deferred}，收到 {report.pulled}，仍待同步 {report.pending}。")
    if report.rejected:
        print("有改动被总部拒收：请在窗口的“同步问题”中查看原因并更正。")
    if report.clock_ahead_ms:
        hours = report.clock_ahead_ms / 3_600_000
        print(f"本机时钟比总部快约 {hours:.1f} 小时：改动暂缓发送。请校正本机时间，之后会自动重新发送。")


def cmd_sync(args: argparse.Namespace) -> int:
    modes = [m for m in (args.export_batch, args.apply_batch) if m]
    if len(modes) > 1 or (modes and args.enroll):
        raise BadInput("--enroll、--export-batch、--apply-batch 一次只能用一个。")
    ctx = context(args)
    session = acting_staff(ctx, args)
    store = ctx.store()
    if args.enroll:
        if not args.server:
            raise BadInput("注册需要总部地址：renewdesk sync --server https://总部地址 --enroll 注册码。")
        e = sync_svc.enroll(store, ctx.keyring, session, args.server, args.enroll, ctx.settings().counter_name)
        if not args.json:
            print(f"已在总部注册：设备编号 {e.device_id}。以后运行 renewdesk sync 即可同步。", flush=True)
        # `sync --enroll` is a sync (DESIGN §7): what the counter already holds goes out now, and
        # --json prints the counts every sync prints. Should this first exchange fail, the
        # enrolment stays saved and the exit code says why (6: try `renewdesk sync` later).
        report = sync_svc.sync_now(store, ctx.keyring, session)
        if args.json:
            print_json({**report.to_json(), "device_id": e.device_id, "server": e.server_url})
        else:
            _print_report(args, report, "首次同步完成")
        return 0
    if args.export_batch:
        out = sync_svc.export_batch(store, ctx.keyring, session, Path(args.export_batch))
        if args.json:
            print_json({"files": [str(p) for p in out.files], "changes": out.changes})
        else:
            what = f"{out.changes} 条改动" if out.changes else "没有待发的改动，只向总部索取新数据"
            print(f"已写出 {len(out.files)} 个批次文件（{what}）到 {args.export_batch}。"
                  "请交给总部用 renewdesk-server apply-batch 导入。")
        return 0
    if args.apply_batch:
        report = sync_svc.apply_batch(store, ctx.keyring, session, Path(args.apply_batch))
        if report.already_applied and not args.json:
            print(f"批次文件 {Path(args.apply_batch).name} 已经导入过，这次没有改动任何数据。")
            return 0
        if args.json:
            print_json({**report.to_json(), "more": report.more})
            return 0
        _print_report(args, report, "批次已导入")
        if report.more:
            print("总部还有更多数据没有装进这个文件：请再导出一次（renewdesk sync --export-batch 目录），"
                  "交总部导入后把回执再导入本柜台，直到不再出现这条提示。")
        return 0
    report = sync_svc.sync_now(store, ctx.keyring, session, args.server)
    _print_report(args, report, "同步完成")
    return 0
