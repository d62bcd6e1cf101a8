"""Broken and hostile workbooks never take the process down (issue 10 item 8): a sheet whose used
range spans the whole grid is read in constant memory, and generated damage to a real workbook
ends in a Chinese BadInput (or a clean read), never a crash, an abort or a bare library error."""
from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.errors import BadInput
from desktop.io.grid_guard import _grid_too_large
from desktop.io.table_reader import open_table


def _workbook(path: Path, corner: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "车架号", "交强险止期", "被保险人"])
    ws.append(["京A12345", "LSVAU2180N2183294", "2026-12-31", "张三"])
    if corner:
        ws.cell(row=1048576, column=16384, value="x")
    wb.save(path)
    return path


def test_a_cell_at_the_last_row_and_column_is_read_in_bounded_memory(tmp_path):
    path = _workbook(tmp_path / "corner.xlsx", corner=True)
    assert path.stat().st_size < 10_000 and _grid_too_large(path)
    assert not _grid_too_large(_workbook(tmp_path / "plain.xlsx"))
    # In a child with 3 GB of address space: calamine alone asks for 512 GiB and aborts (SIGABRT).
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30));"
            "from desktop.io.table_reader import open_table;"
            f"t = open_table({str(path)!r}); rows = [r for _, r in t.iter_rows() if any(v is not None for v in r)];"
            "print(len(rows), rows[0][:2])")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr[-500:]
    assert p.stdout.startswith("3 ['车牌号', '车架号']")


def _rewrite_sheet(path: Path, out: Path, old: bytes, new: bytes) -> Path:
    src = zipfile.ZipFile(path)
    with zipfile.ZipFile(out, "w") as z:
        for n in src.namelist():
            data = src.read(n)
            z.writestr(n, data.replace(old, new) if n.startswith("xl/worksheets/") else data)
    return out


@pytest.mark.parametrize("written", [b'<c t="inlineStr" r="XFD1048576"', b'<c  r="XFD1048576" t="inlineStr"'])
def test_the_grid_guard_sees_a_far_cell_however_its_reference_is_written(tmp_path, written):
    # The guard's fast scan only knows <c r="…" first; any other spelling must still be counted.
    corner = _workbook(tmp_path / "corner.xlsx", corner=True)
    assert b'<c r="XFD1048576"' in zipfile.ZipFile(corner).read("xl/worksheets/sheet1.xml")
    odd = _rewrite_sheet(corner, tmp_path / "odd.xlsx", b'<c r="XFD1048576" t="inlineStr"', written)
    assert written in zipfile.ZipFile(odd).read("xl/worksheets/sheet1.xml")
    assert _grid_too_large(odd)


def test_the_grid_guard_goes_by_the_cells_not_the_rows_they_sit_in(tmp_path):
    # The fast scan bounds the rows by the <row r> elements, then looks for any cell past that bound:
    # a far cell inside a row that claims to be row 3 must still be seen.
    corner = _workbook(tmp_path / "corner.xlsx", corner=True)
    odd = _rewrite_sheet(corner, tmp_path / "odd.xlsx", b'<row r="1048576"', b'<row r="3"')
    sheet = zipfile.ZipFile(odd).read("xl/worksheets/sheet1.xml")
    assert b'<row r="1048576"' not in sheet and b'<c r="XFD1048576"' in sheet
    assert _grid_too_large(odd)
    wide = _workbook(tmp_path / "wide.xlsx")
    far = _rewrite_sheet(wide, tmp_path / "far.xlsx", b'<c r="D2"', b'<c r="D999999"')  # in row 2's element
    assert b'<c r="D999999"' in zipfile.ZipFile(far).read("xl/worksheets/sheet1.xml")
    assert not _grid_too_large(far)  # 999,999 rows x 4 columns is a grid calamine can hold
    farther = _rewrite_sheet(wide, tmp_path / "farther.xlsx", b'<c r="D2"', b'<c r="XFD999999"')
    assert _grid_too_large(farther)


@given(st.lists(st.tuples(st.integers(1, 1_048_576), st.integers(1, 16_384)), min_size=1, max_size=6),
       st.integers(1, 1_048_576))
@settings(max_examples=200, deadline=None)
def test_the_grid_guard_bounds_are_never_narrower_than_the_cells(cells, row_element):
    from desktop.io.grid_guard import _chunk_refs, _col_number

    def letters(n: int) -> bytes:
        out = b""
        while n:
            n, r = divmod(n - 1, 26)
            out = bytes([65 + r]) + out
        return out

    xml = b'<sheetData><row r="%d">' % row_element + b"".join(
        b'<c r="%s%d" t="n"><v>1</v></c>' % (letters(c), r) for r, c in cells) + b"</row></sheetData>"
    cols, low, high = _chunk_refs(xml)
    assert low <= min(r for r, _ in cells) and high >= max(r for r, _ in cells)
    assert {_col_number(c) for c in cols} == {c for _, c in cells}


def _damaged(data: bytes, how: str, at: float, junk: bytes) -> bytes:
    if how == "truncate":
        return data[: int(len(data) * at)]
    if how == "flip":
        i = int((len(data) - 1) * at)
        return data[:i] + bytes([data[i] ^ 0xFF]) + data[i + 1:]
    # Rewrite one member of the package with junk (a sheet, the shared strings, the workbook).
    src = zipfile.ZipFile(io.BytesIO(data))
    names = src.namelist()
    victim = names[int((len(names) - 1) * at)]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n in names:
            z.writestr(n, junk if n == victim else src.read(n))
    return out.getvalue()


@pytest.fixture(scope="module")
def good_bytes(tmp_path_factory) -> bytes:
    return _workbook(tmp_path_factory.mktemp("wb") / "good.xlsx").read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(how=st.sampled_from(["truncate", "flip", "member"]), at=st.floats(0, 1),
       junk=st.binary(max_size=200) | st.sampled_from([b"<worksheet/>", b"<?xml version='1.0'?><x>", b""]))
def test_damaged_workbooks_are_a_chinese_error_or_a_clean_read(tmp_path, good_bytes, how, at, junk):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(_damaged(good_bytes, how, at, junk))
    try:
        table = open_table(path)
        with table:
            for _row in table.iter_rows():
                pass
    except BadInput as exc:
        assert exc.message and "Traceback" not in exc.message


def test_a_huge_rejected_value_is_cut_in_the_report(tmp_path):
    from desktop.io.reading import read_import
    from desktop.io.rows import MAX_SHOWN, RejectedRow

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "交强险止期"])
    ws.append(["京A12345", "不是日期" * 5000])
    wb.save(tmp_path / "long.xlsx")
    reading = read_import(tmp_path / "long.xlsx")
    try:
        (rejected,) = [r for r in reading.records() if isinstance(r, RejectedRow)]
    finally:
        reading.close()
    assert len(rejected.value) < MAX_SHOWN + 20 and "共 20000 字" in rejected.value
