"""After-sales commands: guide (理赔指引), insurers (通讯录), complaint(s) (投诉), sms (短信名单)."""
from __future__ import annotations

import argparse
from dataclasses import asdict

from desktop.core.insurers import shown
from desktop.services import complaints, directory, sms_export
from desktop.services import guide as guide_svc
from desktop.services.errors import BadInput

from .common import acting_staff, at_of, context, one_match, out_file, print_json, query_text


def cmd_guide(args: argparse.Namespace) -> int:
    q = query_text(args)
    at = at_of(args)
    pdf = out_file(args.pdf, "--pdf")
    ctx = context(args)
    session = acting_staff(ctx, args)
    settings = ctx.settings()
    match = one_match(ctx, session, q, at, settings.lead_days)
    pages = guide_svc.write_guide(ctx.store().engine, session, match, settings, pdf, args.accident,
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


def _complaint_line(row) -> str:
    c = row.complaint
    flag = "【逾期】" if row.overdue else ""
    return (f"{flag}{c.id[:13]}  {row.plate or '-'}  {complaints.CATEGORIES[c.category]}  "
            f"{complaints.STATE_LABEL[c.state]}  负责 {c.owner}  到期 {c.due.isoformat()}")


def cmd_complaints(args: argparse.Namespace) -> int:
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    rows = complaints.listing(ctx.store().engine, session, open_only=args.open, at=at)
    if args.json:
        print_json({"complaints": [r.to_json() for r in rows]})
        return 0
    for r in rows:
        print(_complaint_line(r))
    if not rows:
        print("没有未关闭的投诉。" if args.open else "没有投诉记录。")
    return 0


def _show(c, as_json: bool) -> None:
    if as_json:
        print_json({"id": c.id, "category": c.category, "state": c.state, "owner": c.owner,
                    "due": c.due.isoformat(), "promised": c.promised, "note": c.note,
                    "history": [{"at": h.at, "staff": h.staff, "note": h.note, "from": h.from_state,
                                 "to": h.to_state, "applied": h.applied} for h in c.history]})
        return
    print(f"投诉 {c.id}：{complaints.CATEGORIES[c.category]}，{complaints.STATE_LABEL[c.state]}，"
          f"负责 {c.owner}，到期 {c.due.isoformat()}")


def cmd_complaint(args: argparse.Namespace) -> int:
    at = at_of(args) if getattr(args, "at", None) is not None else None
    ctx = context(args)
    session = acting_staff(ctx, args)
    engine = ctx.store().engine
    sub = args.complaint_cmd
    if sub == "add":
        settings = ctx.settings()
        match = one_match(ctx, session, query_text(args), at or at_of(args), settings.lead_days)
        owner = match.bundle.owner.id if match.bundle.owner else None
        c = complaints.add(engine, session, match.vehicle_id, owner, args.category, args.due, args.note,
                           args.promised, args.owner, now=at)
        if args.json:
            print_json({"id": c.id, "plate": match.plate, "state": c.state, "due": c.due.isoformat()})
        else:
            print(f"已登记投诉 {c.id}（{match.plate}，{complaints.CATEGORIES[c.category]}，到期 {c.due.isoformat()}）")
        return 0
    if sub == "follow":
        c = complaints.follow_up(engine, session, args.id, args.note, args.owner, args.due, now=at)
    elif sub == "move":
        c = complaints.move(engine, session, args.id, args.to, args.note, now=at)
    else:
        c = complaints.get(engine, session, args.id)
    _show(c, args.json)
    return 0


def cmd_sms(args: argparse.Namespace) -> int:
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    out = args.csv or args.xlsx
    if not out or (args.csv and args.xlsx):
        raise BadInput("请用 --csv OUT 或 --xlsx OUT 之一指定导出文件。")
    target = out_file(out, "--csv" if args.csv else "--xlsx")
    r = sms_export.write_sms_list(ctx.store().engine, session, ctx.settings(), target, args.due_within,
                                  args.include_lapsed, at, full=args.full)
    if args.json:
        print_json({"file": str(out), "rows": r.rows, "skipped": r.skipped, "full": r.full,
                    "max_chars": r.max_chars, "max_segments": r.max_segments})
    else:
        why = "、".join(f"{SKIP_LABEL.get(k, k)} {v}" for k, v in r.skipped.items()) or "无"
        print(f"短信名单 {r.rows} 条已写入 {out}（{'完整号码' if r.full else '号码已打码'}；"
              f"最长 {r.max_chars} 字，{r.max_segments} 条计费）；未列入：{why}")
    return 0


SKIP_LABEL = {"no_consent": "未同意联系", "do_not_contact": "停止联系", "closed_for_now": "本次关闭",
              "no_mobile": "无手机号", "sold": "已卖", "scrapped": "已报废"}
