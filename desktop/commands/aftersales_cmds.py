"""After-sales commands: guide (理赔指引), insurers (通讯录), complaint(s) (投诉), sms (短信名单)."""
from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from desktop.core.insurers import shown
from desktop.services import directory
from desktop.services import guide as guide_svc

from .common import acting_staff, at_of, context, one_match, print_json, query_text


def cmd_guide(args: argparse.Namespace) -> int:
    q = query_text(args)
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    settings = ctx.settings()
    match = one_match(ctx, session, q, at, settings.lead_days)
    pages = guide_svc.write_guide(ctx.store().engine, session, match, settings, Path(args.pdf), args.accident,
                                  args.paper, printed_at=at)
    if args.json:
        print_json({"pdf": str(args.pdf), "pages": pages, "paper": args.paper, "accident": args.accident})
    else:
        print(f"理赔指引已写入 {args.pdf}（{args.paper}，{pages} 页）")
    return 0


def _fields(args: argparse.Namespace) -> dict:
    names = ("name", "short", "aliases", "claims_phone", "roadside_phone", "report_within_hours",
             "branch_address", "branch_hours")
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def cmd_insurers(args: argparse.Namespace) -> int:
    ctx = context(args)
    session = acting_staff(ctx, args)
    engine = ctx.store().engine
    if getattr(args, "insurers_cmd", None) == "set":
        e = directory.set_entry(engine, session, args.key, _fields(args), args.confirm)
        print(f"已保存 {e.short}（{e.key}）：{'已核实' if e.confirmed else '待核实'}")
        return 0
    entries = directory.listing(engine, session)
    if args.json:
        print_json({"insurers": [{**asdict(e), "aliases": list(e.aliases), "confirmed": e.confirmed}
                                 for e in entries]})
        return 0
    for e in entries:
        print(f"{e.key:10} {e.short:6} 报案 {shown(e.claims_phone, e) or '-'}  救援 {shown(e.roadside_phone, e) or '-'}")
    return 0
