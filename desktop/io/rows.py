"""One data row → ParsedRow (vehicle, customer, terms, warnings) or RejectedRow (DESIGN §7).

A row is rejected for a bad identifier or date, or when it lacks what a record needs (a plate or
a VIN; for a term its kind and end). Everything else that is empty is simply unknown; a 使用性质 /
座位数 that fixes no class is a warning (the row imports without them). Reasons are
Chinese; values in reasons are masked per field (ID 前6后4, phone 前3后4, name 张**).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from desktop.core import masking, vehicle_use
from desktop.core.errors import BadInput
from desktop.core.identifiers import (
    IdentifierError,
    check_id_number,
    check_phone,
    check_plate,
    check_vin,
)
from desktop.core.timeutil import CST, DateParseError, cst_date, parse_end, parse_start
from desktop.io.cell_values import (  # noqa: F401 (parse_kinds: part of this module's interface)
    _date_input,
    _money_or_warning,
    _phone_number_part,
    _text,
    parse_kinds,
)
from desktop.io.column_kinds import AUTO
from desktop.io.headers import PER_TERM, HeaderInfo
from desktop.io.row_records import (  # noqa: F401 (the records are this module's interface)
    CUSTOMER_TEXT_MAX,
    MAX_SHOWN,
    TERM_TEXT_MAX,
    CustomerRec,
    ParsedRow,
    RejectedRow,
    RowWarning,
    TermRec,
    VehicleRec,
    Warning,
    shown_value,
)
from desktop.logs import scrub

MSG_ID_NUMBER_CELL = "身份证号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出"
MSG_PHONE_SCI = "电话号码被 Excel 存成了科学计数法，后几位已丢失，请把该列设为文本后重新导出"
MSG_POLICY_NUMBER_CELL = "保单号被 Excel 存成了数字，后几位已丢失，请把该列设为文本后重新导出"
MSG_NO_VEHICLE = "缺少车牌号和车架号：每行至少要有其中一个"
MSG_MASKED_NAME = "姓名是脱敏后的（含 *），不是完整姓名：请从原系统导出完整姓名，不要导入本系统导出的脱敏表"
MSG_NO_END = "缺少保险止期（到期日）"
MSG_NO_KIND = "缺少险种：请填写 交强险 或 商业险"
MSG_MULTI_PHONE = "一格中有多个电话，只导入了第一个"
MSG_USE_WITHOUT_SEATS = "载客汽车还要有座位数（核定载人数）：本行的使用性质没有导入，请在车辆卡片上按行驶证录入"
MSG_CLASS_ON_CARD = "本行的使用性质和座位数没有导入（车辆和保单照常导入），请在车辆卡片上选定使用性质、填写座位数"
_UNREAD = object()  # a 座位数 cell that is no number of seats (warned): the row's class stays unknown
_SCI = re.compile(r"^\s*\d+(\.\d+)?[eE]\+?\d+\s*$")
_PHONE_SPLIT = re.compile(r"[/,，;；、\s]+|(?<=\d)\s*或\s*")
# Terms outside these years are typing or serial mistakes (a year 2026 typed in a General cell
# reads as serial 2026 = 1905-07-18), not real 交强险 records.
_MIN_YEAR, _MAX_YEAR = 1990, 2100
_EXACT_FLOAT_DIGITS = 15  # a float keeps at most 15 significant decimal digits exactly
_MEMO_MAX = 16384  # field outcomes remembered per sheet (RowParser._field)


class _Reject(Exception):
    def __init__(self, column: str | None, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


_PER_TERM_SPEC = {"start": "start", "end": "end", "policy_no": "policy_no", "insurer": "insurer",
                  "premium": "premium"}
_CI_SPEC = {"start": "ci_start", "end": "ci_end", "policy_no": "ci_policy_no", "insurer": "ci_insurer"}
_BI_SPEC = {"start": "bi_start", "end": "bi_end", "policy_no": "bi_policy_no", "insurer": "bi_insurer",
            "premium": "bi_premium"}


class RowParser:
    """Parses data rows of one sheet once its header is known.

    Each field's outcome depends only on its cell (and the column's kind, fixed per sheet), and
    exports repeat values a lot (a vehicle's plate, VIN, owner and phone on each of its term rows;
    a few hundred distinct dates and insurers in 10⁵ rows): outcomes are remembered per (field,
    cell), errors included, so a repeated cell costs one dict look-up."""

    def __init__(self, info: HeaderInfo, kind_of: Callable[[int], str] | None = None) -> None:
        self.info = info
        self.kind_of = kind_of or (lambda _c: AUTO)
        self.col = info.fields  # field → column index
        self._cols = sorted(self.col.items(), key=lambda fc: fc[1])
        self._kinds = {f: self.kind_of(c) for f, c in self.col.items()}
        self.per_term = info.layout == PER_TERM
        self._memo: dict[tuple, tuple[Any, tuple[str, ...], tuple | None]] = {}
        self._classes: dict[tuple[str, int | None], str | None] = {}  # (use code, seats) → class name
        self._today = cst_date(datetime.now(CST))  # the rate table in force (uses, classes)
        ci = dict(_CI_SPEC, premium="premium") if not self.per_term else _CI_SPEC
        # A sheet without any column of a per-vehicle term is not asked for one on every row.
        self._vehicle_specs = [(kind, spec) for kind, spec in (("CI", ci), ("BI", _BI_SPEC))
                               if any(spec[f] in self.col for f in ("start", "end", "policy_no"))]

    def _hdr(self, fld: str) -> str | None:
        c = self.col.get(fld)
        return self.info.columns[c].header if c is not None else None

    def parse(self, row: int, values: Sequence[Any]) -> ParsedRow | RejectedRow | None:
        """None for an entirely empty row (skipped, not counted)."""
        cells = self._cells(values)
        if not cells and not any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            return None
        warnings: list[RowWarning] = []
        try:
            return self._parse(row, cells, warnings)
        except _Reject as r:
            # A value is masked by its column (联系电话, 证件号码…); a mobile or an ID number in another
            # column (shifted columns: a phone under 保险止期 or 车牌号) is masked by its shape, in the
            # value and in the reason quoting it, wherever the report is shown.
            return RejectedRow(row, r.column, shown_value(_shapes_masked(r.value)), _shapes_masked(r.reason),
                               list(values))

    def _cells(self, values: Sequence[Any]) -> dict[str, Any]:
        """field → cell value of one row, for the mapped, non-empty cells only."""
        n = len(values)
        cells = {}
        for fld, c in self._cols:
            if c >= n:
                break
            v = values[c]
            if v is not None and (v.__class__ is not str or v.strip()):
                cells[fld] = v
        return cells

    def _field(self, cells: dict[str, Any], fld: str, compute: Callable[[Any, list[str]], Any],
               warn: Callable[[str, Sequence[str]], None]) -> Any:
        """compute(cell, warnings) for this row's cell of `fld`, remembered per (field, cell)."""
        raw = cells.get(fld)
        if raw is None:
            return None
        key = (fld, raw.__class__, raw)
        try:
            hit = self._memo.get(key)
        except TypeError:  # an unhashable cell value: nothing to remember it by
            key, hit = None, None
        if hit is None:
            found: list[str] = []
            try:
                hit = (compute(raw, found), tuple(found), None)
            except _Reject as r:
                hit = (None, (), (r.column, r.value, r.reason))
            if key is not None:
                if len(self._memo) >= _MEMO_MAX:
                    self._memo.clear()
                self._memo[key] = hit
        value, warnings, rejected = hit
        if rejected is not None:
            raise _Reject(*rejected)
        if warnings:
            warn(fld, warnings)
        return value

    def _parse(self, row: int, cells: dict[str, Any], warnings: list[RowWarning]) -> ParsedRow:
        def warn(fld: str, msgs: Sequence[str]) -> None:
            warnings.extend(RowWarning(row, self._hdr(fld), _shapes_masked(m)) for m in msgs)

        plate = self._field(cells, "plate", self._plate, warn)
        vin = self._field(cells, "vin", self._vin, warn)
        if plate is None and vin is None:
            raise _Reject(None, None, MSG_NO_VEHICLE)
        registered = self._field(cells, "registered", self._registered, warn)
        vehicle = VehicleRec(plate, vin, registered)
        if "use" in cells:
            self._vehicle_class(vehicle, cells, warn)
        customer = self._customer(cells, warn)
        terms = self._terms(cells, warn)
        return ParsedRow(row, vehicle, customer, terms, warnings)

    # --- identifiers ----------------------------------------------------------------------------
    def _plate(self, raw: Any, found: list[str]) -> str | None:
        text = _text(raw)
        return None if text is None else self._checked(text, "plate", check_plate, _same, found)

    def _vin(self, raw: Any, found: list[str]) -> str | None:
        text = _text(raw)
        return None if text is None else self._checked(text, "vin", check_vin, _same, found)

    def _name(self, raw: Any, found: list[str]) -> str | None:
        name = _name(raw, found)
        # A masked name (张**: our own export, a screenshot typed back) is nobody's name: taken as
        # given it would make a new owner of that name and hand the car to it. A masked phone or ID
        # is refused as a bad identifier; so is this.
        if name is not None and "*" in name:
            raise _Reject(self._hdr("owner"), masking.mask_name(name), MSG_MASKED_NAME)
        return name

    def _registered(self, raw: Any, _found: list[str]) -> date:
        return cst_date(self._date(raw, "registered", parse_start))

    def _customer(self, cells: dict[str, Any], warn: Callable[[str, Sequence[str]], None]) -> CustomerRec | None:
        name = self._within("owner", self._field(cells, "owner", self._name, warn), CUSTOMER_TEXT_MAX, "姓名", True)
        address = self._within("address", _text(cells.get("address")), CUSTOMER_TEXT_MAX, "地址", True)
        phone = self._field(cells, "phone", self._phone, warn)
        id_number = self._field(cells, "id_number", self._id_number, warn)
        if not any((name, phone, id_number, address)):
            return None
        return CustomerRec(name, phone, id_number, address)

    def _phone(self, raw: Any, found: list[str]) -> str | None:
        if isinstance(raw, float) and not raw.is_integer():
            raise _Reject(self._hdr("phone"), masking.mask_phone(str(raw)), MSG_PHONE_SCI)
        text = _text(raw)
        assert text is not None
        if _SCI.match(text):
            raise _Reject(self._hdr("phone"), masking.mask_phone(text), MSG_PHONE_SCI)
        parts = [p for p in _PHONE_SPLIT.split(text) if p]
        # "010-1234 5678" splits on the space: only split when the pieces are whole numbers.
        if len(parts) > 1 and all(len(re.sub(r"\D", "", p)) >= 7 for p in parts):
            found.append(MSG_MULTI_PHONE)
            text = parts[0]
        return self._checked(text, "phone", check_phone, masking.mask_phone, found)

    def _id_number(self, raw: Any, found: list[str]) -> str | None:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            # Only 15 digits survive a float exactly; an 18-digit ID in a number cell lost its tail.
            digits = str(int(raw)) if float(raw).is_integer() else ""
            if len(digits) != _EXACT_FLOAT_DIGITS:
                raise _Reject(self._hdr("id_number"), masking.mask_id(digits or str(raw)), MSG_ID_NUMBER_CELL)
            return self._checked(digits, "id_number", check_id_number, masking.mask_id, found)
        return self._checked(str(raw), "id_number", check_id_number, masking.mask_id, found)

    def _checked(self, text: str, fld: str, check: Callable[[str], Any], mask: Callable[[str], str],
                 found: list[str]) -> str:
        try:
            checked = check(text)
        except IdentifierError as e:
            # A phone is masked in its normal form (前3后4 of the number, not of "+86 …").
            shown = _phone_number_part(text) if fld == "phone" else text.strip()
            raise _Reject(self._hdr(fld), mask(shown), e.message) from None
        found.extend(checked.warnings)
        return checked.value

    # --- 使用性质 / 座位数 ----------------------------------------------------------------------------
    def _vehicle_class(self, vehicle: VehicleRec, cells: dict[str, Any],
                       warn: Callable[[str, Sequence[str]], None]) -> None:
        """Use and seats never reject a row (its plate and 交强险 matter more): a value that fixes no
        class is a warning on its cell and the row comes without use, seats and class (none stored
        half), as does a passenger use without its seats. Seats alone say no class."""
        use = self._field(cells, "use", self._use, warn)
        seats = self._field(cells, "seats", self._seats, warn)
        if use is None or seats is _UNREAD:
            return
        code, use_zh = use
        if seats is None and vehicle_use.seats_needed(code):
            warn("use", (MSG_USE_WITHOUT_SEATS,))
            return
        key = (code, seats)
        if key not in self._classes:
            self._classes[key] = vehicle_use.class_name(self._rates(), code, seats, self._today)
        vehicle.use, vehicle.seats, vehicle.vehicle_class = use_zh, seats, self._classes[key]

    def _rates(self):
        from desktop.rates import table  # the rate table is read only by a sheet that has 使用性质

        return table("ci_base_2008")

    def _use(self, raw: Any, found: list[str]) -> tuple[str, str] | None:
        text = _text(raw) or ""
        try:
            code = vehicle_use.parse_use(self._rates(), text, self._today)
        except BadInput:
            advice = vehicle_use.use_advice(self._rates(), text, self._today)
            found.append(f"{self._hdr('use')}「{text[:20]}」{advice}。{MSG_CLASS_ON_CARD}")
            return None
        return code, vehicle_use.uses(self._rates(), self._today)[code]

    def _seats(self, raw: Any, found: list[str]) -> int | None | object:
        try:
            return vehicle_use.parse_seats_value(raw)
        except BadInput as e:
            found.append(f"{self._hdr('seats')}「{(_text(raw) or '')[:20]}」：{e.message}{MSG_CLASS_ON_CARD}")
            return _UNREAD

    # --- terms ----------------------------------------------------------------------------------
    def _date(self, raw: Any, fld: str, parse: Callable[[Any], datetime]) -> datetime:
        try:
            at = parse(_date_input(raw, self._kinds[fld]))
        except DateParseError as e:
            raise _Reject(self._hdr(fld), _text(raw), e.message) from None
        if not _MIN_YEAR <= at.year <= _MAX_YEAR and fld != "registered":
            raise _Reject(self._hdr(fld), _text(raw), f"日期「{_text(raw)}」不合理（{at.date()}），请检查")
        return at

    def _terms(self, cells: dict[str, Any], warn: Callable[[str, Sequence[str]], None]) -> list[TermRec]:
        terms: list[TermRec] = []
        if self.per_term:
            kind_raw = cells.get("kind")
            if kind_raw is None:
                if any(f in cells for f in ("start", "end", "policy_no")):
                    raise _Reject(self._hdr("kind"), None, MSG_NO_KIND)
            else:
                kinds = self._field(cells, "kind", self._kinds_of, warn)
                for k in kinds:
                    terms.append(self._term(cells, k, _PER_TERM_SPEC, warn))
        for kind, spec in self._vehicle_specs:  # only the per-vehicle columns this sheet has
            if any(f in cells for f in (spec["start"], spec["end"], spec["policy_no"])):
                terms.append(self._term(cells, kind, spec, warn))
        return terms

    def _kinds_of(self, raw: Any, _found: list[str]) -> tuple[str, ...]:
        kinds = parse_kinds(raw)
        if kinds is None:
            raise _Reject(self._hdr("kind"), _text(raw), f"险种「{_text(raw)}」无法识别：应为 交强险 或 商业险")
        return kinds

    def _term(self, cells: dict[str, Any], kind: str, spec: dict[str, str],
              warn: Callable[[str, Sequence[str]], None]) -> TermRec:
        end_f, start_f = spec["end"], spec["start"]
        if end_f not in cells:
            label = "交强险" if kind == "CI" else "商业险"
            column = self._hdr(end_f)
            raise _Reject(column, None, MSG_NO_END if column or self.per_term else f"缺少{label}止期（到期日）")
        end_at = self._field(cells, end_f, lambda raw, _f: self._date(raw, end_f, parse_end), warn)
        inferred = start_f not in cells
        if inferred:
            try:
                start_at = end_at.replace(year=end_at.year - 1)
            except ValueError:  # 29 Feb
                start_at = end_at.replace(year=end_at.year - 1, day=28)
        else:
            start_at = self._field(cells, start_f, lambda raw, _f: self._date(raw, start_f, parse_start), warn)
            if end_at <= start_at:
                raise _Reject(self._hdr(end_f), _text(cells[end_f]), "保险止期早于或等于起期，请检查")
        insurer = (self._within(spec["insurer"], self._field(cells, spec["insurer"], _insurer, warn),
                                TERM_TEXT_MAX, "保险公司")
                   or self._within("insurer", self._field(cells, "insurer", _insurer, warn), TERM_TEXT_MAX, "保险公司"))
        policy_no = self._policy_no(cells, spec["policy_no"])
        premium = self._money(cells, spec.get("premium"), warn)
        tax = self._money(cells, "vehicle_tax", warn) if kind == "CI" else None
        return TermRec(kind, insurer, policy_no, start_at, end_at, premium, tax, inferred)

    def _policy_no(self, cells: dict[str, Any], fld: str) -> str | None:
        raw = cells.get(fld)
        if isinstance(raw, float) and (not raw.is_integer() or abs(raw) >= 10 ** _EXACT_FLOAT_DIGITS):
            raise _Reject(self._hdr(fld), _text(raw), MSG_POLICY_NUMBER_CELL)
        text = _text(raw)
        if text is None:
            return None
        if _SCI.match(text):
            raise _Reject(self._hdr(fld), text, MSG_POLICY_NUMBER_CELL)
        return self._within(fld, "".join(unicodedata.normalize("NFKC", text).split()).upper(), TERM_TEXT_MAX, "保单号")

    def _within(self, fld: str, value: str | None, limit: int, what: str, personal: bool = False) -> str | None:
        """The value, or the row rejected when it is longer than head office takes (a name or an
        address is not echoed: the report is not a place for personal data)."""
        if value is not None and len(value) > limit:
            raise _Reject(self._hdr(fld), None if personal else value, f"{what}太长（{len(value)} 个字，最多 {limit} 个字）：请检查这一格，"
                                               "是否把别的内容粘贴进来了")
        return value

    def _money(self, cells: dict[str, Any], fld: str | None,
               warn: Callable[[str, Sequence[str]], None]) -> Decimal | None:
        if fld is None:
            return None
        return self._field(cells, fld, _money_or_warning, warn)


def _same(s: str) -> str:
    return s


def _shapes_masked(text: str | None) -> str | None:
    """Text a report shows, with anything shaped like a mobile or an ID number masked (desktop.logs'
    one masking pass). Idempotent: a masked value has no such run of digits left."""
    return scrub(text) if text else text


def _name(raw: Any, _found: list[str]) -> str | None:
    name = _text(raw)
    return unicodedata.normalize("NFKC", name) if name is not None else None


def _insurer(raw: Any, _found: list[str]) -> str | None:
    return _text(raw)
