"""Reminder letters on A4 for a DL window envelope, streamed into one PDF.

The address block (full name and postal address: the post needs them) sits in
the envelope window, about 20 mm from the left and 45 mm from the top. The
body comes from a template and masks the owner's name, plate and phone; no ID
number is printed at all. The counter's own phone is printed in full.

A batch is one QPdfWriter and one QPainter with newPage() between letters:
each letter is laid out, drawn and dropped, so 10,000 letters take the memory
of one (Qt writes each finished page to the file).
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import datetime

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from desktop.core.masking import mask_name, mask_phone, mask_plate
from desktop.core.timeutil import to_cst
from desktop.core.wording import (
    STATUS_LABEL,
    STATUS_SYMBOL,
    ci_end_phrase,
    cn_date,
    days_phrase,
    end_date_phrase,
    lapse_consequences,
)
from desktop.rates import lapse_fine_example

from .fonts import load_font
from .layout import (
    BOLD_INSET_MM,
    Para,
    draw_lines,
    flow_height,
    layout_paras,
    mm_to_px,
    new_page,
    pdf_writer,
    set_printer_page,
)
from .letter_template import LetterTemplate, TemplateError, load_letter_template
from .model import WHAT_TO_BRING, CounterInfo, LetterData, PrintError

__all__ = ["LetterPdfWriter", "TemplateError", "address_paragraphs", "letter_paragraphs", "letter_values",
           "load_letter_template", "no_letters_paragraphs", "print_letters"]

BODY_PT, KEY_PT, HEAD_PT = 16.0, 18.0, 18.0
NOTICE_PT = 22.0  # the headline of the page a batch with no letters prints

# Geometry in mm from the paper's top-left corner.
BODY_LEFT, BODY_RIGHT = 25.0, 20.0  # wider left margin for filing holes
BODY_X_MM = BODY_LEFT + BOLD_INSET_MM  # where body text starts (the drawn-bold inset kept clear)
BODY_WIDTH_MM = 210 - BODY_LEFT - BODY_RIGHT - BOLD_INSET_MM
HEAD_TOP = 14.0  # letterhead, above the window
WINDOW = (20.0, 45.0, 90.0, 45.0)  # DL window: left, top, width, height
WINDOW_PAD = 3.0  # the sheet moves a little inside the envelope
BODY_TOP, BODY_TOP_NEXT, BODY_BOTTOM = 98.0, 20.0, 282.0
# Tried in turn until the address fits the window (the post reads it, and a
# long address must not drop out of view).
ADDRESS_SIZES = (16.0, 14.0, 12.0, 10.5)


def letter_values(letter: LetterData) -> dict[str, str]:
    """Placeholder values for one letter: personal data masked, counter data in full."""
    st, c = letter.status, letter.counter
    return {
        "owner_masked": mask_name(letter.addressee_name) or "",
        "plate_masked": mask_plate(letter.plate) or "",
        "phone_masked": mask_phone(letter.phone) or "",
        "insurer": letter.insurer or "",
        "status_label": f"{STATUS_SYMBOL[st.status]} {STATUS_LABEL[st.status]}",
        "ci_end_date": ci_end_phrase(st),
        "days_phrase": days_phrase(st) if st.ci_end_date else "",
        "bi_end_date": end_date_phrase(st.bi_end_date) if st.bi_end_date else "",
        "lapse_consequences": "\n".join(f"· {x}" for x in lapse_consequences(lapse_fine_example())),
        "what_to_bring": WHAT_TO_BRING,
        "reminder_title": "交强险续保和年检提醒" if letter.inspection_due else "交强险续保提醒",
        # the merged reminder names 车船税 even when last year's amount was not recorded (the card
        # and the work tabs do); a car outside the tax gets no line
        "vehicle_tax": f"{letter.vehicle_tax} 元" if letter.vehicle_tax else ("按当地标准" if letter.vehicle_tax_due else ""),
        "inspection_due": (cn_date(letter.inspection_due) + ("（估算）" if letter.inspection_estimate else ""))
        if letter.inspection_due else "",
        "counter_name": c.name,
        "org": c.org or "",
        "counter_title": c.title,
        "counter_phone": c.phone,
        "counter_address": c.address or "",
        "counter_hours": c.hours or "",
        "letter_date": cn_date(letter.letter_date),
    }


def letter_paragraphs(letter: LetterData, template: LetterTemplate) -> list[Para]:
    """The body (template) paragraphs of one letter."""
    return template.render(letter_values(letter), BODY_PT, KEY_PT)


def address_paragraphs(letter: LetterData, size_pt: float = ADDRESS_SIZES[0]) -> list[Para]:
    """The window block: full name and full postal address (the exception to masking)."""
    return [Para(f"{letter.addressee_name.strip()} 收", size_pt, True),
            Para(letter.postal_address.strip(), size_pt)]


def no_letters_paragraphs(counter: CounterInfo, due_within: int | None, include_lapsed: bool,
                          made_at: datetime, skipped: int = 0) -> list[Para]:
    """The one page of a batch with no letters: says so in large type, for which window and when.

    A blank page (what an empty QPdfWriter leaves) told the clerk nothing and its page count
    disagreed with the reported "pages": 0.
    """
    t = to_cst(made_at)
    gap = BODY_PT * 0.8
    out = [Para("没有需要寄出的提醒信", NOTICE_PT, True)]
    if counter.title:
        out.append(Para(counter.title, BODY_PT, True, gap))
    if due_within is not None:
        window = "今天到期" if due_within == 0 else f"{due_within} 天内到期"
        lapsed = "，以及脱保 3 年内" if include_lapsed else ""
        out.append(Para(f"查找范围：交强险{window}{lapsed}的车辆", BODY_PT, False, gap))
    out.append(Para(f"这个范围内有 {skipped} 辆车不寄信（未同意寄信、没有地址、已卖或已报废）。" if skipped
                    else "这个范围内没有车辆。", BODY_PT))
    out.append(Para(f"生成时间：{cn_date(t.date())} {t.hour:02d}:{t.minute:02d}", BODY_PT))
    out.append(Para("本页只是说明，不用寄出。", BODY_PT, True, gap))
    return out


def _letterhead(letter: LetterData, size_pt: float = HEAD_PT) -> list[Para]:
    c = letter.counter
    head = [Para(c.title, size_pt, True)]
    return head + [Para(f"电话 {c.phone}", BODY_PT, True)] if c.phone else head


def _continued(letter: LetterData, page: int) -> str:
    """The running head of a letter's page after the first: "（续）致 张** · 京A1***5 · 第 2 页"."""
    return f"（续）致 {mask_name(letter.addressee_name) or ''} · {mask_plate(letter.plate) or ''} · 第 {page} 页"


class _LetterDrawer:
    """Draws letters on any paged device (PDF writer or printer): one code path."""

    def __init__(self, device: QPagedPaintDevice, painter: QPainter, template: LetterTemplate,
                 family: str) -> None:
        self.device, self.painter, self.template, self.family = device, painter, template, family
        self.dpi = device.resolution()
        self.pages = 0

    def _px(self, mm: float) -> float:
        return mm_to_px(mm, self.dpi)

    def _address_lines(self, letter: LetterData):
        x, y, w, h = WINDOW
        width = self._px(w - 2 * WINDOW_PAD - BOLD_INSET_MM)
        limit = self._px(h - 2 * WINDOW_PAD)
        for size in ADDRESS_SIZES:
            lines = layout_paras(address_paragraphs(letter, size), self.family, self.device, width)
            if flow_height(lines) <= limit:
                return lines
        raise PrintError(f"收件地址太长，信封窗口放不下（{len(letter.postal_address)} 个字）。"
                         f"请把地址改短一些（例如去掉重复的省市）。")

    def _head_lines(self, letter: LetterData, width: float):
        """The letterhead at key size, else at body size, ending above the envelope window: the
        settings allow a store and counter name long enough to wrap onto three lines, whose phone
        line was printed over the addressee."""
        limit = self._px(WINDOW[1] - HEAD_TOP)
        for size in (HEAD_PT, BODY_PT):
            lines = layout_paras(_letterhead(letter, size), self.family, self.device, width)
            if flow_height(lines) <= limit:
                return lines
        raise PrintError(f"机构名称和柜台名称太长（{len(letter.counter.title)} 个字），信头会压住信封窗口的收件地址。"
                         f"请在设置里把机构名称（org）或柜台名称（counter_name）改短一些。")

    def draw(self, letter: LetterData) -> int:
        """Draw one letter from a fresh page on; return the pages it took."""
        p, px = self.painter, self._px
        width, left = px(BODY_WIDTH_MM), px(BODY_X_MM)
        address = self._address_lines(letter)  # fail before anything is drawn
        head = self._head_lines(letter, width)
        if self.pages:
            new_page(self.device)
        draw_lines(p, head, left, px(HEAD_TOP))
        draw_lines(p, address, px(WINDOW[0] + WINDOW_PAD + BOLD_INSET_MM), px(WINDOW[1] + WINDOW_PAD))
        body = layout_paras(letter_paragraphs(letter, self.template), self.family, self.device, width)
        used, y, bottom = 1, px(BODY_TOP), px(BODY_BOTTOM)
        start = 0
        while start < len(body):
            # As many lines as fit; the gap before a page's first line is dropped.
            end, h = start, 0.0
            while end < len(body):
                step = body[end].advance_px + (body[end].gap_before_px if end > start else 0.0)
                if y + h + step > bottom and end > start:
                    break
                h += step
                end += 1
            draw_lines(p, body[start:end], left, y)
            start = end
            if start < len(body):
                new_page(self.device)
                used += 1
                # Whose letter a loose sheet belongs to (batches are folded by hand), masked as the body.
                cont = layout_paras([Para(_continued(letter, used), BODY_PT)], self.family, self.device, width)
                draw_lines(p, cont, left, px(HEAD_TOP))
                y = max(px(BODY_TOP_NEXT), px(HEAD_TOP) + flow_height(cont) + px(BODY_PT * 0.6 * 25.4 / 72))
        self.pages += used
        return used

    def draw_notice(self, paras: list[Para]) -> int:
        """One page of `paras` in the body band from the top (a batch with no letters says so)."""
        px = self._px
        if self.pages:
            new_page(self.device)
        lines = layout_paras(paras, self.family, self.device, px(BODY_WIDTH_MM))
        if flow_height(lines) > px(BODY_BOTTOM - HEAD_TOP):
            raise PrintError("说明页的内容太长，一页放不下。")
        draw_lines(self.painter, lines, px(BODY_X_MM), px(HEAD_TOP))
        self.pages += 1
        return 1


def _a4_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(0, 0, 0, 0))


class LetterPdfWriter:
    """Stream letters into one PDF::

        with LetterPdfWriter(out, template, font_path) as w:
            for letter in letters:
                w.add(letter)
        w.pages
    """

    def __init__(self, out_path: str | os.PathLike[str], template: LetterTemplate,
                 font_path: str | os.PathLike[str]) -> None:
        self._family = load_font(font_path)
        self._writer = pdf_writer(out_path, "交强险续保提醒")
        self._writer.setPageLayout(_a4_layout())
        self._painter = QPainter()
        if not self._painter.begin(self._writer):
            raise PrintError(f"无法写入 PDF 文件：{out_path}")
        self._drawer = _LetterDrawer(self._writer, self._painter, template, self._family)
        self._closed = False

    @property
    def pages(self) -> int:
        return self._pages if self._closed else self._drawer.pages

    def add(self, letter: LetterData) -> int:
        if self._closed:
            raise PrintError("信件 PDF 已经写完，不能再添加。")
        return self._drawer.draw(letter)

    def add_notice(self, paras: list[Para]) -> int:
        """A page of its own saying something about the batch (e.g. no_letters_paragraphs)."""
        if self._closed:
            raise PrintError("信件 PDF 已经写完，不能再添加。")
        return self._drawer.draw_notice(paras)

    def close(self) -> None:
        if not self._closed:
            self._pages = self._drawer.pages
            self._closed = True
            self._painter.end()
            del self._drawer, self._painter, self._writer  # flush and close the file now

    def __enter__(self) -> LetterPdfWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def print_letters(letters: Iterable[LetterData], printer: QPrinter, template: LetterTemplate,
                  font_path: str | os.PathLike[str]) -> int:
    """Print letters on `printer` (A4, same drawing code as the PDF); return pages printed."""
    family = load_font(font_path)
    set_printer_page(printer, QPageSize(QPageSize.PageSizeId.A4))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(f"无法开始打印（打印机“{printer.printerName()}”不可用）。")
    try:
        drawer = _LetterDrawer(printer, painter, template, family)
        for letter in letters:
            drawer.draw(letter)
        return drawer.pages
    finally:
        painter.end()
