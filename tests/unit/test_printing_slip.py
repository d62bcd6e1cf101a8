"""Status slip: real PDFs read back with pdfplumber (sizes, band, text layer)."""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pdfplumber
import pytest

from desktop.core.status import Term, coverage_status
from desktop.core.timeutil import CST
from tests.unit.pdf_lines import assert_advance_holds_across_faces, baselines_of

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
AT = datetime(2026, 11, 20, 10, 30, tzinfo=CST)
MM = 72 / 25.4  # points per mm


def _t(kind, start, end, **kw):
    return Term(kind, datetime(*start, tzinfo=CST), datetime(*end, tzinfo=CST), **kw)


def statuses():
    due = coverage_status([_t("CI", (2026, 1, 1), (2027, 1, 1), insurer="示例财产保险"),
                           _t("BI", (2026, 1, 1), (2027, 1, 1))], AT)
    lapsed = coverage_status([_t("CI", (2025, 11, 1), (2026, 11, 1)),
                              _t("CI", (2026, 11, 25, 15, 30), (2027, 11, 25, 15, 30))], AT)
    renewed = coverage_status([_t("CI", (2026, 1, 1), (2027, 1, 1)),
                               _t("CI", (2027, 1, 1), (2028, 1, 1))], AT)
    return {"DUE": due, "LAPSED": lapsed, "RENEWED": renewed}


@pytest.fixture(scope="module")
def printing():
    # Imported here so that collection works even before Qt is needed.
    from desktop.printing import fonts, model, slip
    fonts.ensure_gui_app()
    return model, slip


def make_slip(model, status_code="DUE", plate="京A12345"):
    counter = model.CounterInfo("示例汽车销售服务有限公司 续保柜台", "0755-12345678",
                                "示例市样本区幸福路 88 号一楼", "周一至周六 9:00–17:30")
    return model.SlipData(plate, statuses()[status_code], "示例财产保险", "counter",
                          datetime(2026, 11, 1, 9, 0, tzinfo=CST), AT, counter)


def render(printing, tmp_path, paper="a4", status_code="DUE", plate="京A12345") -> Path:
    model, slip = printing
    out = tmp_path / f"slip-{paper}-{status_code}.pdf"
    slip.render_slip_pdf(make_slip(model, status_code, plate), out, paper, font_path=FONT)
    return out


def lines_of(page):
    """Text lines as (top, size, text, chars); bold duplicates removed."""
    chars = page.chars
    rows: dict[float, list] = {}
    for c in chars:
        rows.setdefault(round(c["top"], 1), []).append(c)
    out = []
    for top in sorted(rows):
        cs = sorted(rows[top], key=lambda c: c["x0"])
        out.append((top, max(c["size"] for c in cs), "".join(c["text"] for c in cs), cs))
    return out


def text_of(path: Path) -> str:
    with pdfplumber.open(path) as pdf:
        return "\n".join(p.extract_text() for p in pdf.pages)


SIZES = {"a4": (595, 842), "a5": (420, 595)}
BANDS = {"80mm": (4, 76), "58mm": (5, 53)}
BODY_MIN = {"a4": 16, "a5": 16, "80mm": 14, "58mm": 12}
KEY_MIN = {"a4": 18, "a5": 18, "80mm": 18, "58mm": 18}


@pytest.mark.parametrize("status_code", ["DUE", "LAPSED", "RENEWED"])
@pytest.mark.parametrize("paper", ["a4", "a5", "80mm", "58mm"])
def test_one_page_of_the_right_size(printing, tmp_path, paper, status_code):
    with pdfplumber.open(render(printing, tmp_path, paper, status_code)) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        if paper in SIZES:
            w, h = SIZES[paper]
            assert page.width == pytest.approx(w, abs=1) and page.height == pytest.approx(h, abs=1)
        else:
            width_mm = {"80mm": 80, "58mm": 58}[paper]
            assert page.width == pytest.approx(width_mm * MM, abs=0.01)  # 226.77 / 164.41
            # Fitted to the content: no metres of blank paper below the last line.
            last = max(c["bottom"] for c in page.chars)
            assert page.height - last < 15 * MM


@pytest.mark.parametrize("paper", ["a4", "a5", "80mm", "58mm"])
def test_large_print_sizes(printing, tmp_path, paper):
    with pdfplumber.open(render(printing, tmp_path, paper, "LAPSED")) as pdf:
        page = pdf.pages[0]
        assert min(c["size"] for c in page.chars) >= BODY_MIN[paper] - 0.01
        rows = lines_of(page)
        key = [r for r in rows if "天" in r[2] and "已脱保" in r[2] and "状态" not in r[2]]
        assert key, [r[2] for r in rows]
        assert key[0][1] >= KEY_MIN[paper] - 0.01
        dates = [r for r in rows if "2026年10月31日" in r[2] and "商业险" not in r[2]]
        assert dates and dates[0][1] >= KEY_MIN[paper] - 0.01


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_receipt_text_stays_in_printable_band(printing, tmp_path, paper):
    lo, hi = BANDS[paper]
    for code in ("DUE", "LAPSED", "RENEWED"):
        with pdfplumber.open(render(printing, tmp_path, paper, code)) as pdf:
            chars = pdf.pages[0].chars  # bold copies included: they are ink too
            assert min(c["x0"] for c in chars) >= lo * MM - 0.01
            assert max(c["x1"] for c in chars) <= hi * MM + 0.01


def test_line_advance_is_at_least_one_and_a_half(printing, tmp_path):
    with pdfplumber.open(render(printing, tmp_path, "a4", "LAPSED")) as pdf:
        rows = lines_of(pdf.pages[0])
    checked = 0
    for (t1, s1, _, c1), (t2, s2, _, c2) in zip(rows, rows[1:], strict=False):
        # Glyph boxes of the regular and the bold face sit differently on the line: compare
        # consecutive lines of one size and one face.
        if abs(s1 - s2) < 0.01 and c1[0]["fontname"] == c2[0]["fontname"]:
            assert t2 - t1 >= 1.5 * s1 - 0.01
            checked += 1
    assert checked >= 5


def test_left_aligned_and_not_too_wide(printing, tmp_path):
    with pdfplumber.open(render(printing, tmp_path, "a4", "LAPSED")) as pdf:
        rows = lines_of(pdf.pages[0])
    lefts = [r[3][0]["x0"] for r in rows]
    assert max(lefts) - min(lefts) < 1.5  # one left edge (glyph side bearings differ a little)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    assert max(len(cjk.findall(r[2])) for r in rows) <= 35


@pytest.mark.parametrize("plate", ["京A12345", "粤BD12345"])
@pytest.mark.parametrize("paper", ["a4", "58mm"])
def test_text_layer_plate_date_and_che(printing, tmp_path, plate, paper):
    text = text_of(render(printing, tmp_path, paper, "DUE", plate))
    flat = text.replace("\n", "")
    assert plate in flat  # the slip shows the plate in full
    assert "2026年12月31日" in flat
    assert "车牌号" in text and "⻋" not in text  # 车 is U+8F66, not the radical U+2EC6
    assert "▲ 可续保" in text


def test_only_our_font_is_embedded(printing, tmp_path):
    with pdfplumber.open(render(printing, tmp_path, "a4", "LAPSED")) as pdf:
        # The shipped regular face and the shipped bold face, nothing from the system.
        assert {c["fontname"].split("+")[-1] for c in pdf.pages[0].chars} == {"WenQuanYiMicroHei",
                                                                              "RenewDeskHei-Bold"}


def test_vin_and_bold_text_extract(printing, tmp_path):
    """A VIN-like string (Latin letters then digits) survives, plain and bold."""
    from PySide6.QtGui import QPainter, QPdfWriter

    from desktop.printing.fonts import load_font
    from desktop.printing.layout import Para, draw_lines, layout_paras
    out = tmp_path / "vin.pdf"
    w = QPdfWriter(str(out))
    w.setResolution(288)
    lines = layout_paras([Para("车架号 LSVAU2180N2183294", 16), Para("LFV2A21K8E4123456", 18, True)],
                         load_font(FONT), w, 2000)
    p = QPainter(w)
    draw_lines(p, lines, 100, 100)
    p.end()
    del p, w
    text = text_of(out)
    assert "LSVAU2180N2183294" in text and "LFV2A21K8E4123456" in text


def test_slip_content(printing, tmp_path):
    text = text_of(render(printing, tmp_path, "a4", "LAPSED")).replace("\n", "")
    for s in ("交强险保到 2026年10月31日（当日24时止）", "已脱保 20 天", "新保单 11 月 25 日 15:30 生效",
              "不得上路", "行驶证、身份证/被保险人证件、上年保单", "0755-12345678", "周一至周六",
              "打印时间", "信息来源：本柜台登记", "截至 2026年11月1日 09:00"):
        assert s in text, s
    renewed = text_of(render(printing, tmp_path, "a4", "RENEWED")).replace("\n", "")
    assert "已续保" in renewed and "2027年12月31日" in renewed and "脱保意味着" not in renewed


def test_receipt_page_size_is_exact_custom(printing):
    from PySide6.QtGui import QPageSize
    _, slip = printing
    size = slip.slip_page_size("80mm", 150)
    mm = size.size(QPageSize.Unit.Millimeter)
    assert mm.width() == pytest.approx(80, abs=0.01) and mm.height() >= 150
    assert size.id() == QPageSize.PageSizeId.Custom  # not snapped to a standard size
    assert slip.slip_page_size("a4", 10).id() == QPageSize.PageSizeId.A4


def test_print_slip_on_a_pdf_printer(printing, tmp_path):
    from PySide6.QtPrintSupport import QPrinter
    model, slip = printing
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    slip.print_slip(make_slip(model), printer, "80mm", font_path=FONT)
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        assert pdf.pages[0].width == pytest.approx(80 * MM, abs=1)
        assert "京A12345" in pdf.pages[0].extract_text()


class _FakeInfo:
    """Stands in for QPrinterInfo of a printer that knows only A4."""

    def __init__(self, custom: bool):
        from PySide6.QtGui import QPageSize
        self._custom, self._a4 = custom, QPageSize(QPageSize.PageSizeId.A4)

    def isNull(self):
        return False

    def printerName(self):
        return "柜台激光打印机"

    def supportedPageSizes(self):
        return [self._a4]

    def supportsCustomPageSizes(self):
        return self._custom

    def minimumPhysicalPageSize(self):
        from PySide6.QtCore import QSizeF
        from PySide6.QtGui import QPageSize
        return QPageSize(QSizeF(100, 100), QPageSize.Unit.Millimeter)

    def maximumPhysicalPageSize(self):
        return self._a4


def test_printer_refusing_custom_size_gives_chinese_reason(printing):
    from desktop.printing.layout import printer_refusal
    _, slip = printing
    page = slip.slip_page_size("80mm", 120)
    reason = printer_refusal(_FakeInfo(custom=False), page)
    assert reason and "柜台激光打印机" in reason and "80×" in reason and "自定义" in reason
    reason = printer_refusal(_FakeInfo(custom=True), page)
    assert reason and "最小" in reason  # 80 mm is narrower than this printer's minimum
    assert printer_refusal(_FakeInfo(custom=False), slip.slip_page_size("a4", 0)) is None
    assert printer_refusal(None, page) is None


def test_unknown_paper_and_missing_font(printing, tmp_path):
    from desktop.printing.fonts import FontError, load_font
    from desktop.printing.model import PrintError
    model, slip = printing
    with pytest.raises(PrintError, match="纸张"):
        slip.render_slip_pdf(make_slip(model), tmp_path / "x.pdf", "a3", font_path=FONT)
    with pytest.raises(FontError, match="找不到打印字体"):
        load_font(tmp_path / "nope.ttc")


@pytest.mark.parametrize("paper", ["a4", "80mm"])
def test_line_advance_holds_between_bold_and_regular_lines(printing, tmp_path, paper):
    # "1.5× line spacing" is a baseline-to-baseline advance: a bold line followed by a regular one
    # of the same size was 1.46× (23.35 pt at 16 pt) when each face's glyph box was centred.
    with pdfplumber.open(render(printing, tmp_path, paper, "LAPSED")) as pdf:
        assert_advance_holds_across_faces(baselines_of(pdf.pages[0]))


@pytest.mark.parametrize("paper", ["a4", "58mm"])
def test_a_car_without_a_plate_is_named_by_its_vin(printing, tmp_path, paper):
    # A car imported by VIN alone (no plate yet) printed a slip reading "车牌号" and nothing:
    # the owner's slip named no vehicle at all.
    model, slip = printing
    vin = "LSVAU2180N2183294"
    data = model.SlipData("", statuses()["DUE"], "示例财产保险", "counter",
                          datetime(2026, 11, 1, 9, 0, tzinfo=CST), AT, make_slip(model).counter, vin=vin)
    out = tmp_path / f"vin-{paper}.pdf"
    slip.render_slip_pdf(data, out, paper, font_path=FONT)
    text = text_of(out)
    assert "车架号" in text and "车牌号" not in text
    assert any(vin in line.replace(" ", "") for line in text.split("\n"))  # on one line: searchable


@pytest.mark.parametrize("more_address", ["", "（示例汽车城北门旁）"])
def test_a5_holds_a_lapsed_slip_whose_new_cover_starts_at_a_time(printing, tmp_path, more_address):
    # `slip --paper a5` refused some lapsed cars ("A5 纸一页放不下"): a new cover starting at
    # 15:00 made "新保单 12 月 6 日 15:00 生效，生效前不得上路" wrap a lone "上路" at key size and the
    # compact slip ran 7 mm past the page. A slip is one page on every paper, sizes never shrink.
    model, slip = printing
    at = datetime(2026, 12, 1, 10, 0, tzinfo=CST)
    insurer = "中国太平洋财产保险股份有限公司"  # the longest full company name in use
    st = coverage_status([_t("CI", (2025, 10, 7), (2026, 10, 7), insurer=insurer),
                          _t("CI", (2026, 12, 6, 15, 0), (2027, 12, 6, 15, 0), insurer=insurer),
                          _t("BI", (2026, 12, 6), (2027, 12, 7))], at)
    assert st.status == "LAPSED"
    counter = model.CounterInfo("1号续保柜台", "0755-12345678",
                                "示例省示例市示例区幸福大道西段 1288 号汽车城 A 座一楼" + more_address,
                                "周一至周日 9:00-17:30", org="示例汽车销售服务有限公司")
    data = model.SlipData("宁X67513", st, insurer, "import:b1", datetime(2026, 11, 28, 10, 0, tzinfo=CST),
                          at, counter, vehicle_tax="360")
    out = tmp_path / "lapsed-a5.pdf"
    slip.render_slip_pdf(data, out, "a5", font_path=FONT)
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert (page.width, page.height) == pytest.approx(SIZES["a5"], abs=1)
        chars = page.chars
        assert min(c["size"] for c in chars) >= BODY_MIN["a5"] - 0.01
        # Nothing cut off: every glyph inside the page with its margins (6 mm at the foot).
        assert min(c["x0"] for c in chars) >= 11 * MM - 0.01
        assert max(c["x1"] for c in chars) <= page.width - 11 * MM + 0.01
        assert max(c["bottom"] for c in chars) <= page.height - 6 * MM + 0.01
        rows = baselines_of(page)
        for (y1, s1, _, _), (y2, s2, _, t2) in zip(rows, rows[1:], strict=False):
            if abs(s1 - s2) < 0.01:  # the 1.5x advance, between lines of one size
                assert y2 - y1 >= 1.5 * s2 - 0.01, t2
        keys = {re.sub(r"\s", "", t): s for _, s, _, t in rows}  # size of each line's text
        # The warning is one key-size line, the remaining days still at key size.
        assert keys.get("新保单12月6日15:00生效前不得上路", 0) >= KEY_MIN["a5"] - 0.01, keys
        assert any("已脱保56天" in t and s >= KEY_MIN["a5"] - 0.01 for t, s in keys.items())
    flat = text_of(out).replace("\n", "")
    for s in ("宁X67513", "2026年10月6日", "新保单 12 月 6 日 15:00 生效前不得上路", insurer, "车船税 360 元",
              "没有交强险的车辆不得上路行驶", "0755-12345678", "幸福大道西段", "营业时间", "2026年12月1日 10:00"):
        assert s in flat, s


@pytest.mark.parametrize("status_code", ["DUE", "LAPSED"])
@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_receipt_dates_of_the_source_and_the_print_are_never_split(printing, tmp_path, paper, status_code):
    """On 58 mm the print time wrapped inside its date ("打印时间 2026年11月20" / "日 10:30"), so a
    search for the day found nothing; on a receipt the label now has its own line, as 交强险保到 does."""
    out = render(printing, tmp_path, paper, status_code)
    with pdfplumber.open(out) as pdf:
        lines = ["".join(t.split()) for _, _, t, _ in lines_of(pdf.pages[0])]
    assert any("2026年11月20日" in t for t in lines), lines  # printed at
    assert any("2026年11月1日" in t for t in lines), lines  # the data's as-of


@pytest.mark.parametrize("paper", ["80mm", "58mm"])
def test_receipt_key_lines_keep_each_date_whole_at_key_size(printing, tmp_path, paper):
    """Key lines are 18 pt on both rolls (DESIGN §7 names only the body's exception for 58 mm); at
    that size the end date still sits whole on one line (set a little closer on 48 mm), and the new
    cover's day is never split between its number and 日."""
    with pdfplumber.open(render(printing, tmp_path, paper, "LAPSED")) as pdf:
        rows = lines_of(pdf.pages[0])
    texts = [r[2].replace("\t", " ") for r in rows]
    end = [r for r in rows if "2026年10月31日" in r[2]]
    assert end and end[0][1] >= 18 - 0.01, texts
    starts = [r for r in rows if re.search(r"11\s*月\s*25\s*日", r[2])]
    assert starts and starts[0][1] >= 18 - 0.01, texts
