"""desktop.io.table_reader: real messy files built in tmp_path, read back row by row."""

from __future__ import annotations

import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.io.table_reader import (
    DATE,
    INSTANT,
    MSG_CORRUPT,
    MSG_EMPTY,
    MSG_HTML,
    MSG_NOT_SHEET,
    MSG_PASSWORD,
    NUMBER,
    TEXT,
    SheetError,
    open_table,
)

# Every test here runs through both .xlsx readers (see tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("reader")


def _rows(table):
    return [(n, v) for n, v in table.iter_rows() if v]


def test_title_rows_merged_header_and_offset_columns(tmp_path: Path) -> None:
    f = FakeData(11)
    plate, name = f.plate("ordinary"), f.name()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws["C2"] = "2026年续保清单"
    ws.merge_cells("C2:F2")
    ws["C3"], ws["D3"] = "车牌号", "被保险人"
    ws.merge_cells("E3:F3")
    ws["E3"] = "交强险"
    ws["E4"], ws["F4"] = "起期", "止期"
    ws.merge_cells("C3:C4")
    ws.merge_cells("D3:D4")
    ws.append([None, None, plate, name, "2026-01-01", "2026-12-31"])
    ws.append([])
    ws.append([])
    wb.save(tmp_path / "a.xlsx")

    t = open_table(tmp_path / "a.xlsx")
    assert t.sheet_name == "清单" and t.sheet_names == ["清单"]
    rows = _rows(t)
    # Row numbers are Excel's; column index 0 is column A even though data start in column C.
    assert rows[0] == (2, [None, None, "2026年续保清单", "2026年续保清单", "2026年续保清单", "2026年续保清单"])
    assert rows[1] == (3, [None, None, "车牌号", "被保险人", "交强险", "交强险"])
    # Vertical merges fill down: the lower header row reads 车牌号/被保险人 too.
    assert rows[2] == (4, [None, None, "车牌号", "被保险人", "起期", "止期"])
    assert rows[3] == (5, [None, None, plate, name, "2026-01-01", "2026-12-31"])
    assert len(rows) == 4  # trailing empty rows carry nothing
    assert {(r.first_row, r.first_col, r.last_row, r.last_col) for r in t.merged_header_ranges} == {
        (2, 2, 2, 5), (3, 4, 3, 5), (3, 2, 4, 2), (3, 3, 4, 3)}
    assert list(t.iter_rows(start_row=5))[0][0] == 5


def test_column_kinds_from_number_formats(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "止期(日期)", "止期(时间)", "序号值", "文本日期", "带时间但格式只显示日期"])
    ws.append(["京A12345", datetime(2026, 12, 31), datetime(2027, 1, 1, 0, 0), 46000, "2026/12/1",
               datetime(2026, 12, 31, 15, 30)])
    ws["B2"].number_format = "yyyy-mm-dd"
    ws["C2"].number_format = "yyyy-mm-dd hh:mm:ss"
    ws["F2"].number_format = 'yyyy"年"m"月"d"日"'
    wb.save(tmp_path / "k.xlsx")
    t = open_table(tmp_path / "k.xlsx")
    kinds = t.set_header_row(1)
    assert kinds == {0: TEXT, 1: DATE, 2: INSTANT, 3: NUMBER, 4: TEXT, 5: DATE}
    # calamine alone cannot tell: both midnight values come back as the same kind of object.
    row = _rows(t)[1][1]
    assert row[1] == date(2026, 12, 31) and row[2] == date(2027, 1, 1)
    assert row[3] == 46000 and row[5] == datetime(2026, 12, 31, 15, 30)


def test_named_sheet_hidden_sheet_and_missing_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "helper"
    wb.active.sheet_state = "hidden"
    ws = wb.create_sheet("数据")
    ws.append(["车牌号", "车架号"])
    wb.create_sheet("空表")
    wb.save(tmp_path / "s.xlsx")
    assert open_table(tmp_path / "s.xlsx").sheet_name == "数据"
    assert open_table(tmp_path / "s.xlsx", sheet="说明").sheet_name == "说明"
    with pytest.raises(SheetError, match="找不到工作表「其他」"):
        open_table(tmp_path / "s.xlsx", sheet="其他")
    with pytest.raises(SheetError, match="空的"):
        open_table(tmp_path / "s.xlsx", sheet="空表")


@pytest.mark.parametrize("encoding,bom", [("gbk", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")])
def test_csv_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    f = FakeData(5)
    plate, name, ident = f.plate("ordinary"), f.name(), f.id_number()
    text = (f"续保清单导出\r\n车牌号码,被保险人,身份证号,保险止期\r\n"
            f'{plate},{name},="{ident}",2026年12月1日\r\n"{plate}","地址,带逗号",,\r\n,,,\r\n')
    p = tmp_path / "x.csv"
    p.write_bytes(bom + text.encode(encoding))
    t = open_table(p)
    assert _rows(t) == [
        (1, ["续保清单导出"]),
        (2, ["车牌号码", "被保险人", "身份证号", "保险止期"]),
        (3, [plate, name, ident, "2026年12月1日"]),  # ="…" forced text is unwrapped
        (4, [plate, "地址,带逗号"]),
    ]
    t.set_header_row(2)
    assert t.kind(3) == TEXT


def test_gbk_csv_with_utf8_valid_prefix(tmp_path: Path) -> None:
    # The first 64 KB are plain ASCII; the Chinese (GBK) comes later. Whole-file detection needed.
    lines = ["车牌号,保险止期"] + [f"京A{i:05d},2026-12-01" for i in range(8000)] + ["粤B12345,2026年12月1日"]
    p = tmp_path / "big.csv"
    p.write_bytes("\r\n".join(lines).encode("gbk"))
    rows = list(open_table(p).iter_rows())
    assert rows[0][1] == ["车牌号", "保险止期"] and rows[-1] == (8002, ["粤B12345", "2026年12月1日"])


def _cfb_encrypted(path: Path) -> None:
    """A minimal OLE compound file shaped like Office's encrypted .xlsx (EncryptionInfo +
    EncryptedPackage streams), written by hand since no encryption library is a dependency."""
    sec = 512
    end, free, fat_sec = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    stream = 4096  # ≥ mini-stream cut-off, so plain sectors
    n = stream // sec
    fat = [fat_sec, end] + [*range(3, 2 + n), end] + [*range(3 + n, 2 + 2 * n), end]
    fat += [free] * (128 - len(fat))
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 6 + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)

    def entry(name: str, typ: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), typ, 1)
                + struct.pack("<III", free, right, child) + b"\0" * 36 + struct.pack("<IQ", start, size))

    dirs = (entry("Root Entry", 5, 1, free, end, 0) + entry("EncryptionInfo", 2, free, 2, 2, stream)
            + entry("EncryptedPackage", 2, free, free, 2 + n, stream) + b"\0" * 128)
    path.write_bytes(header + struct.pack("<128I", *fat) + dirs + b"\x01" * stream + b"\x02" * stream)


def test_password_protected_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "locked.xlsx"
    _cfb_encrypted(p)
    with pytest.raises(SheetError) as e:
        open_table(p)
    assert e.value.message == MSG_PASSWORD


def _valid_xlsx(path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["车牌号", "车架号"])
    wb.save(path)


@pytest.mark.parametrize("name,make,message", [
    ("empty.xlsx", lambda p: p.write_bytes(b""), MSG_EMPTY),
    ("empty.csv", lambda p: p.write_bytes(b""), MSG_EMPTY),
    ("blank.csv", lambda p: p.write_bytes(b",,\r\n ,\r\n"), MSG_EMPTY),
    ("picture.xlsx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64), MSG_NOT_SHEET),
    ("notes.xls", lambda p: p.write_bytes("这不是表格".encode()), MSG_NOT_SHEET),
    ("web.xls", lambda p: p.write_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>"), MSG_HTML),
    ("zip.xlsx", lambda p: zipfile.ZipFile(p, "w").writestr("readme.txt", "hello"), MSG_CORRUPT),
])
def test_unreadable_files(tmp_path: Path, name: str, make, message: str) -> None:
    p = tmp_path / name
    make(p)
    with pytest.raises(SheetError) as e:
        open_table(p)
    assert e.value.message == message
    assert str(e.value) == message


def test_truncated_xlsx_is_corrupt(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    _valid_xlsx(good)
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(SheetError) as e:
        open_table(bad)
    assert e.value.message == MSG_CORRUPT


def test_empty_workbook(tmp_path: Path) -> None:
    p = tmp_path / "blank.xlsx"
    openpyxl.Workbook().save(p)
    with pytest.raises(SheetError) as e:
        open_table(p)
    assert e.value.message == MSG_EMPTY


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    p = tmp_path / "list.pdf"
    p.write_bytes(b"%PDF-1.4")
    with pytest.raises(SheetError, match="不支持的文件类型「.pdf」"):
        open_table(p)
    with pytest.raises(SheetError, match="找不到文件"):
        open_table(tmp_path / "nope.xlsx")


def test_xls_extension_on_an_xlsx_file(tmp_path: Path) -> None:
    # DMS exports often name a real .xlsx ".xls": read by content.
    p = tmp_path / "really.xlsx"
    _valid_xlsx(p)
    q = tmp_path / "export.xls"
    q.write_bytes(p.read_bytes())
    t = open_table(q)
    assert _rows(t) == [(1, ["车牌号", "车架号"])]
    t.set_header_row(1)  # format sniffing must not fail on the mislabelled file
