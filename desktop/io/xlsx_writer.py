"""Write .xlsx sheets for counter staff (exports, reject reports) with openpyxl's write-only mode,
which streams rows to disk instead of building the sheet in memory."""

from __future__ import annotations

import unicodedata
from collections.abc import Collection, Iterable, Iterator, Sequence
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from desktop.core.timeutil import to_cst

DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
REJECT_ROW_HEADER = "原行号"
REJECT_REASON_HEADER = "错误原因"
_WIDTH_SAMPLE = 200  # rows buffered to size the columns before streaming the rest
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_HEADER_FONT = Font(bold=True)


def _display_width(v: Any) -> int:
    if v is None:
        return 0
    if isinstance(v, datetime):
        return 16
    if isinstance(v, date):
        return 10
    # CJK characters take two columns in Excel's width unit.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(v))


def _excel_value(v: Any) -> tuple[Any, str | None]:
    """Value Excel can store, and the number format it needs."""
    if isinstance(v, datetime):
        if v.tzinfo is not None:
            v = to_cst(v).replace(tzinfo=None)  # Excel has no time zones: show CST wall time
        if v.time() == datetime.min.time():
            return v.date(), DATE_FORMAT
        return v, DATETIME_FORMAT
    if isinstance(v, date):
        return v, DATE_FORMAT
    return v, None


def _cell(ws: Any, v: Any, is_date_col: bool) -> WriteOnlyCell:
    value, fmt = _excel_value(v)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # imported text is never a formula (CSV/formula injection)
    if fmt and (is_date_col or isinstance(value, date)):
        cell.number_format = fmt
    return cell


def write_sheet(path: str | Path, title: str, headers: Sequence[str], rows_iter: Iterable[Sequence[Any]],
                date_columns: Collection[int | str] = (), widths: Sequence[float] | None = None) -> int:
    """Stream ``rows_iter`` into a one-sheet workbook at ``path``; return the number of data rows.

    ``date_columns``: indices or header names whose values are dates (date → yyyy-mm-dd; an aware
    datetime is written in CST, with its time when it is not midnight). Header frozen, autofilter
    on, widths from ``widths`` or from the header and the first rows.
    """
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=title[:31] or "Sheet1")  # Excel's sheet-name limit
    date_idx = {i for i, h in enumerate(headers) if i in date_columns or h in date_columns}
    rows = iter(rows_iter)
    sample = list(islice(rows, _WIDTH_SAMPLE))
    if widths is None:
        widths = []
        for i, h in enumerate(headers):
            w = max([_display_width(h) + 4] + [_display_width(r[i]) + 2 for r in sample if i < len(r)])
            widths.append(min(max(w, 12 if i in date_idx else _MIN_WIDTH), _MAX_WIDTH))
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    ws.freeze_panes = "A2"
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=h)
        c.font = _HEADER_FONT
        c.alignment = Alignment(vertical="center")
        header_cells.append(c)
    ws.append(header_cells)
    count = 0
    for r in _chain(sample, rows):
        ws.append([_cell(ws, v, i in date_idx) for i, v in enumerate(r)])
        count += 1
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{count + 1}"
    wb.save(str(path))
    return count


def _chain(first: list[Sequence[Any]], rest: Iterator[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    return chain(first, rest)


def write_reject_report(path: str | Path, source_headers: Sequence[str | None], rejected_rows: Iterable[Any]) -> int:
    """Rejected rows in the source's own columns, then 原行号 and 错误原因, so staff can fix the cells
    and import this very file again (both extra columns are ignored on import).

    ``rejected_rows``: RejectedRow objects (``.row``, ``.raw``, ``.reason``, ``.column``).
    """
    headers = [h or "" for h in source_headers]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    out_headers = [*headers, REJECT_ROW_HEADER, REJECT_REASON_HEADER]

    def rows() -> Iterator[list[Any]]:
        for rej in rejected_rows:
            raw = list(rej.raw)[:width]
            raw += [None] * (width - len(raw))
            reason = f"「{rej.column}」列：{rej.reason}" if rej.column else rej.reason
            yield [*raw, rej.row, reason]

    date_cols: set[int] = set()  # raw dates are date/datetime objects: _cell formats them anyway
    return write_sheet(path, "错误行", out_headers, rows(), date_cols)
