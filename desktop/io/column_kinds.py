"""A column's kind (DESIGN §3): whether a date field's values are calendar days or instants, decided
from the number formats of the first data cells (openpyxl for .xlsx, xlrd for .xls), since
calamine returns a ``date`` for any value at midnight, whatever the cell shows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

_log = logging.getLogger(__name__)

KIND_SAMPLE_ROWS = 50  # data rows below the header whose number formats decide a column's kind
KIND_SAMPLES = 3  # non-empty cells per column that vote

# Column kinds: how a date field's values are to be read.
DATE = "date"  # calendar day (date format without time, or whole serial in General)
INSTANT = "instant"  # the format shows a time: midnight is 00:00, not "the whole day"
NUMBER = "number"  # plain number (General/0.00): a date field then holds a serial
TEXT = "text"  # text cells: the text itself says whether there is a time
AUTO = "auto"  # unknown (no sample, CSV, unreadable styles): trust the value's own type


def _vote(samples: list[str]) -> str:
    # A time shown in any sample makes the column instants: then 00:00 is an exact instant.
    if INSTANT in samples:
        return INSTANT
    for k in (DATE, NUMBER, TEXT):
        if k in samples:
            return k
    return AUTO


def _kind_of_format(fmt: str, value: Any) -> str:
    from openpyxl.styles.numbers import is_datetime

    if isinstance(value, str):
        return TEXT
    what = is_datetime(fmt or "General")
    if what in ("datetime", "time"):
        return INSTANT
    if what == "date":
        return DATE
    if isinstance(value, datetime | date):
        return INSTANT if isinstance(value, datetime) and value.time() != datetime.min.time() else DATE
    if isinstance(value, int | float) and not isinstance(value, bool):
        return NUMBER if float(value).is_integer() else INSTANT
    return AUTO


def _collect(cells: Iterator[tuple[int, str, Any]]) -> dict[int, str]:
    samples: dict[int, list[str]] = {}
    for col, fmt, value in cells:
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        got = samples.setdefault(col, [])
        if len(got) < KIND_SAMPLES:
            got.append(_kind_of_format(fmt, value))
    return {c: _vote(s) for c, s in samples.items()}


class _AnyString:
    """Stands in for the shared-string table: a column's kind needs to know that a cell holds text,
    not which text, and a large export's shared strings would cost seconds and hundreds of MB."""

    def __getitem__(self, _index: int) -> str:
        return "text"


def _xlsx_kinds(path: Path | None, sheet: str, header_row: int, max_col: int | None = None) -> dict[int, str]:
    """Number formats of the first data rows, read with openpyxl's streaming parser.

    Not ``load_workbook(read_only=True)``: for a sheet without a <dimension> element (openpyxl's
    own write-only files, many exporters) it parses the whole sheet just to learn its size,
    ~1 s per 20,000 rows, before we read a few dozen of them.
    """
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    class _Head(ReadOnlyWorksheet):
        def _get_size(self) -> None:
            pass

    reader = ExcelReader(str(path), read_only=True, data_only=True)
    try:
        reader.read_manifest()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        target = next((rel.target for ws, rel in reader.parser.find_sheets() if ws.name == sheet), None)
        if target is None:
            return {}
        ws = _Head(reader.wb, sheet, target, _AnyString())

        def cells() -> Iterator[tuple[int, str, Any]]:
            for row in ws.iter_rows(min_row=header_row + 1, max_row=header_row + KIND_SAMPLE_ROWS,
                                    max_col=max_col):
                for cell in row:
                    col = getattr(cell, "column", None)
                    if col is not None:
                        yield col - 1, cell.number_format, cell.value

        return _collect(cells())
    finally:
        reader.archive.close()


class _XlrdLog:
    """xlrd writes its warnings ("WARNING *** file size …") to sys.stdout by default, which breaks
    `import --json`: send them to the log instead (they describe the file, never its contents)."""

    def write(self, text: str) -> None:
        if text.strip():
            _log.info("xlrd: %s", text.strip()[:200])

    def flush(self) -> None:
        pass


def _xls_kinds(path: Path | None, sheet: str, header_row: int) -> dict[int, str]:
    import xlrd

    book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=_XlrdLog())
    try:
        ws = book.sheet_by_name(sheet)

        def cells() -> Iterator[tuple[int, str, Any]]:
            for r in range(header_row, min(ws.nrows, header_row + KIND_SAMPLE_ROWS)):
                for c in range(ws.ncols):
                    fmt = book.format_map[book.xf_list[ws.cell_xf_index(r, c)].format_key].format_str
                    v = ws.cell_value(r, c)
                    yield c, fmt, (v if v != "" else None)

        return _collect(cells())
    finally:
        book.release_resources()
