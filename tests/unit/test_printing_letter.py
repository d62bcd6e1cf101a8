"""Reminder letters: streamed batch PDF, window address block, masking, template checks."""
from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pdfplumber
import pytest

from desktop.core.masking import mask_name, mask_phone, mask_plate
from desktop.core.status import Term, coverage_status
from desktop.core.timeutil import CST
from tests.unit.pdf_lines import assert_advance_holds_across_faces, baselines_of

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
TEMPLATE = ROOT / "resources" / "templates" / "letter_zh.txt"
AT = datetime(2026, 11, 20, 10, 30, tzinfo=CST)
MM = 72 / 25.4

# Fictitious people and places only.
PEOPLE = [("欧阳示例", "示例省样本市幸福区和平街道光明路 123 号 4 栋 2 单元 501 室"),
          ("张测试", "样本市东区长安路 8 号"),
          ("李演示", "示例市西城区虚构巷 5 号院 3 号楼 1 门 202")]


@pytest.fixture(scope="module")
def lt():
    from desktop.printing import fonts, letter, model
    fonts.ensure_gui_app()
    return letter, model


def _status(end_year=2027):
    return coverage_status([Term("CI", datetime(end_year - 1, 1, 1, tzinfo=CST),
                                 datetime(end_year, 1, 1, tzinfo=CST), insurer="示例财产保险")], AT)


def make_letter(model, i=0, phone="13812345678", plate="粤BD12345"):
    name, addr = PEOPLE[i % len(PEOPLE)]
    counter = model.CounterInfo("示例汽车销售服务有限公司 续保柜台", "0755-12345678",
                                "示例市样本区幸福路 88 号一楼", "周一至周六 9:00–17:30")
    return model.LetterData(name, addr, plate, phone, _status(), "示例财产保险", counter, date(2026, 11, 20))


def write(lt, tmp_path, letters, name="letters.pdf"):
    letter, _ = lt
    out = tmp_path / name
    with letter.LetterPdfWriter(out, letter.load_letter_template(TEMPLATE), FONT) as w:
        added = [w.add(x) for x in letters]
    return out, added, w.pages


def region_text(page, x0, top, x1, bottom):
    return page.crop((x0 * MM, top * MM, x1 * MM, bottom * MM)).extract_text() or ""


def test_batch_of_20_is_20_pages(lt, tmp_path):
    _, model = lt
    out, added, pages = write(lt, tmp_path, [make_letter(model, i) for i in range(20)])
    assert added == [1] * 20 and pages == 20
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 20
        assert all(p.width == pytest.approx(595, abs=1) and p.height == pytest.approx(842, abs=1)
                   for p in pdf.pages)


def test_address_block_in_window_has_full_name_and_address(lt, tmp_path):
    _, model = lt
    out, _, _ = write(lt, tmp_path, [make_letter(model, 0)])
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        window = region_text(page, 20, 45, 110, 90).replace("\n", "").replace(" ", "")
        assert "欧阳示例" in window
        assert PEOPLE[0][1].replace(" ", "") in window
        # Every char of the address block lies inside the window.
        inside = [c for c in page.chars if 44 * MM < c["top"] < 91 * MM]
        assert inside and all(20 * MM <= c["x0"] and c["x1"] <= 110 * MM and c["bottom"] <= 90 * MM
                              for c in inside)


def test_body_masks_plate_and_phone_and_has_no_id(lt, tmp_path):
    _, model = lt
    out, _, _ = write(lt, tmp_path, [make_letter(model, 1, plate="京A12345")])
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text().replace("\n", "")
    assert mask_plate("京A12345") in text and "京A12345" not in text
    assert mask_phone("13812345678") in text and "13812345678" not in text
    assert "张**" in text  # the body masks the name; the address block has it in full
    assert "0755-12345678" in text  # the counter's own phone in full
    assert not re.search(r"\d{17}[\dX]", text) and "身份证号" not in text


def test_sizes_key_line_and_line_advance(lt, tmp_path):
    _, model = lt
    out, _, _ = write(lt, tmp_path, [make_letter(model, 0)])
    with pdfplumber.open(out) as pdf:
        chars = pdf.pages[0].chars
    assert min(c["size"] for c in chars) >= 16 - 0.01  # letterhead, window and body
    rows: dict[float, list] = {}
    for c in chars:
        if c["top"] > 95 * MM:
            rows.setdefault(round(c["top"], 1), []).append(c)
    lines = [(t, max(c["size"] for c in rows[t]), "".join(c["text"] for c in sorted(rows[t], key=lambda c: c["x0"])),
              rows[t][0]["fontname"]) for t in sorted(rows)]
    key = [ln for ln in lines if "天到期" in ln[2] or ("当日24时止" in ln[2] and "商业险" not in ln[2])]
    assert len(key) == 2 and all(ln[1] >= 18 - 0.01 for ln in key)
    assert any("2026年12月31日" in ln[2] for ln in key)
    for (t1, s1, _, f1), (t2, s2, _, f2) in zip(lines, lines[1:], strict=False):
        if abs(s1 - s2) < 0.01 and f1 == f2:  # one size, one face (regular and bold boxes sit differently)
            assert t2 - t1 >= 1.5 * s1 - 0.01


def test_line_without_value_is_left_out(lt, tmp_path):
    _, model = lt
    out, _, _ = write(lt, tmp_path, [make_letter(model, 1, phone=None)])
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text()
    assert "您登记的联系电话" not in text and "None" not in text


def test_long_body_flows_onto_a_second_page(lt, tmp_path):
    letter, model = lt
    tpl = letter.load_letter_template(TEMPLATE)
    from desktop.printing.letter_template import parse_letter_template
    long_tpl = parse_letter_template("\n".join(["本行用于测试分页：{letter_date}"] * 40), "长模板")
    out = tmp_path / "long.pdf"
    with letter.LetterPdfWriter(out, long_tpl, FONT) as w:
        assert w.add(make_letter(model)) == 2
        assert w.add(make_letter(model)) == 2
    assert w.pages == 4
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 4
        bottoms = [max(c["bottom"] for c in p.chars) for p in pdf.pages]
        assert max(bottoms) <= 282 * MM + 1
    assert tpl  # the shipped template still loads


def test_unknown_placeholder_is_rejected_at_load(lt, tmp_path):
    letter, _ = lt
    bad = tmp_path / "bad.txt"
    bad.write_text("尊敬的{owner_masked}：\n身份证 {id_number}\n", encoding="utf-8")
    with pytest.raises(letter.TemplateError) as e:
        letter.load_letter_template(bad)
    msg = str(e.value)
    assert "{id_number}" in msg and "第 2 行" in msg and "{plate_masked}" in msg  # lists the allowed ones


@pytest.mark.parametrize("text,needle", [("到期 {ci_end_date:>20}", "格式"), ("半个 {plate_masked", "花括号"),
                                         ("# 只有注释\n\n", "空")])
def test_other_template_mistakes(lt, text, needle):
    from desktop.printing.letter_template import TemplateError, parse_letter_template
    with pytest.raises(TemplateError, match=needle):
        parse_letter_template(text)


def test_print_letters_on_a_pdf_printer(lt, tmp_path):
    from PySide6.QtPrintSupport import QPrinter
    letter, model = lt
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    pages = letter.print_letters((make_letter(model, i) for i in range(3)), printer,
                                 letter.load_letter_template(TEMPLATE), FONT)
    assert pages == 3
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 3
        assert "欧阳示例" in pdf.pages[0].extract_text()


def test_line_advance_holds_between_bold_and_regular_lines(lt, tmp_path):
    # Baseline to baseline (the char's origin), whatever the two lines' faces: the regular line
    # under a bold one of the same size used to sit 1.46× below it.
    _, model = lt
    out, _, _ = write(lt, tmp_path, [make_letter(model, 0)])
    with pdfplumber.open(out) as pdf:
        assert_advance_holds_across_faces(baselines_of(pdf.pages[0]))


def _with_title(model, org: str, counter: str):
    x = make_letter(model, 0)
    c = model.CounterInfo(counter, "0755-12345678", "示例市样本区幸福路 88 号一楼", "周一至周六 9:00–17:30", org=org)
    return model.LetterData(x.addressee_name, x.postal_address, x.plate, x.phone, x.status, x.insurer, c,
                            x.letter_date)


def test_long_letterhead_never_runs_into_the_address_window(lt, tmp_path):
    """The settings allow a 60-character org and counter name: a letterhead of three lines at 18 pt
    used to print its phone line over the addressee in the envelope window. It now steps down to
    body size (16 pt) and stays above the window; the address block is the only text in it."""
    letter, model = lt
    org = "示例省样本市某某某汽车销售服务有限公司城东第一分公司"  # 26 characters
    counter = "续保服务中心一号柜台（大客户窗口）示例示例示例示例样本"  # 54 with the org: 3 lines at 18 pt
    out, _, _ = write(lt, tmp_path, [_with_title(model, org, counter)])
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        head = [c for c in page.chars if c["top"] < 45 * MM]
        window = region_text(page, 20, 45, 110, 90).replace("\n", "").replace(" ", "")
        assert head and max(c["bottom"] for c in head) <= 45 * MM  # above the window's top edge
        assert min(c["size"] for c in page.chars) >= 16 - 0.01
        assert window.startswith("欧阳示例收") and "电话" not in window and "柜台" not in window
        text = page.extract_text().replace("\n", "")
        assert org in text and "0755-12345678" in text


def test_letterhead_too_long_for_any_size_is_refused(lt, tmp_path):
    letter, model = lt
    org = "示例省样本市某某某汽车销售服务有限公司城东第一分公司" * 2  # 52
    with pytest.raises(model.PrintError, match="机构名称"):
        write(lt, tmp_path, [_with_title(model, org, "续保服务中心一号柜台（大客户窗口）示例示例示例示例样本")])


def test_a_continuation_page_says_whose_letter_it_is_masked(lt, tmp_path):
    """A letter that runs over (a long store name and address) put its sign-off alone on a second
    sheet with nothing on it saying which letter it belongs to; in a batch of hundreds the sheets
    are folded by hand. The continuation page now starts with a running head, masked as the body."""
    letter, model = lt
    from desktop.printing.letter_template import parse_letter_template
    long_tpl = parse_letter_template("\n".join(["本行用于测试分页：{letter_date}"] * 40), "长模板")
    out = tmp_path / "long.pdf"
    x = make_letter(model)
    with letter.LetterPdfWriter(out, long_tpl, FONT) as w:
        assert w.add(x) == 2
    with pdfplumber.open(out) as pdf:
        first = [t for *_, t in baselines_of(pdf.pages[1])][0].replace("\t", " ")
        sizes = {round(c["size"], 1) for c in pdf.pages[1].chars}
        top = min(c["top"] for c in pdf.pages[1].chars)
    assert mask_name(x.addressee_name) in first and mask_plate(x.plate) in first and "第 2 页" in first
    assert x.addressee_name not in first and x.plate not in first
    assert min(sizes) >= 16 - 0.01 and top >= 10 * MM
