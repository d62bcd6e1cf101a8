"""Reminder lists for SMS platforms: the due (and lapsed) list as CSV or .xlsx in the plain column
layout platforms import (手机号, 姓名, 车牌, 到期日, 短信内容, 字数, 条数).

Who is on it: the letters' window (DESIGN §7 `letters --due-within`, with --include-lapsed), then
only owners who consented to be contacted (consent_contact), who are not under 停止联系 (the
renewal engineer's `contact_stop` event) nor 本次关闭 until a later day (`contact_close`), not
sold/scrapped, and who have a mobile number. Everyone else is listed as skipped with a reason.
Phones and names are masked unless an admin asks for the full list; every export is audited.
The message is checked against the banned words before anything is written.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core import sms
from desktop.core.identifiers import IdentifierError, check_mobile
from desktop.core.masking import mask_name, mask_phone, mask_plate
from desktop.core.timeutil import cst_date
from desktop.core.wording import cn_date, days_phrase
from desktop.io.xlsx_writer import write_sheet
from desktop.paths import resource_path
from desktop.store import audit
from desktop.store.records import VehicleBundle

from . import letters as letters_svc
from .auth import StaffSession, require
from .errors import BadInput
from .settings import CounterSettings
from .statuses import iter_statuses

HEADERS = ["手机号", "姓名", "车牌", "到期日", "短信内容", "字数", "条数"]
SKIP_REASONS = ("no_consent", "do_not_contact", "closed_for_now", "no_mobile", "sold", "scrapped")


@dataclass(frozen=True)
class SmsResult:
    rows: int
    skipped: dict[str, int]      # reason -> count
    full: bool
    max_chars: int
    max_segments: int


@dataclass(frozen=True)
class SmsResources:
    template: Path
    banned: Path


def default_sms_resources() -> SmsResources:
    return SmsResources(resource_path("templates", "sms_zh.txt"), resource_path("templates", "sms_banned_words.txt"))


def _detail(e) -> dict:
    try:
        return json.loads(e.detail) if e.detail else {}
    except ValueError:
        return {}


def skip_reason(b: VehicleBundle, today: date) -> str | None:
    outcome = b.last_outcome()
    if outcome in ("sold", "scrapped"):
        return outcome
    if b.owner is None or not b.owner.consent_contact:
        return "no_consent"
    if any(e.kind == "contact_stop" for e in b.events):
        return "do_not_contact"
    closes = [e for e in b.events if e.kind == "contact_close"]
    if closes:
        until = _detail(max(closes, key=lambda e: e.at)).get("until")
        if until and str(until) > today.isoformat():
            return "closed_for_now"
    try:
        check_mobile(b.owner.phone or "")
    except IdentifierError:
        return "no_mobile"
    return None


def load_template(res: SmsResources) -> tuple[str, tuple[str, ...]]:
    try:
        template = sms.parse_sms_template(res.template.read_text(encoding="utf-8-sig"))
        banned = sms.parse_banned(res.banned.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise BadInput(f"短信模板或禁用词表无法读取：{exc.filename}") from None
    except sms.SmsTemplateError as exc:
        raise BadInput(exc.message) from None
    return template, banned


def check_text(text: str, banned: tuple[str, ...]) -> None:
    found = sms.banned_in(text, banned)
    if found:
        raise BadInput(f"短信内容含有禁用词：{'、'.join(found)}。请修改短信模板（resources/templates/sms_zh.txt）后再导出。")


def _csv_text(v: str) -> str:
    """A text cell as Excel will not run it: one starting with = + - @ (or a tab / carriage return
    before one) is a formula to Excel, so it gets a leading apostrophe (OWASP's CSV injection advice).
    Names come from insurers' sheets; phones and plates never start so."""
    return "'" + v if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v


def write_sms_list(engine: Engine, session: StaffSession, settings: CounterSettings, out: Path, due_within: int,
                   include_lapsed: bool, at: datetime, full: bool = False, res: SmsResources | None = None,
                   cancel: Callable[[], bool] | None = None) -> SmsResult:
    require(session, "admin" if full else "clerk")
    if due_within < 0:
        raise BadInput("--due-within 不能为负数。")
    out = Path(out).expanduser()
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise BadInput("导出文件应以 .csv 或 .xlsx 结尾。")
    if not out.parent.is_dir():
        raise BadInput(f"目录不存在：{out.parent}")
    template, banned = load_template(res or default_sms_resources())
    check_text(template, banned)  # the fixed wording first: one clear message, nothing written
    today = cst_date(at)
    ids = letters_svc.window_candidates(engine, at, due_within, include_lapsed)
    rows: list[list] = []
    skipped = {r: 0 for r in SKIP_REASONS}
    for b, c in iter_statuses(engine, ids, at, settings.lead_days, cancel):
        # The letters' own window rule (one definition of "due within D days / lapsed ≤ 3 years").
        if not letters_svc._in_window(c, due_within, include_lapsed, today):
            continue
        reason = skip_reason(b, today)
        if reason:
            skipped[reason] += 1
            continue
        text = sms.render(template, {"org": settings.org, "plate_masked": mask_plate(b.vehicle.plate) or "",
                                     "ci_end_date": cn_date(c.ci_end_date), "days_phrase": days_phrase(c),
                                     "counter_name": settings.counter_name, "counter_phone": settings.counter_phone})
        check_text(text, banned)
        phone = check_mobile(b.owner.phone).value
        rows.append([phone if full else mask_phone(phone), (b.owner.name or "") if full else mask_name(b.owner.name),
                     b.vehicle.plate, c.ci_end_date, text, len(text), sms.segments(text)])
    if cancel and cancel():
        return SmsResult(0, skipped, full, 0, 0)
    rows.sort(key=lambda r: (r[3], r[2] or ""))
    part = out.with_name(f".{out.name}.part{out.suffix}")
    try:
        if out.suffix.lower() == ".csv":
            # utf-8-sig: Excel and the platforms' upload pages read it without garbling the Chinese.
            with part.open("w", encoding="utf-8-sig", newline="") as f:
                w = csv.writer(f)
                w.writerow(HEADERS)
                w.writerows([*map(_csv_text, r[:3]), r[3].isoformat(), _csv_text(r[4]), *r[5:]] for r in rows)
        else:
            write_sheet(part, "短信提醒名单", HEADERS, rows, date_columns=[3])
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    audit.record(engine, "sms_export", session.name, out.name,
                 {"rows": len(rows), "full": full, "due_within": due_within, "include_lapsed": include_lapsed})
    return SmsResult(len(rows), {k: v for k, v in skipped.items() if v}, full,
                     max((r[5] for r in rows), default=0), max((r[6] for r in rows), default=0))
