"""Facts a clerk records from the customer's papers (issue 13 items 5 and 6): the coefficient
printed on the insurer's 《交强险费率浮动告知单》 and a 年检 date read off the 行驶证 that overrides
the rule table. Each is an append-only event (float_notice, inspection_override) written with its
outbox change and an audit entry in one transaction (DESIGN §6), so every counter sees it.
"""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.engine import Engine

from desktop.core.premium import PremiumError, parse_coefficient
from desktop.core.timeutil import CST, DateParseError, cst_date, parse_start
from desktop.store import audit

from .auth import StaffSession, require
from .errors import BadInput
from .event_log import write_event
from .one_vehicle import bundle

# 交强险 floats from −50% (region A, three clean years) to +30% (a fatal at-fault accident).
COEF_MIN, COEF_MAX = Decimal("0.5"), Decimal("1.3")
REASON_MAX = 100


def parse_float_coefficient(raw: str) -> Decimal:
    """"0.9", "0,9", "-10%" or "−10%" → Decimal("0.9"); a Chinese message otherwise."""
    text = (raw or "").strip().replace("，", ".").replace(",", ".").replace("−", "-").replace("％", "%")
    if not text:
        raise BadInput("请填写告知单上的浮动系数，例如 0.9 或 -10%。")
    try:
        factor = parse_coefficient(text)
    except PremiumError:
        raise BadInput(f"浮动系数「{raw[:12]}」不对：请照告知单填写，例如 0.9（下浮 10%）或 -10%。") from None
    if not COEF_MIN <= factor <= COEF_MAX:
        raise BadInput(f"浮动系数 {factor.normalize()} 不在 {COEF_MIN} 到 {COEF_MAX} 之间（交强险最多下浮 50%、"
                       "上浮 30%）。请核对告知单：系数一般印成 0.9、0.7、1.1 这样的数。")
    return factor.normalize() if factor != factor.to_integral() else factor.quantize(Decimal("0.0"))


def record_float_notice(engine: Engine, session: StaffSession, vehicle_id: str, raw: str,
                        note: str | None = None, now: datetime | None = None) -> Decimal:
    """The customer showed the 浮动告知单: the next premium estimate uses its coefficient."""
    require(session, "clerk")
    factor = parse_float_coefficient(raw)
    bundle(engine, vehicle_id, with_events=False)  # BadInput when it is gone
    now = now or datetime.now(CST)
    with engine.begin() as conn:
        write_event(conn, "float_notice", vehicle_id, {"coefficient": str(factor)}, (note or "").strip()[:REASON_MAX],
                    session.name, now)
        audit.append(conn, "float_notice", session.name, vehicle_id, {"coefficient": str(factor)})
    return factor


_MONTH_ONLY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:底)?$")


def parse_due(raw: str, today: date) -> date:
    """检验有效期至: a day, or a month as the 行驶证 prints it ("2027年03月" = that month's last day)."""
    text = (raw or "").strip()
    month = _MONTH_ONLY.match(text)
    try:
        if month and 1 <= int(month.group(2)) <= 12:
            y, m = int(month.group(1)), int(month.group(2))
            due = date(y, m, calendar.monthrange(y, m)[1])
        else:
            due = cst_date(parse_start(text))
    except (DateParseError, ValueError):
        raise BadInput(f"年检日期「{(raw or '')[:20]}」无法识别：请按行驶证副页的“检验有效期至”填写，"
                       "例如 2027-03-31 或 2027年3月。") from None
    if not (today.replace(year=today.year - 2, day=1) <= due <= today.replace(year=today.year + 10, day=1)):
        raise BadInput(f"年检日期 {due.isoformat()} 离今天太远（应在两年前到十年后之间），请核对行驶证副页。")
    return due


def override_inspection(engine: Engine, session: StaffSession, vehicle_id: str, raw_due: str, reason: str,
                        now: datetime | None = None) -> date:
    """A 年检 date from the 行驶证 (检验有效期至) wins over the rule table from now on."""
    require(session, "clerk")
    now = now or datetime.now(CST)
    due = parse_due(raw_due, cst_date(now))
    reason = (reason or "").strip()
    if not reason:
        raise BadInput("请写明更正年检日期的依据，例如“按行驶证副页”。")
    if len(reason) > REASON_MAX:
        raise BadInput(f"依据太长（{len(reason)} 字），请控制在 {REASON_MAX} 字以内。")
    bundle(engine, vehicle_id, with_events=False)  # BadInput when it is gone
    with engine.begin() as conn:
        write_event(conn, "inspection_override", vehicle_id, {"due": due.isoformat(), "reason": reason}, None,
                    session.name, now)
        audit.append(conn, "inspection_override", session.name, vehicle_id, {"due": due.isoformat()})
    return due
