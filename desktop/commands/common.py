"""Shared plumbing for sub-commands: the data dir, the store, the acting staff member, --at."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

from desktop import credentials
from desktop.app import ADMIN_KEY, AppContext
from desktop.core.timeutil import CST, YEAR_MAX, YEAR_MIN, DateParseError, parse_at
from desktop.paths import data_dir
from desktop.services import lookup as lookup_svc
from desktop.services.auth import StaffSession
from desktop.services.errors import BadInput
from desktop.store import settings_repo

__all__ = ["ADMIN_KEY"]  # re-exported for store_cmds


def context(args: argparse.Namespace) -> AppContext:
    return AppContext(data_dir(getattr(args, "data_dir", None)))


def at_of(args: argparse.Namespace) -> datetime:
    raw = getattr(args, "at", None)
    if raw is None:
        return datetime.now(CST)
    if not raw.strip():  # `--at ""` (an unset shell variable) is not "now": results must be reproducible
        raise BadInput("--at 需要一个日期时间，例如 2026-12-01T10:00:00（不写时区即北京时间）。")
    try:
        return parse_at(raw)
    except DateParseError as exc:
        raise BadInput(f"--at 无法识别：{exc}") from None


def day_of(raw: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option (--next): a real day in the years the app computes with (1900-2200)."""
    if raw is None:
        return None
    try:
        day = date.fromisoformat(raw.strip())
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            raise ValueError(day.year)
    except ValueError:
        raise BadInput(f"{option} 应为日期 YYYY-MM-DD，例如 2026-12-15（收到：{raw[:20]}）。") from None
    return day


# What each output option writes. A name ending in another format's suffix is a slip (`--xlsx
# due.csv` would leave a zip that Excel refuses under a .csv name): refused before any work. A name
# without a suffix is taken as given.
OUT_SUFFIX = {"--pdf": ".pdf", "--xlsx": ".xlsx", "--report": ".xlsx", "--csv": ".csv"}
KNOWN_SUFFIXES = frozenset({".pdf", ".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".json", ".doc", ".docx", ".png",
                            ".rdbak", ".zip"})


def out_file(raw: str, option: str) -> Path:
    """The file an option writes (--pdf, --xlsx, --report, --csv), checked before any work: a folder,
    a missing folder or a parent that is a file is bad input (exit 2), never an OSError (exit 1)."""
    out = Path(raw).expanduser()
    want, got = OUT_SUFFIX.get(option), out.suffix.lower()
    if want and got != want and got in KNOWN_SUFFIXES:
        raise BadInput(f"{option} 写出的是 {want[1:].upper()} 文件，文件名应以 {want} 结尾（收到 {out.name}）。")
    if out.is_dir():
        raise BadInput(f"{option} 应是一个文件名，而 {out} 是文件夹。")
    parent = out.parent
    if not parent.exists():
        raise BadInput(f"目录不存在：{parent}")
    if not parent.is_dir():
        raise BadInput(f"{option} 的上级路径 {parent} 是一个文件，不是文件夹。")
    return out


def acting_staff(ctx: AppContext, args: argparse.Namespace, write_nothing: bool = False) -> StaffSession:
    """Log in as --as (default: the admin made by init) with RENEWDESK_STAFF_PASSWORD or a prompt.
    `write_nothing`: the command promises not to change the store (import --dry-run)."""
    given = getattr(args, "as_staff", None)
    if given is not None and not given.strip():  # `--as "$STAFF"` unset is a slip, never the admin
        raise BadInput("--as 需要员工名，例如 --as clerk（不写 --as 即 init 创建的管理员）。")
    engine = ctx.store().engine
    name = given or settings_repo.get(engine, ADMIN_KEY) or "admin"
    return ctx.login(name, credentials.staff_password(name), record_success=not write_nothing)


def query_text(args: argparse.Namespace) -> str:
    q = " ".join(args.query).strip()
    if not q:
        raise BadInput("请给出查询内容：车牌、车架号（或后6位）、电话（或后4位）、姓名、拼音首字母或证件号后4位。")
    return q


def one_match(ctx: AppContext, session: StaffSession, q: str, at: datetime, lead_days: int):
    """Exactly one vehicle for slip/record; else exit 2 listing the masked candidates."""
    matches = lookup_svc.lookup(ctx.store().engine, session, q, at, lead_days)
    exact = [m for m in matches if m.rank == 0]
    chosen = exact if len(exact) == 1 else matches
    if len(chosen) == 1:
        return chosen[0]
    if not chosen:
        raise BadInput(f"找不到与「{q}」匹配的车辆。")
    listing = "; ".join(f"{m.plate or '-'} {m.owner or ''} {m.phone or ''}".strip() for m in chosen[:10])
    # The lookup stops at MAX_MATCHES: at the cap there may be more than it found.
    total = f"{len(chosen)} 辆以上" if len(chosen) >= lookup_svc.MAX_MATCHES else f"{len(chosen)} 辆"
    more = f" 等 {total}" if len(chosen) > 10 else ""
    raise BadInput(f"「{q}」匹配到多辆车（{listing}{more}），请用完整车牌或车架号。")


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")
