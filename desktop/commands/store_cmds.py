"""init, demo, lookup, record."""
from __future__ import annotations

import argparse
import secrets as pysecrets
import sys

from desktop import credentials
from desktop.core.wording import STATUS_LABEL, days_phrase
from desktop.services import auth, demo
from desktop.services import lookup as lookup_svc
from desktop.services import record as record_svc
from desktop.services import settings as settings_svc
from desktop.services.errors import BadInput
from desktop.store.errors import StoreExists
from desktop.store.store import ensure_data_dir

from .common import acting_staff, at_of, context, day_of, one_match, print_json, query_text

DEMO_STAFF = (("clerk", "clerk"), ("supervisor", "supervisor"))


def _create(ctx, admin: str, org: str | None, counter: str | None) -> None:
    ensure_data_dir(ctx.data_dir)  # an unusable --data-dir says so before any secret is asked for
    passphrase = credentials.passphrase(confirm=True)
    password = credentials.secret(credentials.STAFF_PASSWORD_ENV, f"管理员 {admin} 的密码", confirm=True)
    ctx.initialise(passphrase, admin, password, org, counter)


def cmd_init(args: argparse.Namespace) -> int:
    ctx = context(args)
    if ctx.exists():
        raise StoreExists(f"数据目录 {ctx.data_dir} 中已有数据库，init 不会覆盖它。")
    _create(ctx, args.admin, args.org, args.counter)
    if args.json:
        print_json({"data_dir": str(ctx.data_dir), "admin": args.admin})
        return 0
    print(f"已创建加密数据库：{ctx.data_dir}（管理员：{args.admin}）")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    if args.vehicles < 0:
        raise BadInput("--vehicles 不能为负数。")
    at = at_of(args)
    ctx = context(args)
    created = False
    made_staff: list[dict] = []
    if not ctx.exists():
        _create(ctx, args.admin, "演示车行", "1号柜台")
        created = True
    session = acting_staff(ctx, args)
    auth.require(session, "admin")
    engine = ctx.store().engine
    if created:
        for key, value in (("counter_phone", "020-00000000"), ("counter_address", "示例市示例路1号"),
                           ("counter_hours", "周一至周日 9:00-17:30")):
            settings_svc.put(engine, session, key, value)
        for name, role in DEMO_STAFF:
            password = pysecrets.token_urlsafe(9)
            auth.add_staff(engine, session, name, role, password)
            made_staff.append({"name": name, "role": role, "password": password})
            if not args.json:
                print(f"演示员工 {name}（{auth.ROLE_LABEL[role]}）密码：{password}")
    tty = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:
        if tty:
            print(f"\r生成演示数据 {done}/{total}", end="", file=sys.stderr, flush=True)

    made = demo.fill_demo(engine, args.vehicles, args.seed, at, session.name, progress)
    if tty:
        print(file=sys.stderr)
    if args.json:
        # The demo staff's passwords are shown once, here as on the terminal: they are demo accounts.
        print_json({"data_dir": str(ctx.data_dir), "created": created, "vehicles": made, "seed": args.seed,
                    "at": at.isoformat(timespec="seconds"), "staff": made_staff})
        return 0
    if made == 0 and args.vehicles:
        print(f"种子 {args.seed} 的演示车辆已在库中，没有再生成一遍（同一辆车不会出现两次）。"
              "要更多车辆，请换一个 --seed。")
        return 0
    print(f"演示数据已生成：{made} 辆车（种子 {args.seed}，基准时间 {at.isoformat(timespec='minutes')}）")
    return 0


def cmd_lookup(args: argparse.Namespace) -> int:
    q = query_text(args)
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    lead = ctx.settings().lead_days
    matches = lookup_svc.lookup(ctx.store().engine, session, q, at, lead)
    if args.json:
        print_json({"matches": [m.to_json() for m in matches]})
        return 0
    if not matches:
        print(f"找不到与「{q}」匹配的车辆。可以试试：完整车牌、车架号后6位、电话后4位、姓名或拼音首字母。")
        return 0
    for m in matches:
        c = m.coverage
        end = c.ci_end_date.isoformat() if c.ci_end_date else "-"
        print(f"{m.plate or '-':<10} {STATUS_LABEL[c.status]:<4} 交强险止 {end}  {days_phrase(c)}  "
              f"{m.owner or ''} {m.phone or ''}")
    return 0


def cmd_record(args: argparse.Namespace) -> int:
    q = query_text(args)
    at = at_of(args)
    ctx = context(args)
    session = acting_staff(ctx, args)
    match = one_match(ctx, session, q, at, ctx.settings().lead_days)
    new_term = record_svc.NewTerm(args.insurer, args.policy_no, args.start, args.end,
                                  confirm_past_start=bool(getattr(args, "confirm_past_start", False)),
                                  premium=getattr(args, "premium", None),
                                  vehicle_tax=getattr(args, "vehicle_tax", None))
    record_svc.record_outcome(ctx.store().engine, session, match.vehicle_id, args.outcome, new_term, args.note,
                              now=at if args.at else None, next_date=_next_date(getattr(args, "next", None)))
    if args.json:
        print_json({"plate": match.plate, "outcome": args.outcome, "label": record_svc.OUTCOME_LABEL[args.outcome]})
        return 0
    print(f"已记录：{match.plate} {record_svc.OUTCOME_LABEL[args.outcome]}")
    return 0


def _next_date(raw: str | None):
    """record --next DATE: the follow-up day for 联系不上 / 客户会来."""
    return day_of(raw, "--next")
