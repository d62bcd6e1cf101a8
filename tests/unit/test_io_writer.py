"""desktop.io.xlsx_writer: streamed sheets read back with openpyxl; the reject report re-imports."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.io import ParsedRow, RejectedRow, read_import, write_reject_report, write_sheet
from desktop.io.xlsx_writer import REJECT_REASON_HEADER, REJECT_ROW_HEADER

# Every test here runs through both .xlsx readers (see tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("reader")

CST = timezone(timedelta(hours=8))


def test_write_sheet_dates_freeze_filter_widths(tmp_path: Path) -> None:
    p = tmp_path / "out.xlsx"
    rows = [
        ["京A12345", date(2026, 12, 31), datetime(2027, 1, 1, tzinfo=CST), "=HYPERLINK(\"x\")"],
        ["粤B23456", None, datetime(2026, 5, 1, 2, 30, tzinfo=timezone.utc), "普通文字"],
    ]
    n = write_sheet(p, "到期清单", ["车牌号", "交强险到期日", "止期时刻", "备注"], iter(rows), {1, "止期时刻"})
    assert n == 2
    wb = openpyxl.load_workbook(p)
    ws = wb["到期清单"]
    assert [c.value for c in ws[1]] == ["车牌号", "交强险到期日", "止期时刻", "备注"]
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:D3"
    b2 = ws["B2"]
    assert b2.is_date and b2.number_format == "yyyy-mm-dd" and b2.value == datetime(2026, 12, 31)
    assert ws["C2"].number_format == "yyyy-mm-dd" and ws["C2"].value == datetime(2027, 1, 1)
    # an aware instant is written as CST wall time, with its time shown
    assert ws["C3"].value == datetime(2026, 5, 1, 10, 30) and ws["C3"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["D2"].data_type == "s" and ws["D2"].value.startswith("=")  # text, never a formula
    assert ws.column_dimensions["B"].width >= 12 and ws.column_dimensions["D"].width >= 8


def test_write_sheet_streams_many_rows_with_given_widths(tmp_path: Path) -> None:
    p = tmp_path / "big.xlsx"
    gen = ([f"京A{i:05d}", date(2026, 1, 1) + timedelta(days=i % 365)] for i in range(20000))
    assert write_sheet(p, "x", ["车牌号", "到期日"], gen, ["到期日"], widths=[14, 12]) == 20000
    ws = openpyxl.load_workbook(p, read_only=True)["x"]
    last = list(ws.iter_rows(min_row=20001, max_row=20001, values_only=True))[0]
    assert last == ("京A19999", datetime(2026, 1, 1) + timedelta(days=19999 % 365))


def test_reject_report_round_trip(tmp_path: Path) -> None:
    f = FakeData(44)
    plate_ok, plate_bad = f.plate("ordinary"), f.plate("ordinary")
    src = tmp_path / "src.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户续保名单"])
    ws.append(["车牌号", "被保险人", "身份证号", "险种", "保险止期"])
    ws.append([plate_ok, f.name(), f.id_number(), "交强险", "2026-12-31"])
    ws.append([plate_bad, f.name(), 1.10105e17, "交强险", datetime(2026, 11, 30)])
    ws["E4"].number_format = "yyyy-mm-dd"
    ws.append([plate_bad, None, None, "交强险", "not a date"])
    wb.save(src)

    reading = read_import(src)
    recs = list(reading.records())
    rejected = [r for r in recs if isinstance(r, RejectedRow)]
    assert [r.row for r in rejected] == [4, 5]
    report = tmp_path / "report.xlsx"
    assert write_reject_report(report, reading.source_headers, rejected) == 2

    ws = openpyxl.load_workbook(report).active
    assert [c.value for c in ws[1]] == ["车牌号", "被保险人", "身份证号", "险种", "保险止期",
                                        REJECT_ROW_HEADER, REJECT_REASON_HEADER]
    assert ws["A2"].value == plate_bad and ws["F2"].value == 4 and "身份证号" in ws["G2"].value
    assert ws["E2"].value == datetime(2026, 11, 30) and ws["E2"].number_format == "yyyy-mm-dd"
    assert ws["F3"].value == 5 and "无法识别的日期" in ws["G3"].value

    # Fix the cells in the report and import it again: the two extra columns are ignored.
    ws["C2"] = "11010519491231002X"
    ws["E3"] = "2026-12-31"
    ws.parent.save(report)
    again = read_import(report)
    assert again.header_row == 1
    assert set(again.header.ignored_headers) == {REJECT_ROW_HEADER, REJECT_REASON_HEADER}
    fixed = list(again.records())
    assert all(isinstance(r, ParsedRow) for r in fixed) and len(fixed) == 2
