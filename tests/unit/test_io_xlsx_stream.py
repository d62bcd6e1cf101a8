"""desktop.io.xlsx_stream: the streaming reader gives python-calamine's values, value for value and
type for type, on hand-written package XML (shared strings with rich text and phonetics, every cell
type, date formats, 1904 workbooks, skipped rows and cells) and on generated workbooks."""

from __future__ import annotations

import random
import tracemalloc
import zipfile
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest

from desktop.io import xlsx_stream
from desktop.io.table_reader import MSG_CORRUPT, SheetError, open_table

NS = ('xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STYLES = (f'<styleSheet {NS}><numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
          '<numFmt numFmtId="165" formatCode="[h]:mm"/><numFmt numFmtId="166" formatCode="&quot;Y&quot;0.00"/>'
          '</numFmts><cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="22"/>'
          '<xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="166"/></cellXfs></styleSheet>')
SST = f"""<sst {NS} count="6" uniqueCount="6">
<si><t>plain</t></si>
<si><r><rPr><b/></rPr><t>ri</t></r><r><t xml:space="preserve">ch </t></r><r><t>text</t></r></si>
<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="1"/></si>
<si><t>a_x000D_b&amp;c&lt;</t></si>
<si><t/></si>
<si><t xml:space="preserve">  京A12345 </t></si>
</sst>"""
# Rows 1, 3 and 6 are missing; row 5 has no r attribute, neither have some cells.
SHEET = """<sheetData>
<row r="2"><c r="B2" t="s"><v>0</v></c><c r="C2" t="s"><v>1</v></c><c t="s"><v>2</v></c><c t="s"><v>3</v></c>
<c r="G2" t="s"><v>4</v></c><c r="H2" t="s"><v>5</v></c></row>
<row r="4"><c r="A4" s="1"><v>46022</v></c><c r="B4" s="2"><v>46022.5</v></c><c r="C4" s="3"><v>0.25</v></c>
<c r="D4" s="4"><v>1.5</v></c><c r="E4" s="5"><v>12.5</v></c><c r="F4" s="3"><v>60</v></c>
<c r="G4" s="3"><v>59.999999</v></c><c r="H4" s="9"><v>46022</v></c></row>
<row><c r="A5" t="e"><v>#DIV/0!</v></c><c r="B5" t="b"><v>1</v></c><c r="C5" t="b"><v>0</v></c>
<c r="D5" t="str"><v>x&amp;y</v></c><c r="E5"><f>1+1</f><v>2</v></c><c r="F5"><v>abc</v></c>
<c r="G5" t="n"><v>1E3</v></c><c r="H5" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c></row>
<row r="7"><c r="A7" t="d"><v>2026-12-31T10:00:00</v></c><c r="B7" t="d"><v>2026-12-31</v></c><c r="C7"><v>-0.5</v></c>
<c r="D7" s="1"><v>-3</v></c><c r="E7" s="1"><v>4000000</v></c><c r="F7" s="1"/><c r="G7"><f>A1</f><v/></c></row>
</sheetData><mergeCells count="1"><mergeCell ref="B2:C3"/></mergeCells>"""


def _package(path: Path, sheet: str = SHEET, sst: str = SST, date1904: bool = False) -> Path:
    """A minimal .xlsx written by hand, so the XML holds exactly what a test needs."""
    rels = '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}</Relationships>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.sheet.main+xml"/>'
                   '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                   'officedocument.spreadsheetml.worksheet+xml"/></Types>')
        z.writestr("_rels/.rels", rels.format(f'<Relationship Id="rId1" Type="{REL}/officeDocument" '
                                              'Target="xl/workbook.xml"/>'))
        pr = '<workbookPr date1904="1"/>' if date1904 else "<workbookPr/>"
        z.writestr("xl/workbook.xml", f'<workbook {NS}>{pr}<sheets><sheet name="数据" sheetId="1" r:id="rId1"/>'
                                      '</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", rels.format(
            f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/styles" Target="/xl/styles.xml"/>'))
        z.writestr("xl/styles.xml", STYLES)
        z.writestr("xl/sharedStrings.xml", sst)
        z.writestr("xl/worksheets/sheet1.xml", f"<worksheet {NS}>{sheet}</worksheet>")
    return path


def _read(path: Path, stream: bool, monkeypatch, sheet: str | None = None):
    monkeypatch.setattr(xlsx_stream, "STREAM_MIN_BYTES", 0 if stream else 1 << 62)
    with open_table(path, sheet) as t:
        assert (t._stream is not None) is stream
        meta = (t.sheet_name, t.sheet_names, t.merged_ranges)
        rows = [(n, v) for n, v in t.iter_rows() if v]  # calamine starts at its first non-empty row
    return meta, rows


def _typed(rows):
    return [(n, [(type(x).__name__, x) for x in v]) for n, v in rows]


def _assert_same(path: Path, monkeypatch, sheet: str | None = None) -> list:
    cal = _read(path, False, monkeypatch, sheet)
    streamed = _read(path, True, monkeypatch, sheet)
    assert streamed[0] == cal[0]
    assert _typed(streamed[1]) == _typed(cal[1])
    return streamed[1]


@pytest.mark.parametrize("date1904", [False, True])
def test_hand_written_package_matches_calamine(tmp_path: Path, monkeypatch, date1904: bool) -> None:
    rows = dict(_assert_same(_package(tmp_path / "h.xlsx", date1904=date1904), monkeypatch))
    assert rows[2] == [None, "plain", "plain", "東京", "a\rb&c<", None, None, "京A12345"]
    assert rows[3] == [None, "plain", "plain"]  # B2:C3 merged
    assert rows[5] == [None, True, False, "x&y", 2.0, "abc", 1000.0, "inline"]
    if not date1904:
        assert rows[4] == [date(2025, 12, 31), datetime(2025, 12, 31, 12), time(6), timedelta(hours=36), 12.5,
                           date(1900, 2, 28), datetime(1900, 2, 28, 23, 59, 59, 914000), 46022.0]
    assert rows[7] == [datetime(2026, 12, 31, 10), date(2026, 12, 31), -0.5, time(0), 4000000.0]


def test_generated_workbook_matches_calamine(tmp_path: Path, monkeypatch) -> None:
    rnd = random.Random(7)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "清单"
    ws["B2"] = "标题"
    ws.merge_cells("B2:E2")
    fmts = ["yyyy-mm-dd", "yyyy-mm-dd hh:mm:ss", "General", "0.00", 'yyyy"年"m"月"d"日"', "hh:mm", "@"]  # [h]:mm: see the hand-written test
    for r in range(4, 400):
        if rnd.random() < 0.1:
            continue  # a skipped row
        for c in range(1, 12):
            pick = rnd.random()
            if pick < 0.15:
                continue
            if pick < 0.4:
                v = rnd.choice([rnd.randint(0, 60000), rnd.uniform(-2, 70000), rnd.randint(10**14, 10**16)])
            elif pick < 0.6:
                v = datetime(2020, 1, 1) + timedelta(seconds=rnd.randint(0, 10**8) * rnd.choice([1, 864]))
            elif pick < 0.7:
                v = rnd.choice([True, False, "=1/0", '="a"&"b"'])
            else:
                v = "".join(rnd.choice("京A0123 粤B45_x&<>") for _ in range(rnd.randint(0, 12)))
            cell = ws.cell(row=r, column=c, value=v)
            cell.number_format = rnd.choice(fmts)
    for r in range(4, 400, 20):  # merged after the values: openpyxl refuses values in merged cells
        ws.merge_cells(start_row=r, start_column=2, end_row=r + 1, end_column=3)
    _assert_same(_package_from(wb, tmp_path / "g.xlsx"), monkeypatch)


def _package_from(wb, path: Path) -> Path:
    wb.save(path)
    return path


def test_sheet_choice_and_errors_follow_calamine(tmp_path: Path, monkeypatch) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "helper"
    wb.active.sheet_state = "hidden"
    wb.create_sheet("空表")
    wb.create_sheet("数据").append(["车牌号", "车架号"])
    p = _package_from(wb, tmp_path / "s.xlsx")
    monkeypatch.setattr(xlsx_stream, "STREAM_MIN_BYTES", 0)
    assert open_table(p).sheet_name == "数据"
    assert open_table(p, sheet="说明").sheet_name == "说明"
    with pytest.raises(SheetError, match="找不到工作表「其他」"):
        open_table(p, sheet="其他")
    with pytest.raises(SheetError, match="工作表「空表」是空的"):
        open_table(p, sheet="空表")
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(p) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data[: len(data) // 2] if item.filename.startswith("xl/worksheets/") else data)
    with pytest.raises(SheetError) as e:
        list(open_table(broken).iter_rows())
    assert e.value.message == MSG_CORRUPT


def test_merge_scan_across_chunk_boundaries(tmp_path: Path, monkeypatch) -> None:
    merges = "".join(f'<mergeCell ref="A{r}:B{r + 1}"/>' for r in range(1, 400, 2))
    p = _package(tmp_path / "m.xlsx", sheet=f'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData>'
                                            f'<mergeCells count="200">{merges}</mergeCells>')
    monkeypatch.setattr(xlsx_stream, "_CHUNK", 37)  # every element straddles some chunk boundary
    book = xlsx_stream.XlsxBook(p)
    got = book.sheet("数据").merged_ranges()
    book.close()
    assert got == [(r, 0, r + 1, 1) for r in range(1, 400, 2)]


def test_memory_stays_flat_while_streaming(tmp_path: Path) -> None:
    """Rows are dropped as they are read: peak Python memory does not grow with the sheet, and the
    shared strings cost their UTF-8 bytes plus an offset each."""
    n = 20_000
    sst = "".join(f"<si><t>京A{i:05d}-{i * 7919 % 100003:06d}</t></si>" for i in range(n))
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{r - 1}</v></c><c r="B{r}" s="1"><v>{46000 + r % 300}</v>'
                   f'</c><c r="C{r}"><v>{r * 1.5}</v></c></row>' for r in range(1, n + 1))
    p = _package(tmp_path / "big.xlsx", sheet=f"<sheetData>{rows}</sheetData>", sst=f"<sst {NS}>{sst}</sst>")
    book = xlsx_stream.XlsxBook(p)
    tracemalloc.start()
    strings = book.strings()
    after_strings = tracemalloc.get_traced_memory()[0]
    count = sum(1 for _ in book.sheet("数据").rows())
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    book.close()
    assert count == n and strings[n - 1] == f"京A{n - 1:05d}-{(n - 1) * 7919 % 100003:06d}"
    assert after_strings < n * 32  # 16 UTF-8 bytes + a 4-byte offset each; a str would take ~90
    assert peak - after_strings < 1 << 20  # rows kept, even emptied, would cost ~2 MB here
