"""Open a spreadsheet (.xlsx/.xlsm, .xls, .csv) as one streaming table of cell values.

Values come from python-calamine (fast, but it holds the whole sheet in memory) or, for a large .xlsx,
from desktop.io.xlsx_stream (the same values in constant memory). Calamine cannot tell a
calendar day from an instant: it returns a ``date`` for any value at midnight, whatever the cell
shows. DESIGN §3 decides that per column from the number format of the first data cells
(desktop.io.column_kinds). A small .xlsx whose dense grid would be too large for calamine is
streamed as well (desktop.io.grid_guard).

Row numbers are Excel's (1-based); column indices are 0-based (0 = column A) everywhere.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import python_calamine as pc

from desktop.core.errors import BadInput
from desktop.io import xlsx_stream
from desktop.io.column_kinds import (  # noqa: F401 (the kinds are part of this module's interface)
    AUTO,
    DATE,
    INSTANT,
    NUMBER,
    TEXT,
    _xls_kinds,
    _xlsx_kinds,
)
from desktop.io.csv_source import CsvEncodingError, CsvSource
from desktop.io.grid_guard import _grid_too_large

HEADER_SCAN_ROWS = 30  # header rows are looked for in this many rows (DESIGN §7: title rows above)

EXCEL_EXT = {".xlsx", ".xlsm", ".xls"}
TEXT_EXT = {".csv", ".txt", ".tsv"}
_OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE container with this stream (name stored as UTF-16LE).
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")

MSG_PASSWORD = "文件设置了打开密码（已加密），无法读取：请在 Excel 中打开后「文件 → 信息 → 保护工作簿 → 用密码进行加密」清空密码，另存后再导入"
MSG_CORRUPT = "文件已损坏，无法读取：请在 Excel 中打开确认能正常显示，再「另存为」.xlsx 后导入"
MSG_EMPTY = "文件是空的，没有任何数据"
MSG_NOT_SHEET = "文件内容不是 Excel 表格（可能只是改了扩展名）：请从原系统重新导出 .xlsx / .xls / .csv"
MSG_HTML = "这个文件其实是网页格式（HTML），不是真正的 Excel 表格：请用 Excel 打开后「另存为」.xlsx 再导入"
MSG_CSV_ENCODING = "无法识别 CSV 文件的文字编码：请用 Excel 打开后另存为 .xlsx 再导入"


class SheetError(BadInput, ValueError):
    """The file cannot be read at all. ``message`` is one Chinese sentence for counter staff."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CellRange:
    """A merged range: Excel row numbers (1-based), column indices (0-based), inclusive."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


def _blank(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


@dataclass
class Table:
    file: str
    sheet_name: str
    sheet_names: list[str]
    visible_sheets: list[str] = field(default_factory=list)  # worksheets not hidden, in book order
    merged_ranges: list[CellRange] = field(default_factory=list)
    column_kinds: dict[int, str] = field(default_factory=dict)
    header_row: int | None = None
    _path: Path | None = None
    _sheet: Any = None  # CalamineSheet
    _stream: Any = None  # xlsx_stream.XlsxSheet for a large .xlsx (then _sheet is None)
    _csv: CsvSource | None = None
    _format: str = "xlsx"

    @property
    def merged_header_ranges(self) -> list[CellRange]:
        return [r for r in self.merged_ranges if r.first_row <= HEADER_SCAN_ROWS]

    # --- values -------------------------------------------------------------------------------
    def _raw_rows(self) -> Iterator[tuple[int, list[Any]]]:
        if self._csv is not None:
            yield from self._csv.iter_rows()
            return
        if self._stream is not None:
            try:
                yield from self._stream.rows()
            except Exception:  # streamed, damage inside the sheet shows only when reached
                raise SheetError(MSG_CORRUPT) from None
            return
        sheet = self._sheet
        start = sheet.start
        if start is None:
            return
        row0, col0 = start
        it = iter(sheet.iter_rows())
        first = next(it, None)
        if first is None:
            return
        # python-calamine 0.9 pads the rows above the data with empty rows but not the columns
        # left of it; older versions did neither. Row 0 is empty whenever start[0] > 0, so an
        # empty first row tells us the rows are padded.
        padded = row0 > 0 and all(v == "" or v is None for v in first)
        first_n = 1 if padded else row0 + 1
        pad = [None] * col0
        yield first_n, pad + [_blank(v) for v in first]
        # _blank inlined: this runs once per cell (10⁶ cells per 10⁵ rows).
        for n, row in enumerate(it, start=first_n + 1):
            yield n, pad + [(v.strip() or None) if v.__class__ is str else v for v in row]

    def iter_rows(self, start_row: int = 1) -> Iterator[tuple[int, list[Any]]]:
        """Stream (excel_row_number, values) from ``start_row`` on; empty cells are None.

        Merged cells carry the top-left value in every cell they cover (a plate merged over the
        交强险 and 商业险 rows of one vehicle belongs to both rows). Trailing None cells are
        trimmed; fully empty rows are yielded as [] so row numbers stay visible to callers.
        """
        pending: dict[int, list[tuple[CellRange, Any]]] = {}
        by_first_row: dict[int, list[CellRange]] = {}
        for r in self.merged_ranges:
            by_first_row.setdefault(r.first_row, []).append(r)
        for n, values in self._raw_rows():
            for rng in by_first_row.get(n, ()):
                v = values[rng.first_col] if rng.first_col < len(values) else None
                for rr in range(rng.first_row, rng.last_row + 1):
                    pending.setdefault(rr, []).append((rng, v))
            for rng, v in pending.pop(n, ()):
                if len(values) <= rng.last_col:
                    values.extend([None] * (rng.last_col + 1 - len(values)))
                for c in range(rng.first_col, rng.last_col + 1):
                    values[c] = v
            while values and values[-1] is None:
                values.pop()
            if n >= start_row:
                yield n, values

    def head(self, n: int = HEADER_SCAN_ROWS) -> list[tuple[int, list[Any]]]:
        return list(islice(self.iter_rows(), n))

    # --- column kinds ---------------------------------------------------------------------------
    def set_header_row(self, header_row: int) -> dict[int, str]:
        """Decide each column's kind from the number formats of its first data cells."""
        self.header_row = header_row
        kinds: dict[int, str] = {}
        with contextlib.suppress(Exception):  # unreadable styles: fall back to AUTO (value types)
            if self._format == "xlsx":
                start = self._sheet.start if self._sheet is not None else None
                width = (start[1] + self._sheet.width) if start else None
                kinds = _xlsx_kinds(self._path, self.sheet_name, header_row, width)
            elif self._format == "xls":
                kinds = _xls_kinds(self._path, self.sheet_name, header_row)
            elif self._format == "csv":
                kinds = {}
        self.column_kinds = kinds
        return kinds

    def kind(self, col: int) -> str:
        if self._csv is not None:
            return TEXT
        return self.column_kinds.get(col, AUTO)

    def close(self) -> None:
        self._sheet = None
        if self._stream is not None:
            self._stream.book.close()
            self._stream = None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- opening --------------------------------------------------------------------------------------
def _sniff(path: Path) -> str:
    """'zip', 'ole', 'encrypted', 'html', 'binary' or 'text' from the file's first bytes."""
    with path.open("rb") as f:
        head = f.read(4096)
        if head.startswith(_ZIP_MAGIC):
            return "zip"
        if head.startswith(_OLE_MAGIC):
            f.seek(0)
            prev = b""
            while chunk := f.read(1 << 20):
                if _ENCRYPTED in prev[-64:] + chunk:
                    return "encrypted"
                prev = chunk
            return "ole"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"  # NUL bytes: not text in any encoding a CSV comes in (UTF-16 has a BOM)
    low = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if low.startswith((b"<!doctype html", b"<html", b"<table", b"<?xml")) or b"<table" in low:
        return "html"
    return "text"


def _open_calamine(path: Path) -> Any:
    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except pc.PasswordError:
        raise SheetError(MSG_PASSWORD) from None
    except Exception:
        pass
    # The extension lies (an .xls that is really .xlsx is common in DMS exports): sniff content.
    try:
        with path.open("rb") as f:
            return pc.CalamineWorkbook.from_filelike(f)
    except pc.PasswordError:
        raise SheetError(MSG_PASSWORD) from None
    except Exception:
        raise SheetError(MSG_CORRUPT) from None


def _pick_sheet(wb: Any, sheet: str | None) -> tuple[str, Any, list[str]]:
    def load(name: str) -> Any:
        try:
            ws = wb.get_sheet_by_name(name)
        except pc.PasswordError:
            raise SheetError(MSG_PASSWORD) from None
        except Exception:
            raise SheetError(MSG_CORRUPT) from None
        return ws if ws.start is not None and ws.height > 0 else None

    # The first visible worksheet that holds anything; hidden helper sheets are skipped.
    visible = [m.name for m in wb.sheets_metadata
               if m.visible == pc.SheetVisibleEnum.Visible and m.typ == pc.SheetTypeEnum.WorkSheet]
    return (*_choose(list(wb.sheet_names), visible, sheet, load), visible)


def _choose(names: list[str], visible: list[str], sheet: str | None, load: Any) -> tuple[str, Any]:
    """``sheet`` if named, else the first of ``visible`` (or of all) that ``load`` finds non-empty."""
    if sheet is not None:
        if sheet not in names:
            raise SheetError(f"找不到工作表「{sheet}」，文件中的工作表有：{'、'.join(names)}")
        candidates = [sheet]
    else:
        candidates = visible or names
    for name in candidates:
        ws = load(name)
        if ws is not None:
            return name, ws
    raise SheetError(MSG_EMPTY if sheet is None else f"工作表「{sheet}」是空的，没有任何数据")


def _open_stream(p: Path, sheet: str | None, fmt: str) -> Table:
    book = None
    try:
        book = xlsx_stream.XlsxBook(p)
        name, ws = _choose(book.sheet_names, book.visible_worksheets, sheet, lambda n: (
            ws if n in book.worksheets and (ws := book.sheet(n)).has_values() else None))
        merged = [CellRange(*r) for r in ws.merged_ranges()]
    except Exception as exc:  # broken zip, member or XML
        if book is not None:
            book.close()
        raise exc if isinstance(exc, SheetError) else SheetError(MSG_CORRUPT) from None
    return Table(file=str(p), sheet_name=name, sheet_names=book.sheet_names,
                 visible_sheets=list(book.visible_worksheets), merged_ranges=merged,
                 _path=p, _stream=ws, _format=fmt)


def open_table(path: str | Path, sheet: str | None = None) -> Table:
    """Open ``path`` and pick ``sheet`` (default: the first visible non-empty worksheet)."""
    p = Path(path)
    ext = p.suffix.lower()
    if ext not in EXCEL_EXT | TEXT_EXT:
        raise SheetError(f"不支持的文件类型「{ext or '无扩展名'}」：请导入 Excel（.xlsx / .xls）或 CSV 文件")
    if not p.is_file():
        raise SheetError(f"找不到文件「{p.name}」")
    if p.stat().st_size == 0:
        raise SheetError(MSG_EMPTY)
    content = _sniff(p)
    if content == "encrypted":
        raise SheetError(MSG_PASSWORD)
    if content == "html":
        raise SheetError(MSG_HTML)
    if content == "binary":
        raise SheetError(MSG_NOT_SHEET)
    if content == "text":
        if ext in EXCEL_EXT:
            raise SheetError(MSG_NOT_SHEET)
        return _open_csv(p)
    if ext in TEXT_EXT:
        raise SheetError(MSG_NOT_SHEET)
    fmt = "xlsx" if content == "zip" else "xls"
    if fmt == "xlsx" and (p.stat().st_size > xlsx_stream.STREAM_MIN_BYTES or _grid_too_large(p)):
        return _open_stream(p, sheet, fmt)
    wb = _open_calamine(p)
    name, ws, visible = _pick_sheet(wb, sheet)
    merged = [CellRange(a[0] + 1, a[1], b[0] + 1, b[1]) for a, b in (ws.merged_cell_ranges or [])]
    return Table(file=str(p), sheet_name=name, sheet_names=list(wb.sheet_names), visible_sheets=visible,
                 merged_ranges=merged,
                 _path=p, _sheet=ws, _format=fmt)


def _open_csv(p: Path) -> Table:
    try:
        src = CsvSource(p)
    except CsvEncodingError:
        raise SheetError(MSG_CSV_ENCODING) from None
    except UnicodeDecodeError:
        raise SheetError(MSG_CSV_ENCODING) from None
    table = Table(file=str(p), sheet_name=p.stem, sheet_names=[p.stem], _path=p, _csv=src, _format="csv")
    if not any(v for _, v in table.iter_rows()):
        raise SheetError(MSG_EMPTY)
    return table
