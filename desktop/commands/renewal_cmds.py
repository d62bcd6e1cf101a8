"""worklist, contact, assign, report renewal (issue 13)."""
from __future__ import annotations

import argparse
from datetime import date

from desktop.core import cadence
from desktop.core.wording import STATUS_LABEL
from desktop.services import contact as contact_svc
from desktop.services import worklist as worklist_svc
from desktop.services.errors import BadInput

from .common import acting_staff, at_of, context, day_of, one_match, out_file, print_json, query_text


def add_parsers(cmd) -> None:
    """The renewal sub-commands, in one block of desktop/cli.py's parser."""
    sp = cmd("worklist", help="今日工作：today|week|overdue|lapsing|lapsed|visits|done")
    sp.add_argument("tab", choices=worklist_svc.TABS)
    sp.add_argument("--limit", type=int, default=worklist_svc.PAGE, metavar="N",
                    help=f"rows to list (the count is always the whole tab; default {worklist_svc.PAGE})")

    sp = cmd("contact", help="record a renewal contact attempt (or --stop / --close-until / --confirm-loss)")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--channel", choices=list(cadence.CHANNELS))
    sp.add_argument("--result", metavar="CODE", help="，".join(cadence.RESULTS))
    sp.add_argument("--next", metavar="DATE", help="next contact (or the promised visit day), YYYY-MM-DD")
    sp.add_argument("--note")
    sp.add_argument("--reason", metavar="CODE", help="战败 reason: " + ", ".join(cadence.LOSS_REASONS))
    sp.add_argument("--insurer", help="where it renewed (已在他处续保)")
    sp.add_argument("--stop", metavar="REASON", help="停止联系: never contact again, with the reason")
    sp.add_argument("--close-until", metavar="DATE", help="本次关闭: off the lists until DATE")
    sp.add_argument("--confirm-loss", action="store_true", help="supervisor: confirm the proposed 失销")

    sp = cmd("assign", help="give a vehicle to one renewal specialist (supervisor)")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--to", required=True, metavar="STAFF")

    sp = cmd("report", help="renewal rate by segment for a month")
    sp.add_argument("what", choices=["renewal"])
    sp.add_argument("--month", required=True, metavar="YYYY-MM")
    sp.add_argument("--xlsx", metavar="OUT")


def _date(raw: str | None, opt: str) -> date | None:
    return day_of(raw, opt)


def cmd_worklist(args: argparse.Namespace) -> int:
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    if not 1 <= args.limit <= 100000:
        raise BadInput(f"--limit 应在 1 到 100000 之间（收到：{args.limit}）。")
    lists = worklist_svc.build(ctx.store().engine, session, at, ctx.settings(), limit=args.limit)
    out = worklist_svc.tab_json(lists, args.tab)
    if args.json:
        print_json(out)
        return 0
    shown = len(lists.tabs[args.tab])
    more = f"（列出前 {shown} 辆）" if shown < out["count"] else ""
    print(f"{worklist_svc.TAB_LABEL[args.tab]}（{lists.today.isoformat()}）：{out['count']} 辆{more}")
    for r in lists.tabs[args.tab]:
        last = r.last_contact
        # a recorded outcome has no channel: leave the gap out rather than print two spaces
        last_txt = " ".join(str(x) for x in (last["date"], last["channel_label"], last["result_label"], last["by"])
                            if x) if last else "未联系"
        print(f"  {r.plate or '-'} {r.owner or ''} {STATUS_LABEL.get(r.status, r.status)} "
              f"剩余 {r.days_left if r.days_left is not None else '-'} 天 · 上次：{last_txt} · "
              f"下次：{r.next_date.isoformat() if r.next_date else '-'} · 负责人：{r.assigned_to or '未分配'}"
              + (f" · 提醒：{r.reminder_text}" if r.reminder_text else ""))
    if lists.capped and args.tab in ("today", "overdue"):
        print(f"  另有 {lists.capped} 辆今天/本周已达联系次数上限，暂不列出。")
    return 0


def cmd_contact(args: argparse.Namespace) -> int:
    q = query_text(args)
    at = at_of(args)
    now = at if args.at else None
    ctx = context(args)
    session = acting_staff(ctx, args)
    s = ctx.settings()
    engine = ctx.store().engine
    match = one_match(ctx, session, q, at, s.lead_days)
    if args.confirm_loss:
        contact_svc.confirm_loss(engine, session, match.vehicle_id, s, now=now)
        print(f"已确认失销：{match.plate}")
        return 0
    if args.stop is not None:
        contact_svc.stop_contact(engine, session, match.vehicle_id, args.stop, now=now)
        print(f"已停止联系：{match.plate}（以后不再出现在联系名单和提醒信中）")
        return 0
    if args.close_until is not None:
        until = _date(args.close_until, "--close-until")
        contact_svc.close_until(engine, session, match.vehicle_id, until, args.note, now=now)
        print(f"本次关闭：{match.plate}，{until.isoformat()} 起重新出现在名单中")
        return 0
    if not args.channel or not args.result:
        raise BadInput("请给出 --channel（phone|sms|wechat|letter|counter）和 --result（联系结果代码）。")
    c = contact_svc.ContactInput(args.channel, args.result, _date(args.next, "--next"), args.note, args.reason,
                                 args.insurer)
    contact_svc.record_contact(engine, session, match.vehicle_id, c, s, now=now)
    msg = f"已记录联系：{match.plate} {cadence.CHANNELS[c.channel]} {cadence.RESULTS[c.result]}"
    if c.result in cadence.LOSS_RESULTS:
        msg += "（失销已确认）" if session.may("supervisor") else "（失销待主管确认）"
    if c.result not in cadence.REACHED:
        msg += "（未联系上，不算跟进）"
    print(msg)
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    q = query_text(args)
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    match = one_match(ctx, session, q, at, ctx.settings().lead_days)
    before = contact_svc.assign(ctx.store().engine, session, match.vehicle_id, args.to,
                                now=at if args.at else None)
    if before:
        print(f"已改派：{match.plate} 从 {before} 改派给 {args.to}")
    else:
        print(f"已分配：{match.plate} 给 {args.to}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from desktop.services import renewal_report

    at = at_of(args)
    out = out_file(args.xlsx, "--xlsx") if args.xlsx else None  # a bad path is exit 2 before any work
    ctx = context(args)
    session = acting_staff(ctx, args)
    report = renewal_report.build(ctx.store().engine, session, args.month, at, ctx.settings())
    if out:
        renewal_report.write_xlsx(report, out)
    if args.json:
        print_json(report.to_json())
        return 0
    print(renewal_report.as_text(report))
    if args.xlsx:
        print(f"已导出到 {args.xlsx}")
    return 0
