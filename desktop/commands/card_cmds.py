"""float-notice and inspection (issue 13 items 5 and 6): what the card shows, from the command line."""
from __future__ import annotations

import argparse

from desktop.core.inspection import KIND_LABEL
from desktop.services import card_facts as card_svc
from desktop.services import vehicle_class, vehicle_dates
from desktop.services.errors import BadInput

from .common import acting_staff, at_of, context, one_match, print_json, query_text


def add_parsers(cmd) -> None:
    """The card sub-commands, in one block of desktop/cli.py's parser."""
    sp = cmd("float-notice", help="record the coefficient on the insurer's 交强险费率浮动告知单")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--coef", required=True, metavar="FACTOR", help="as printed: 0.9, or -10%%")
    sp.add_argument("--note")

    sp = cmd("inspection", help="年检 due date (rule and reminder); --due DATE overrides it from the 行驶证")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--due", metavar="DATE", help="检验有效期至, e.g. 2027-03-31 or 2027-03")
    sp.add_argument("--reason", help="why (e.g. 按行驶证副页); required with --due")
    sp.add_argument("--use", metavar="USE", help="使用性质 from the 行驶证 (家庭自用, 营业出租租赁, 摩托车 … or family …): "
                    "records the vehicle's class, so the 年检 rule applies")
    sp.add_argument("--seats", metavar="N", help="核定载人数 from the 行驶证 (needed for passenger cars)")


def cmd_float_notice(args: argparse.Namespace) -> int:
    q, at = query_text(args), at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    match = one_match(ctx, session, q, at, ctx.settings().lead_days)
    factor = vehicle_dates.record_float_notice(ctx.store().engine, session, match.vehicle_id, args.coef, args.note,
                                               now=at if args.at else None)
    if args.json:
        print_json({"plate": match.plate, "coefficient": str(factor)})
    else:
        print(f"已记录浮动告知单：{match.plate} 系数 {factor}（保费估算按此系数）")
    return 0


def cmd_inspection(args: argparse.Namespace) -> int:
    q, at = query_text(args), at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    s = ctx.settings()
    engine = ctx.store().engine
    match = one_match(ctx, session, q, at, s.lead_days)
    if args.use is not None or args.seats is not None:
        if not args.use:
            raise BadInput("请同时给出 --use（行驶证上的使用性质，例如 家庭自用）。")
        vehicle_class.record_vehicle_class(engine, session, match.vehicle_id, args.use, args.seats,
                                           now=at if args.at else None)
    if args.due is not None:
        vehicle_dates.override_inspection(engine, session, match.vehicle_id, args.due, args.reason or "",
                                          now=at if args.at else None)
    facts = card_svc.card_facts(engine, session, match.vehicle_id, at, s.lead_days, s.region)
    i = facts.inspection
    out = {"plate": match.plate,
           "due": i.due.isoformat() if i else None, "kind": i.kind if i else None, "rule": i.rule if i else None,
           "confirmed": i.confirmed if i else None, "overridden": i.overridden if i else False,
           "problem": facts.inspection_problem,
           "reminders": [{"date": r.day.isoformat(), "items": list(r.items)} for r in facts.reminders]}
    if args.json:
        print_json(out)
        return 0
    if i is None:
        print(f"{match.plate}：{facts.inspection_problem}")
        return 0
    mark = "" if i.confirmed else "（规则待核实，估算）"
    print(f"{match.plate} 年检：检验有效期至 {i.due.isoformat()}，{KIND_LABEL.get(i.kind, i.kind)}{mark}\n  规则：{i.rule}")
    return 0
