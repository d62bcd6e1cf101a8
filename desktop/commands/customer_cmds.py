"""customer QUERY --phone/--address/--consent-*: edit the owner's contact details (issue 11)."""
from __future__ import annotations

import argparse

from desktop.services import contact_details as details_svc
from desktop.services.errors import BadInput

from .common import acting_staff, at_of, context, one_match, query_text

_YES_NO = {"yes": True, "no": False, "是": True, "否": False}


def add_parsers(cmd) -> None:
    sp = cmd("customer", help="修改车主的电话、地址、同意联系/寄信（同步为按字段的最新值）")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--phone", help="new phone; '' clears it")
    sp.add_argument("--address", help="new postal address; '' clears it")
    sp.add_argument("--consent-contact", metavar="yes|no")
    sp.add_argument("--consent-mail", metavar="yes|no")


def _flag(raw: str | None, opt: str) -> bool | None:
    if raw is None:
        return None
    v = _YES_NO.get(raw.strip().lower())
    if v is None:
        raise BadInput(f"{opt} 应为 yes 或 no（收到：{raw[:10]}）。")
    return v


def cmd_customer(args: argparse.Namespace) -> int:
    edit = details_svc.ContactEdit(args.phone, args.address, _flag(args.consent_contact, "--consent-contact"),
                                   _flag(args.consent_mail, "--consent-mail"))
    if all(v is None for v in (edit.phone, edit.address, edit.consent_contact, edit.consent_mail)):
        raise BadInput("请给出要修改的内容：--phone、--address、--consent-contact yes|no 或 --consent-mail yes|no。")
    q = query_text(args)
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    match = one_match(ctx, session, q, at, ctx.settings().lead_days)
    done = details_svc.edit_contact(ctx.store().engine, session, match.vehicle_id, edit,
                                    now=at if args.at else None)
    print(f"已修改 {match.plate} 车主的" + "、".join(details_svc.FIELD_LABEL[f] for f in done.fields))
    for w in done.warnings:
        print(f"注意：{w}")
    return 0
