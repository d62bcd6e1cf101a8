"""Single-cell readers of an import row (desktop.io.rows): a cell value as text, money, a 险种 or
the input a date parser takes. Each depends only on the cell (and the column's kind).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.identifiers import normalize_text
from desktop.core.timeutil import parse_instant
from desktop.io.column_kinds import DATE, INSTANT

_MONEY_JUNK = re.compile(r"[,，\s¥￥元]|RMB", re.I)


def parse_kinds(value: Any) -> tuple[str, ...] | None:
    """险种 cell → ("CI",), ("BI",), ("CI", "BI") for 交商同保, or None if unrecognised."""
    s = unicodedata.normalize("NFKC", str(value)).strip().upper()
    ci = "交强" in s or "强制" in s or s in {"CI", "JQX", "TCI"}
    bi = ("商业" in s or s in {"BI", "SYX", "VCI"} or "交商" in s
          or any(w in s for w in ("车损", "三者", "第三者", "车上人员", "盗抢", "划痕", "玻璃", "不计免赔", "自燃")))
    if "交商" in s:
        ci = True
    if ci and bi:
        return ("CI", "BI")
    if ci:
        return ("CI",)
    if bi:
        return ("BI",)
    return None


def _text(v: Any) -> str | None:
    if v.__class__ is not str:  # most cells are text: none of these checks applies to it
        if v is None:
            return None
        if isinstance(v, bool):
            return str(v)
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, datetime):
            return v.isoformat(sep=" ")
        if isinstance(v, date):
            return v.isoformat()
        v = str(v)
    if v.isprintable() and " " not in v:  # no whitespace at all (every other kind is unprintable)
        return v or None
    v = " ".join(v.split())
    return v or None


def _money(v: Any) -> Decimal | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return Decimal(str(round(v, 2)))
    s = _MONEY_JUNK.sub("", unicodedata.normalize("NFKC", str(v)))
    try:
        return Decimal(s) if s else None
    except InvalidOperation:
        raise ValueError(s) from None


def _date_input(v: Any, kind: str) -> Any:
    """Apply the column's kind (DESIGN §3) before timeutil sees the value."""
    if isinstance(v, str):
        return v  # the text itself shows whether there is a time
    if kind == DATE:
        if isinstance(v, datetime):
            return v.date()  # the format hides the time: the cell shows a calendar day
        if isinstance(v, int | float) and not isinstance(v, bool):
            return int(v)
    if kind == INSTANT:
        if isinstance(v, date) and not isinstance(v, datetime):
            return datetime.combine(v, time())  # calamine's "date" for a midnight instant
        if isinstance(v, int | float) and not isinstance(v, bool):
            return parse_instant(v)
    return v


def _phone_number_part(text: str) -> str:
    t = normalize_text(text)
    for prefix in ("+86", "0086"):
        if t.startswith(prefix):
            return t[len(prefix):]
    return t


def _money_or_warning(raw: Any, found: list[str]) -> Decimal | None:
    try:
        return _money(raw)
    except ValueError:
        # A bad amount is not worth losing the renewal date over: keep the row, say so.
        found.append(f"金额「{_text(raw)}」无法识别，已留空")
        return None
