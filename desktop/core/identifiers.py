"""Validation and normalisation of plates, VINs, resident IDs and phone numbers.

Rules: shared/reference/domain-rules.md §5. Every entry point (counter form,
import, lookup) goes through these functions so that one spelling is stored.

Privacy: an ``IdentifierError`` message names the position, the length or the
kind of fault, never the offending value itself, because messages end up in
logs, audit trails and import reports.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from operator import mul

__all__ = [
    "PROVINCES", "ENERGY_LETTERS", "PLATE_LETTERS", "PLATE_SUFFIXES", "VIN_CHARS",
    "IdentifierError", "Checked", "normalize_text",
    "check_plate", "check_vin", "vin_check_digit",
    "check_id_number", "id_check_char", "check_mobile", "check_phone",
]

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
# I and O are never issued on plates: they read as 1 and 0.
PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"
PLATE_SERIAL = PLATE_LETTERS + DIGITS
PLATE_SUFFIXES = "挂学警港澳"
ENERGY_LETTERS = "DABCEFGHJK"
VIN_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"

_CST = timezone(timedelta(hours=8))


class IdentifierError(ValueError):
    """A rejected identifier. ``message`` is Chinese and says how to fix it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Checked:
    value: str
    warnings: tuple[str, ...] = ()


# --- normalisation -----------------------------------------------------------

# Separators people type (or paste from Word/WeChat) inside identifiers.
_DROP = " \t\r\n\u00a0\u3000·•・･．.‧∙⋅\u2027-－—–‐‑‒―−﹣"
# (full-width look-alikes in _DROP are dropped outright rather than mapped.)
_TABLE: dict[int, str | None] = {ord(c): None for c in _DROP}
# Full-width ASCII block FF01–FF5E maps 1:1 onto 0021–007E.
_TABLE.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F) if chr(cp) not in _DROP})


def normalize_text(s: str) -> str:
    """Full-width → half-width, upper-case, drop spaces, middle dots and dashes."""
    if not s:
        return ""
    # str.split() splits on exactly the characters str.isspace() accepts, in C.
    return "".join(s.translate(_TABLE).upper().split())


# --- plates ------------------------------------------------------------------

_SERIAL_MSG = "车牌第{n}位应为数字或字母（不含 I、O），请检查"
_IO_MSG = "车牌第{n}位不能是字母 I 或 O（易与数字 1、0 混淆），请改为数字或其他字母"
_DIPLOMATIC_WARNING = "使馆/领馆车牌，按人工例外受理，请核对行驶证"


def _plate_error(msg: str) -> IdentifierError:
    return IdentifierError(msg, "plate")


def _check_serial_char(ch: str, n: int) -> None:
    if ch in PLATE_SERIAL:
        return
    raise _plate_error(_IO_MSG.format(n=n) if ch in "IO" else _SERIAL_MSG.format(n=n))


def _check_digits(s: str, first_pos: int, what: str) -> None:
    for i, ch in enumerate(s):
        if ch not in DIGITS:
            raise _plate_error(f"{what}第{first_pos + i}位应为数字，请检查")


def _diplomatic(p: str) -> bool:
    # 使 plates carry no province (e.g. 123456使 or 使123456); 领 plates look like 沪A1234领.
    if len(p) == 7 and ("使" in (p[0], p[-1])):
        body = p[1:] if p[0] == "使" else p[:-1]
        return body.isascii() and body.isdigit()
    if len(p) == 7 and p[-1] == "领" and p[0] in PROVINCES:
        return all(c in PLATE_SERIAL for c in p[1:6])
    return False


def check_plate(s: str) -> Checked:
    p = normalize_text(s or "")
    if not p:
        raise _plate_error("车牌号不能为空，请输入完整车牌（如 京A12345）")
    if _diplomatic(p):
        return Checked(p, (_DIPLOMATIC_WARNING,))
    if p[0] not in PROVINCES:
        raise _plate_error("车牌第1位应为省份简称（如 京、粤），请检查")
    if len(p) not in (7, 8):
        raise _plate_error(f"车牌长度应为7位（新能源8位），现为{len(p)}位")
    if p[1] not in PLATE_LETTERS:
        raise _plate_error("车牌第2位应为字母，且不能是 I 或 O")
    if len(p) == 7:
        for i in range(2, 6):
            _check_serial_char(p[i], i + 1)
        if p[6] not in PLATE_SERIAL and p[6] not in PLATE_SUFFIXES:
            if p[6] in "IO":
                raise _plate_error(_IO_MSG.format(n=7))
            raise _plate_error("车牌第7位应为数字、字母（不含 I、O）或 挂/学/警/港/澳")
        return Checked(p)
    # 8 characters: 应急 or new energy.
    if p.endswith("应急"):
        for i in range(2, 6):
            _check_serial_char(p[i], i + 1)
        return Checked(p)
    if "应" in p[6:] or "急" in p[6:]:
        raise _plate_error("应急车牌应以“应急”两字结尾（如 京A1234应急），请检查")
    if p[2] in DIGITS:
        # Large new-energy vehicles: 5 digits then the energy letter.
        _check_digits(p[2:7], 3, "大型新能源车牌")
        if p[7] not in ENERGY_LETTERS:
            raise _plate_error("大型新能源车牌第8位应为能源字母（D A B C E F G H J K），请检查")
        return Checked(p)
    if p[2] not in ENERGY_LETTERS:
        raise _plate_error(
            "新能源车牌第3位应为能源字母（D A B C E F G H J K）或数字（大型车），请检查"
        )
    if p[3] not in PLATE_SERIAL:
        raise _plate_error(_IO_MSG.format(n=4) if p[3] in "IO" else
                           "新能源车牌第4位应为数字或字母（不含 I、O），请检查")
    _check_digits(p[4:8], 5, "新能源车牌")
    return Checked(p)


# --- VIN -------------------------------------------------------------------

_VIN_VALUE = {**{d: int(d) for d in DIGITS},
              **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
              **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def _vin_error(msg: str) -> IdentifierError:
    return IdentifierError(msg, "vin")


_VIN_SHAPE = re.compile(r"[A-HJ-NPR-Z0-9]{17}")  # the allowed characters (no I, O, Q), 17 of them


def _vin_chars(v: str) -> None:
    if _VIN_SHAPE.fullmatch(v):
        return  # the common case, in C; the loop below only finds what to say about a bad one
    if len(v) != 17:
        raise _vin_error(f"车架号（VIN）应为17位，现为{len(v)}位，请对照行驶证逐位核对")
    for i, ch in enumerate(v, 1):
        if ch in "IOQ":
            hint = "数字 0" if ch in "OQ" else "数字 1"
            raise _vin_error(f"车架号第{i}位是字母 {ch}，车架号中不使用 I、O、Q，可能应为{hint}")
        if ch not in _VIN_VALUE:
            raise _vin_error(f"车架号第{i}位含有不允许的字符，只能是数字和字母（不含 I、O、Q）")


def vin_check_digit(vin: str) -> str:
    """The check character (position 9) for a 17-character VIN; its own 9th char is ignored."""
    v = normalize_text(vin)
    _vin_chars(v)
    return _vin_digit(v)


def _vin_digit(v: str) -> str:
    """The check character of a VIN already normalised and checked by _vin_chars."""
    r = sum(map(mul, map(_VIN_VALUE.__getitem__, v), _VIN_WEIGHTS)) % 11
    return "X" if r == 10 else str(r)


def check_vin(s: str) -> Checked:
    v = normalize_text(s or "")
    if not v:
        raise _vin_error("车架号（VIN）不能为空")
    _vin_chars(v)
    if _vin_digit(v) == v[8]:
        return Checked(v)
    if v[0] == "L":
        raise _vin_error("车架号校验位（第9位）不符，国产车必须通过校验，请对照行驶证逐位核对")
    return Checked(v, ("进口车架号校验位（第9位）不符，已按人工例外受理，请核对行驶证",))


# --- resident ID --------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Excel turns long numbers into 1.10105E+17: the digits are gone, so never guess.
_SCI = re.compile(r"^\d+(\.\d+)?E\+?\d+$")


def _id_error(msg: str) -> IdentifierError:
    return IdentifierError(msg, "id_number")


def id_check_char(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise _id_error("计算校验位需要身份证号码前17位数字")
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def _today() -> date:
    return datetime.now(_CST).date()


def _check_birth(ymd: str, today: date) -> None:
    try:
        born = date(int(ymd[:4]), int(ymd[4:6]), int(ymd[6:8]))
    except ValueError:
        raise _id_error("身份证第7–14位出生日期不存在（月份或日期无效），请检查") from None
    if born.year < 1900:
        raise _id_error("身份证出生年份早于1900年，请检查第7–10位") from None
    if born > today:
        raise _id_error("身份证出生日期晚于今天，请检查第7–14位")


def check_id_number(s: str, *, today: date | None = None) -> Checked:
    """Return the 18-character form. ``today`` is for tests; defaults to today in CST."""
    raw = (s or "").strip()
    if _SCI.match(raw.upper().replace(" ", "")):
        raise _id_error("身份证号码被 Excel 存成了科学计数法，数字已丢失；请把该列设为文本后重新录入")
    v = normalize_text(raw)
    if not v:
        raise _id_error("身份证号码不能为空")
    today = today or _today()
    warnings: tuple[str, ...] = ()
    if len(v) == 15:
        for i, ch in enumerate(v, 1):
            if ch not in DIGITS:
                raise _id_error(f"15位旧身份证号码第{i}位应为数字，请检查")
        _check_birth("19" + v[6:12], today)
        first17 = v[:6] + "19" + v[6:]
        return Checked(first17 + id_check_char(first17), warnings)
    if len(v) != 18:
        raise _id_error(f"身份证号码应为18位（旧证15位），现为{len(v)}位")
    if not (v[:17].isascii() and v[:17].isdigit()):
        for i, ch in enumerate(v[:17], 1):
            if ch not in DIGITS:
                raise _id_error(f"身份证号码第{i}位应为数字，请检查")
    if v[17] not in DIGITS and v[17] != "X":
        raise _id_error("身份证号码第18位应为数字或 X，请检查")
    _check_birth(v[6:14], today)
    if id_check_char(v[:17]) != v[17]:
        raise _id_error("身份证号码校验位（第18位）不符，请对照证件逐位核对")
    return Checked(v, warnings)


# --- phones --------------------------------------------------------------------

_LANDLINE = re.compile(r"^(0\d{2,3})-?(\d{7,8})(?:(?:-|转|EXT\.?|#|X|,)(\d{1,6}))?$")
_DASHES = "-－—–‐‑‒―−﹣"
_KEEP_DASH = {**_TABLE, **{ord(c): "-" for c in _DASHES}}
_LANDLINE_WARNING = "座机号码，无法发短信"


def _phone_error(msg: str) -> IdentifierError:
    return IdentifierError(msg, "phone")


def _prepare_phone(s: str) -> str:
    raw = (s or "").strip()
    # A phone stored as an Excel number comes back as "13812345678.0".
    if raw.endswith(".0") and raw[:-2].isdigit():
        raw = raw[:-2]
    v = normalize_text(raw).replace("(", "").replace(")", "")
    for prefix in ("+86", "0086"):
        if v.startswith(prefix):
            return v[len(prefix):]
    return v


def _mobile(v: str) -> Checked:
    if not v:
        raise _phone_error("手机号不能为空")
    if not (v.isascii() and v.isdigit()):
        raise _phone_error("手机号只能包含数字（可带 +86 前缀），请检查")
    if len(v) != 11:
        raise _phone_error(f"手机号应为11位，现为{len(v)}位")
    if v[0] != "1":
        raise _phone_error("手机号第1位应为1，请检查")
    if v[1] not in "3456789":
        raise _phone_error("手机号第2位应为3–9，请检查")
    return Checked(v)


def check_mobile(s: str) -> Checked:
    return _mobile(_prepare_phone(s))


def check_phone(s: str) -> Checked:
    """A mobile, or a landline with area code (passes with a warning)."""
    v = _prepare_phone(s)
    if not v or v[0] == "1" or (v[0] != "0" and not (v.isascii() and v.isdigit())):
        return _mobile(v)
    if v[0] != "0":
        if 7 <= len(v) <= 8:
            raise _phone_error("座机号码请带区号（0 开头，如 010、0755），请补全")
        raise _phone_error("电话应为手机号（1开头11位）或带区号的座机（0开头），请检查")
    # Normalise again but keep dashes: "010-12345678-123" has an extension that
    # plain normalisation would glue onto the number.
    dashed = (s or "").strip().translate(_KEEP_DASH).upper().replace("(", "").replace(")", "")
    dashed = "".join(ch for ch in dashed if not ch.isspace())
    m = _LANDLINE.match(dashed) or _LANDLINE.match(v)
    if not m:
        raise _phone_error("座机号码应为 0+区号+7–8位号码（如 010 加 8 位号码），请检查")
    value = m.group(1) + m.group(2) + (f"转{m.group(3)}" if m.group(3) else "")
    return Checked(value, (_LANDLINE_WARNING,))
