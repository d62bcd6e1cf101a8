"""slip and letters."""
from __future__ import annotations

import argparse

from desktop.printing.letter_template import TemplateError
from desktop.printing.model import PrintError
from desktop.services import documents
from desktop.services.errors import BadInput

from .common import acting_staff, at_of, context, one_match, out_file, print_json, query_text


def resources() -> documents.Resources:
    return documents.default_resources()


def cmd_slip(args: argparse.Namespace) -> int:
    q = query_text(args)
    at = at_of(args)
    pdf = out_file(args.pdf, "--pdf")
    ctx = context(args)
    session = acting_staff(ctx, args)
    settings = ctx.settings()
    match = one_match(ctx, session, q, at, settings.lead_days)
    try:
        out = documents.write_slip(ctx.store().engine, session, match, settings, pdf, args.paper,
                                   resources(), printed_at=at)
    except PrintError as exc:
        raise BadInput(str(exc)) from None
    print(f"告知单已写入 {out}（{args.paper}）")
    return 0


def cmd_letters(args: argparse.Namespace) -> int:
    at = at_of(args)
    pdf = out_file(args.pdf, "--pdf")
    ctx = context(args)
    session = acting_staff(ctx, args)
    try:
        result = documents.write_letters(ctx.store().engine, session, ctx.settings(), pdf,
                                         args.due_within, args.include_lapsed, args.order, at, resources())
    except (TemplateError, PrintError) as exc:
        raise BadInput(str(getattr(exc, "message", exc))) from None
    if args.json:
        print_json({"letters": result.letters, "pages": result.pages, "paper": "a4", "order": args.order,
                    "skipped": [{"plate": s.plate, "reason": s.reason} for s in result.skipped]})
    else:
        print(f"提醒信 {result.letters} 封，共 {result.pages} 页，已写入 {args.pdf}；"
              f"未寄 {len(result.skipped)} 辆（无同意/无地址/已卖/已报废）")
    return 0
