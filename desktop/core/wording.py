"""Chinese wording of a status for screen, slip, letter and export — one source of phrasing.

Status is never shown by colour alone (domain-rules §8): every label has a text symbol.
Symbols: ✔ ✖ ▲ ○ ？ were checked to be in WenQuanYi Micro Hei (the font we ship, chosen for its
clean PDF text layer), and ▲ ○ ？ are also in GB2312, so every CJK font renders them.
✔/✖ (Dingbats) were preferred over GB2312's √/× because they stay legible in large print for
elderly readers; an emoji such as ⏰ is not in WQY and would print as a box.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from desktop.core.status import ACTIVE, DUE, LAPSED, NONE, PENDING, RENEWED, CoverageStatus, Gap
from desktop.core.timeutil import to_cst

STATUS_LABEL: dict[str, str] = {
    ACTIVE: "有效",
    DUE: "可续保",
    RENEWED: "已续保",
    LAPSED: "已脱保",
    PENDING: "未生效",
    NONE: "无记录",
}

STATUS_SYMBOL: dict[str, str] = {
    ACTIVE: "✔",
    DUE: "▲",  # a warning: renewal is open, act now
    RENEWED: "✔✔",
    LAPSED: "✖",
    PENDING: "○",  # a cover exists but has not begun
    NONE: "？",  # we know nothing, not "uninsured"
}


def cn_date(d: date) -> str:
    """2026年12月31日 (no zero padding: how dates are written on Chinese policies)."""
    return f"{d.year}年{d.month}月{d.day}日"


def end_date_phrase(d: date, end_at: datetime | None = None) -> str:
    """The last covered day, with the 24:00 convention spelled out so nobody drives on the next day.

    A cover bought with 即时生效 ends at the time of day it began: then that time is printed
    ("2026年12月1日 9:00 止"), since "当日24时止" would promise hours that are not covered.
    """
    if end_at is not None:
        end = to_cst(end_at)
        if (end.hour, end.minute, end.second) != (0, 0, 0):
            return f"{cn_date(d)} {end.hour}:{end.minute:02d} 止"
    return f"{cn_date(d)}（当日24时止）"


def ci_end_phrase(st: CoverageStatus) -> str:
    """end_date_phrase for the 交强险 end of a status (empty when there is none)."""
    if st.ci_end_date is None:
        return ""
    return end_date_phrase(st.ci_end_date, st.source_term.end_at if st.source_term else None)


def days_phrase(st: CoverageStatus) -> str:
    """One short line about the remaining or lapsed days (e.g. "还有 23 天到期")."""
    if st.status == RENEWED and st.ci_end_date is not None:
        return f"已续保，保障至 {cn_date(st.ci_end_date)}"
    if st.status in (ACTIVE, DUE) and st.days_left is not None:
        if st.days_left == 0:
            return "今天是最后一天"
        return f"还有 {st.days_left} 天到期"
    if st.status == LAPSED and st.days_left is not None:
        return f"已脱保 {-st.days_left} 天"
    if st.status == PENDING:
        return "尚未生效"
    return "没有交强险记录"


def _md(d: date) -> str:
    return f"{d.month} 月 {d.day} 日"


def coming_gap(st: CoverageStatus) -> Gap | None:
    """The hole between the cover running now and the next one (a gap that has not begun)."""
    if st.status not in (ACTIVE, DUE) or st.next_start_date is None or st.ci_end_date is None:
        return None
    return next((g for g in st.gaps if st.ci_end_date <= g.from_date and g.to_date <= st.next_start_date), None)


def next_start_warning(st: CoverageStatus, short: bool = False) -> str | None:
    """What the next cover means for driving, or None if no next start.

    No cover now (lapsed, not yet begun): "新保单 1 月 5 日生效，生效前不得上路" (with the time for
    an 即时生效 start). Covered now with a later cover after a hole: the car may be driven today, so
    say when this cover ends and which days are uncovered (a coming gap), never "do not drive".
    `short` (a compact slip): "新保单 12 月 6 日 15:00 生效前不得上路", the same facts in one key-size
    line of an A5 band, where the long form with a time wrapped a lone "上路" onto a line of its own.
    """
    if st.next_start_at is None:
        return None
    t = to_cst(st.next_start_at)
    when = _md(t.date())
    if (t.hour, t.minute, t.second) != (0, 0, 0):
        when += f" {t.hour:02d}:{t.minute:02d} "
    gap = coming_gap(st)
    if gap is not None:
        days = f"{_md(gap.from_date)}至{_md(gap.to_date)}" if gap.days > 1 else _md(gap.from_date)
        return (f"现保单保到 {ci_end_phrase(st)}，新保单 {when}生效：{days}（共 {gap.days} 天）没有保障，"
                f"这几天不得上路")
    return f"新保单 {when}生效前不得上路" if short else f"新保单 {when}生效，生效前不得上路"


def lapse_consequences(fine_example_yuan: Decimal | None = None) -> list[str]:
    """Why a lapse matters (domain-rules §2). Nothing unconfirmed: the no-claim-discount reset is
    left out on purpose. The example fine comes from the rate tables (premium.lapse_fine_example,
    loaded by the caller); without it the rule is stated without an example. A fresh list each
    call so a caller may edit its copy."""
    fine = "罚款为应缴保费的 2 倍"
    if fine_example_yuan is not None:
        fine += f"（举例：家庭自用 6 座以下汽车约 {int(fine_example_yuan):,} 元）"
    return [
        "没有交强险的车辆不得上路行驶。",
        "被查到会扣留车辆，直到依法投保后才放行。",
        fine + "。",
        "没有交强险，车辆不能办理登记，也不能通过年检。",
    ]


def yuan_text(amount: Decimal) -> str:
    """An amount of yuan as printed: 360, 950.50. A sheet's number cell is stored as "360.0"."""
    if amount == amount.to_integral_value():
        return f"{amount.quantize(Decimal(1)):f}"
    return f"{amount.quantize(Decimal('0.01')):f}"
