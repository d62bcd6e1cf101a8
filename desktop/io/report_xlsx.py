"""A small workbook of several sheets (the monthly renewal report): header row in bold, columns
sized to their text, and per-column number formats (a rate is a number shown as "12.3%", so a
manager can sort and chart it in Excel). Written to a .part file first, so a failed write leaves no
half a report."""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

Rows = Sequence[Sequence[Any]]
Sheet = tuple[str, Sequence[str], Rows] | tuple[str, Sequence[str], Rows, dict[int, str]]
PERCENT = "0.0%"


def _width(v: Any) -> int:
    s = "" if v is None else str(v)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _shown(v: Any, fmt: str | None) -> Any:
    return f"{v:.1%}" if fmt == PERCENT and isinstance(v, float) else v


def write_workbook(path: Path, sheets: Sequence[Sheet]) -> None:
    """sheets: (title, headers, rows[, {column index from 0: number format}])."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows, *rest in sheets:
        formats = rest[0] if rest else {}
        ws = wb.create_sheet(title[:31])
        ws.append(list(headers))
        for c in ws[1]:
            c.font = Font(bold=True)
        for r in rows:
            ws.append(list(r))
        for col, fmt in formats.items():
            for row in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
                row[0].number_format = fmt
        for i, h in enumerate(headers, start=1):
            widest = max([_width(h), *(_width(_shown(r[i - 1], formats.get(i - 1))) for r in rows)])
            ws.column_dimensions[get_column_letter(i)].width = min(max(widest + 2, 8), 80)
            if widest > 80:
                for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    row[0].alignment = Alignment(wrap_text=True, vertical="top")
    path = Path(path).expanduser()
    part = path.with_name(path.name + ".part.xlsx")
    wb.save(part)
    part.replace(path)
