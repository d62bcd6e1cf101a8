"""What the import wizard shows before anything is stored: the sheets of a file, the header row the
importer finds, its guessed {header: field} and the first data rows, read exactly as
desktop.io.reading.read_import reads them for `renewdesk import` (no Qt here: these run on the
task runner's I/O pool)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path

from desktop.io.headers import header_signature
from desktop.io.reading import read_import
from desktop.io.table_reader import open_table

PREVIEW_ROWS = 5
IGNORE = "ignore"
# What each import field is called at the counter (the CLI's --map takes the field names).
FIELD_LABELS = {
    "plate": "车牌号", "vin": "车架号", "owner": "车主/被保险人", "phone": "联系电话", "id_number": "证件号码",
    "address": "地址", "registered": "初登日期", "insurer": "保险公司", "policy_no": "保单号", "kind": "险种",
    "start": "保险起期", "end": "保险止期", "premium": "保费", "vehicle_tax": "车船税",
    "ci_start": "交强险起期", "ci_end": "交强险止期", "ci_policy_no": "交强险保单号", "ci_insurer": "交强险保险公司",
    "bi_start": "商业险起期", "bi_end": "商业险止期", "bi_policy_no": "商业险保单号", "bi_insurer": "商业险保险公司",
    "bi_premium": "商业险保费", "use": "使用性质", "seats": "座位数（核定载人数）",
}


@dataclass
class Preview:
    file: Path
    sheet: str
    sheet_names: list[str]
    header_row: int
    headers: list[str | None]
    columns: dict[str, str]  # {header: field}
    rows: list[list] = field(default_factory=list)
    signature: str = ""


def sheet_names(path: Path, progress, cancel) -> list[str]:
    table = open_table(path)
    try:
        return list(table.sheet_names)
    finally:
        table.close()


def read_preview(path: Path, sheet: str | None, overrides: dict[str, str] | None, progress, cancel) -> Preview:
    """The header, the guessed {header: field} and the first rows, as the importer will read them."""
    reading = read_import(path, sheet, overrides or None)
    try:
        rows = [list(v) for _n, v in islice(reading.table.iter_rows(start_row=reading.header_row + 1),
                                            PREVIEW_ROWS)]
        return Preview(path, reading.sheet, list(reading.table.sheet_names), reading.header_row,
                       reading.source_headers, dict(reading.columns), rows,
                       header_signature(reading.source_headers))
    finally:
        reading.close()


def cell_text(v) -> str:
    """A cell as the preview shows it: dates without a midnight time, a whole float without .0."""
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour, v.minute, v.second) != (0, 0, 0) else f"{v:%Y-%m-%d}"
    if isinstance(v, date):
        return f"{v:%Y-%m-%d}"
    if isinstance(v, float) and v.is_integer():  # a serial number 1 read as 1.0
        return str(int(v))
    return str(v)
