"""One data row → ParsedRow (vehicle, customer, terms, warnings) or RejectedRow (DESIGN §7).

A row is rejected for a bad identifier or date, or when it lacks what a record needs (a plate or
a VIN; for a term its kind and end). Everything else that is empty is simply unknown. Reasons are
Chinese; values in reasons are masked per field (ID 前6后4, phone 前3后4, name 张**).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core import masking
from desktop.core.identifiers import (
    IdentifierError,
    check_id_number,
    check_phone,
    check_plate,
    check_vin,
    normalize_text,
)
from desktop.core.timeutil import DateParseError, cst_date, parse_end, parse_instant, parse_start
from desktop.io.headers import PER_TERM, HeaderInfo
from desktop.io.table_reader import AUTO, DATE, INSTANT

MSG_ID_NUMBER_CELL = "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出"
MSG_PHONE_SCI = "电话号码被 Excel 存成了科学计数法，后几位已丢失，请把该列设为文本后重新导出"
MSG_POLICY_NUMBER_CELL = "保单号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出"
MSG_NO_VEHICLE = "缺少车牌号和车架号：每行至少要有其中一个"
MSG_NO_END = "缺少保险止期（到期日）"
MSG_NO_KIND = "缺少险种：请填写 交强险 或 商业险"
MSG_MULTI_PHONE = "一格中有多个电话，只导入了第一个"
_SCI = re.compile(r"^\s*\d+(\.\d+)?[eE]\+?\d+\s*$")
_PHONE_SPLIT = re.compile(r"[/,，;；、\s]+|(?<=\d)\s*或\s*")
_MONEY_JUNK = re.compile(r"[,，\s¥￥元]|RMB", re.I)
# Terms outside these years are typing or serial mistakes (a year 2026 typed in a General cell
# reads as serial 2026 = 1905-07-18), not real 交强险 records.
_MIN_YEAR, _MAX_YEAR = 1990, 2100
_EXACT_FLOAT_DIGITS = 15  # a float keeps at most 15 significant decimal digits exactly
_MEMO_MAX = 4096  # identifier check outcomes remembered per sheet


@dataclass
class VehicleRec:
    plate: str | None
    vin: str | None
    registered: date | None = None


@dataclass
class CustomerRec:
    name: str | None
    phone: str | None
    id_number: str | None
    address: str | None = None


@dataclass
class TermRec:
    kind: str  # "CI" 交强险 | "BI" 商业险
    insurer: str | None
    policy_no: str | None
    start_at: datetime
    end_at: datetime  # exclusive
    premium: Decimal | None = None
    vehicle_tax: Decimal | None = None
    start_inferred: bool = False  # start was empty: end − 1 year (renewal convention)


@dataclass(frozen=True)
class RowWarning:
    row: int
    column: str | None
    message: str


Warning = RowWarning  # the name used in DESIGN/brief; RowWarning avoids shadowing the builtin


@dataclass
class ParsedRow:
    row: int
    vehicle: VehicleRec
    customer: CustomerRec | None
    terms: list[TermRec]
    warnings: list[RowWarning] = field(default_factory=list)


@dataclass
class RejectedRow:
    row: int
    column: str | None  # source header, None when the problem is the row as a whole
    value: str | None  # masked for personal fields
    reason: str
    raw: list[Any] = field(default_factory=list)


MAX_SHOWN = 60  # a rejected value is echoed in reports and on screen: a pasted essay is cut


def shown_value(value: str | None) -> str | None:
    """A rejected value as the report shows it: at most MAX_SHOWN characters, with its length."""
    if value is None or len(value) <= MAX_SHOWN:
        return value
    return f"{value[:MAX_SHOWN]}…（共 {len(value)} 字）"


class _Reject(Exception):
    def __init__(self, column: str | None, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


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
    s = " ".join(str(v).split())
    return s or None


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


_PER_TERM_SPEC = {"start": "start", "end": "end", "policy_no": "policy_no", "insurer": "insurer",
                  "premium": "premium"}
_CI_SPEC = {"start": "ci_start", "end": "ci_end", "policy_no": "ci_policy_no", "insurer": "ci_insurer"}
_BI_SPEC = {"start": "bi_start", "end": "bi_end", "policy_no": "bi_policy_no", "insurer": "bi_insurer",
            "premium": "bi_premium"}


class RowParser:
    """Parses data rows of one sheet once its header is known."""

    def __init__(self, info: HeaderInfo, kind_of: Callable[[int], str] | None = None) -> None:
        self.info = info
        self.kind_of = kind_of or (lambda _c: AUTO)
        self.col = info.fields  # field → column index
        self.per_term = info.layout == PER_TERM
        self._memo: dict[tuple[str, str], tuple[str, tuple[str, ...], str | None]] = {}
        ci = dict(_CI_SPEC, premium="premium") if not self.per_term else _CI_SPEC
        # A sheet without any column of a per-vehicle term is not asked for one on every row.
        self._vehicle_specs = [(kind, spec) for kind, spec in (("CI", ci), ("BI", _BI_SPEC))
                               if any(spec[f] in self.col for f in ("start", "end", "policy_no"))]

    def _hdr(self, fld: str) -> str | None:
        c = self.col.get(fld)
        return self.info.columns[c].header if c is not None else None

    def parse(self, row: int, values: Sequence[Any]) -> ParsedRow | RejectedRow | None:
        """None for an entirely empty row (skipped, not counted)."""
        if not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            return None
        warnings: list[RowWarning] = []
        try:
            return self._parse(row, values, warnings)
        except _Reject as r:
            return RejectedRow(row, r.column, shown_value(r.value), r.reason, list(values))

    def _get(self, values: Sequence[Any], fld: str) -> Any:
        c = self.col.get(fld)
        if c is None or c >= len(values):
            return None
        v = values[c]
        return None if isinstance(v, str) and not v.strip() else v

    def _parse(self, row: int, values: Sequence[Any], warnings: list[RowWarning]) -> ParsedRow:
        def warn(fld: str, msgs: Sequence[str]) -> None:
            warnings.extend(RowWarning(row, self._hdr(fld), m) for m in msgs)

        plate = self._ident(values, "plate", check_plate, lambda s: s, warn)
        vin = self._ident(values, "vin", check_vin, lambda s: s, warn)
        if plate is None and vin is None:
            raise _Reject(None, None, MSG_NO_VEHICLE)
        registered_raw = self._get(values, "registered")
        registered = None
        if registered_raw is not None:
            registered = cst_date(self._date(values, "registered", parse_start))
        vehicle = VehicleRec(plate, vin, registered)
        customer = self._customer(values, warn)
        terms = self._terms(values, warn)
        return ParsedRow(row, vehicle, customer, terms, warnings)

    # --- identifiers ----------------------------------------------------------------------------
    def _ident(self, values: Sequence[Any], fld: str, check: Callable[[str], Any], mask: Callable[[str], str],
               warn: Callable[[str, Sequence[str]], None]) -> str | None:
        text = _text(self._get(values, fld))
        return None if text is None else self._checked(text, fld, check, mask, warn)

    def _customer(self, values: Sequence[Any], warn: Callable[[str, Sequence[str]], None]) -> CustomerRec | None:
        name = _text(self._get(values, "owner"))
        if name is not None:
            name = unicodedata.normalize("NFKC", name)
        address = _text(self._get(values, "address"))
        phone = self._phone(values, warn)
        id_number = self._id_number(values, warn)
        if not any((name, phone, id_number, address)):
            return None
        return CustomerRec(name, phone, id_number, address)

    def _phone(self, values: Sequence[Any], warn: Callable[[str, Sequence[str]], None]) -> str | None:
        raw = self._get(values, "phone")
        if raw is None:
            return None
        if isinstance(raw, float) and not raw.is_integer():
            raise _Reject(self._hdr("phone"), masking.mask_phone(str(raw)), MSG_PHONE_SCI)
        text = _text(raw)
        assert text is not None
        if _SCI.match(text):
            raise _Reject(self._hdr("phone"), masking.mask_phone(text), MSG_PHONE_SCI)
        parts = [p for p in _PHONE_SPLIT.split(text) if p]
        # "010-1234 5678" splits on the space: only split when the pieces are whole numbers.
        if len(parts) > 1 and all(len(re.sub(r"\D", "", p)) >= 7 for p in parts):
            warn("phone", [MSG_MULTI_PHONE])
            text = parts[0]
        return self._checked(text, "phone", check_phone, masking.mask_phone, warn)

    def _id_number(self, values: Sequence[Any], warn: Callable[[str, Sequence[str]], None]) -> str | None:
        raw = self._get(values, "id_number")
        if raw is None:
            return None
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            # Only 15 digits survive a float exactly; an 18-digit ID in a number cell lost its tail.
            digits = str(int(raw)) if float(raw).is_integer() else ""
            if len(digits) != _EXACT_FLOAT_DIGITS:
                raise _Reject(self._hdr("id_number"), masking.mask_id(digits or str(raw)), MSG_ID_NUMBER_CELL)
            return self._checked(digits, "id_number", check_id_number, masking.mask_id, warn)
        return self._checked(str(raw), "id_number", check_id_number, masking.mask_id, warn)

    def _checked(self, text: str, fld: str, check: Callable[[str], Any], mask: Callable[[str], str],
                 warn: Callable[[str, Sequence[str]], None]) -> str:
        # Per-term exports repeat a vehicle's plate, VIN, ID and phone on each of its rows: remember
        # the last few thousand outcomes (the checks depend only on the text and the field).
        key = (fld, text)
        hit = self._memo.get(key)
        if hit is None:
            try:
                checked = check(text)
                hit = (checked.value, tuple(checked.warnings), None)
            except IdentifierError as e:
                hit = ("", (), e.message)
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()
            self._memo[key] = hit
        value, warnings, error = hit
        if error is not None:
            # A phone is masked in its normal form (前3后4 of the number, not of "+86 …").
            shown = _phone_number_part(text) if fld == "phone" else text.strip()
            raise _Reject(self._hdr(fld), mask(shown), error)
        if warnings:
            warn(fld, warnings)
        return value

    # --- terms ----------------------------------------------------------------------------------
    def _date(self, values: Sequence[Any], fld: str, parse: Callable[[Any], datetime]) -> datetime:
        raw = self._get(values, fld)
        try:
            at = parse(_date_input(raw, self.kind_of(self.col[fld])))
        except DateParseError as e:
            raise _Reject(self._hdr(fld), _text(raw), e.message) from None
        if not _MIN_YEAR <= at.year <= _MAX_YEAR and fld != "registered":
            raise _Reject(self._hdr(fld), _text(raw), f"日期「{_text(raw)}」不合理（{at.date()}），请检查")
        return at

    def _terms(self, values: Sequence[Any], warn: Callable[[str, Sequence[str]], None]) -> list[TermRec]:
        terms: list[TermRec] = []
        if self.per_term:
            kind_raw = self._get(values, "kind")
            if kind_raw is None:
                if any(self._get(values, f) is not None for f in ("start", "end", "policy_no")):
                    raise _Reject(self._hdr("kind"), None, MSG_NO_KIND)
            else:
                kinds = parse_kinds(kind_raw)
                if kinds is None:
                    raise _Reject(self._hdr("kind"), _text(kind_raw),
                                  f"险种「{_text(kind_raw)}」无法识别：应为 交强险 或 商业险")
                for k in kinds:
                    terms.append(self._term(values, k, _PER_TERM_SPEC, warn))
        for kind, spec in self._vehicle_specs:  # only the per-vehicle columns this sheet has
            if any(self._get(values, f) is not None for f in (spec["start"], spec["end"], spec["policy_no"])):
                terms.append(self._term(values, kind, spec, warn))
        return terms

    def _term(self, values: Sequence[Any], kind: str, spec: dict[str, str],
              warn: Callable[[str, Sequence[str]], None]) -> TermRec:
        end_f, start_f = spec["end"], spec["start"]
        if self._get(values, end_f) is None:
            label = "交强险" if kind == "CI" else "商业险"
            column = self._hdr(end_f)
            raise _Reject(column, None, MSG_NO_END if column or self.per_term else f"缺少{label}止期（到期日）")
        end_at = self._date(values, end_f, parse_end)
        inferred = self._get(values, start_f) is None
        if inferred:
            try:
                start_at = end_at.replace(year=end_at.year - 1)
            except ValueError:  # 29 Feb
                start_at = end_at.replace(year=end_at.year - 1, day=28)
        else:
            start_at = self._date(values, start_f, parse_start)
            if end_at <= start_at:
                raise _Reject(self._hdr(end_f), _text(self._get(values, end_f)), "保险止期早于或等于起期，请检查")
        insurer = _text(self._get(values, spec["insurer"])) or _text(self._get(values, "insurer"))
        policy_no = self._policy_no(values, spec["policy_no"])
        premium = self._money(values, spec.get("premium"), warn)
        tax = self._money(values, "vehicle_tax", warn) if kind == "CI" else None
        return TermRec(kind, insurer, policy_no, start_at, end_at, premium, tax, inferred)

    def _policy_no(self, values: Sequence[Any], fld: str) -> str | None:
        raw = self._get(values, fld)
        if isinstance(raw, float) and (not raw.is_integer() or abs(raw) >= 10 ** _EXACT_FLOAT_DIGITS):
            raise _Reject(self._hdr(fld), _text(raw), MSG_POLICY_NUMBER_CELL)
        text = _text(raw)
        if text is None:
            return None
        if _SCI.match(text):
            raise _Reject(self._hdr(fld), text, MSG_POLICY_NUMBER_CELL)
        return "".join(unicodedata.normalize("NFKC", text).split()).upper()

    def _money(self, values: Sequence[Any], fld: str | None,
               warn: Callable[[str, Sequence[str]], None]) -> Decimal | None:
        if fld is None:
            return None
        raw = self._get(values, fld)
        try:
            return _money(raw)
        except ValueError:
            # A bad amount is not worth losing the renewal date over: keep the row, say so.
            warn(fld, [f"金额「{_text(raw)}」无法识别，已留空"])
            return None
