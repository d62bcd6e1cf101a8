"""The claims guidance slip (理赔指引): what to do after an accident, handed to the owner.

Same large-print rules and paper specs as the status slip (slip.PAPERS): on A4/A5 body >= 16 pt and
key lines >= 18 pt; on 80 mm receipt paper body >= 14 pt, key >= 18 pt, all inside the 72 mm band.
Unlike the status slip the guide may run to a second A4/A5 page (steps + checklist + numbers do
not fit one page at 16 pt); every page repeats the plate and says "第 n 页 / 共 N 页", and a
section heading never sits alone at the foot of a page. A receipt is one page as tall as its text.
Plate in full (the owner's own paper); no name, phone or ID number at all.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPainter
from PySide6.QtPrintSupport import QPrinter

from desktop.core.timeutil import to_cst
from desktop.core.wording import cn_date

from .fonts import load_font
from .guide_template import AccidentText
from .layout import (
    BOLD_INSET_MM,
    Line,
    Para,
    draw_lines,
    flow_height,
    layout_paras,
    mm_to_px,
    new_page,
    pdf_writer,
    set_printer_page,
)
from .model import CounterInfo, PrintError
from .slip import PAPERS as SLIP_PAPERS
from .slip import PaperSpec, _exact_pdf_width, slip_page_size

__all__ = ["CHECKBOX", "GUIDE_PAPERS", "GuideData", "InsurerContact", "PolicyLine", "guide_paragraphs",
           "print_guide", "render_guide_pdf"]

GUIDE_PAPERS = ("a4", "a5", "80mm")
CHECKBOX = "☐"  # in the regular face (the bold face has no box): material lines are not bold
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class InsurerContact:
    role: str            # "交强险" / "商业险" / "交强险、商业险"
    name: str
    claims_phone: str    # as shown: "95518（待核实）" until an admin confirms the entry
    roadside_phone: str
    report_within: str   # "48 小时（待核实）"
    branch_address: str
    branch_hours: str
    confirmed: bool
    in_directory: bool


@dataclass(frozen=True)
class PolicyLine:
    kind_label: str      # 交强险 / 商业险
    insurer: str | None
    policy_no: str | None
    period: str          # "2026年1月1日 至 2026年12月31日（当日24时止）"


@dataclass(frozen=True)
class GuideData:
    plate: str           # full: handed to the owner
    accident: AccidentText  # placeholders already filled
    footer: tuple[str, ...]
    insurers: tuple[InsurerContact, ...]
    policies: tuple[PolicyLine, ...]
    counter: CounterInfo
    printed_at: datetime


def _spec(paper: str) -> PaperSpec:
    if paper not in GUIDE_PAPERS:
        raise PrintError(f"理赔指引不支持纸张“{paper}”，可选：{'、'.join(GUIDE_PAPERS)}。")
    return SLIP_PAPERS[paper]


def _when(dt: datetime) -> str:
    t = to_cst(dt)
    return f"{cn_date(t.date())} {t.hour:02d}:{t.minute:02d}"


@dataclass(frozen=True)
class _Block:
    para: Para
    heading: bool = False  # keep with the next paragraph on the same page


def _blocks(g: GuideData, s: PaperSpec) -> list[_Block]:
    gap = s.body_pt * 0.6
    body, key = s.body_pt, s.key_pt
    a = g.accident
    out = [_Block(Para(f"理赔指引：{a.label}", s.title_pt, True))]
    if s.height_mm is None:  # receipt band: the plate alone on its line, never broken inside
        out += [_Block(Para("车牌号", body, True, gap * 0.5)), _Block(Para(g.plate, s.plate_pt, True))]
    else:
        out.append(_Block(Para(f"车牌号  {g.plate}", s.plate_pt, True, gap * 0.5)))
    n = iter(_NUMERALS)

    def head(title: str) -> None:
        out.append(_Block(Para(f"{next(n)}、{title}", key, True, gap), heading=True))

    head("现场这样做（按顺序）")
    out.extend(_Block(Para(f"{i}. {t}", body)) for i, t in enumerate(a.steps, 1))
    if a.photos:
        head("要拍的照片")
        out.extend(_Block(Para(f"· {t}", body)) for t in a.photos)
    head("理赔材料（备齐一项，打一个勾）")
    out.extend(_Block(Para(f"{CHECKBOX} {t}", body)) for t in a.materials)
    head("保险公司电话")
    if not g.insurers:
        out.append(_Block(Para("本店没有这辆车的承保公司记录：请拨打保单上印的报案电话。", body)))
    for c in g.insurers:
        out.append(_Block(Para(f"{c.name}（{c.role}）", body, True, gap * 0.4), heading=True))
        if not c.in_directory:
            out.append(_Block(Para("本店通讯录里还没有这家公司的电话：请拨打保单上印的报案电话，或致电本店。", body)))
            continue
        if c.claims_phone:
            out.append(_Block(Para(f"报案电话  {c.claims_phone}", key, True)))
        for label, value in (("道路救援", c.roadside_phone), ("报案时限", c.report_within),
                             ("理赔地址", c.branch_address), ("办理时间", c.branch_hours)):
            if value:
                out.append(_Block(Para(f"{label}  {value}", body)))
    if any(c.in_directory and not c.confirmed for c in g.insurers):
        out.append(_Block(Para("标“待核实”的号码本店尚未核实，拨打前请与保单上印的号码核对。", body, False, gap * 0.4)))
    head("本车保单")
    if not g.policies:
        out.append(_Block(Para("本店没有这辆车的保单记录，请以保险公司出具的保单为准。", body)))
    for p in g.policies:
        out.append(_Block(Para(f"{p.kind_label}  {p.insurer or '承保公司未记录'}", body, True, gap * 0.4),
                          heading=True))
        out.append(_Block(Para(f"保单号  {p.policy_no or '未记录'}", body)))
        out.append(_Block(Para(f"保险期间  {p.period}", body)))
    if a.tips:
        head("提示")
        out.extend(_Block(Para(f"· {t}", body)) for t in a.tips)
    c = g.counter
    head("本店联系方式")
    out.append(_Block(Para(c.name, body, True)))
    if c.phone:
        out.append(_Block(Para(f"电话  {c.phone}", key, True)))
    if c.address:
        out.append(_Block(Para(f"地址  {c.address}", body)))
    if c.hours:
        out.append(_Block(Para(f"营业时间  {c.hours}", body)))
    out.extend(_Block(Para(t, body, False, gap if i == 0 else 0)) for i, t in enumerate(g.footer))
    out.append(_Block(Para(f"打印时间  {_when(g.printed_at)}", body)))
    return out


def guide_paragraphs(g: GuideData, paper: str = "a4") -> list[Para]:
    """What the guide says, in order, with sizes for `paper` (no drawing)."""
    return [b.para for b in _blocks(g, _spec(paper))]


@dataclass
class _Laid:
    pages: list[list[Line]]
    running_head: list[Line]   # continuation pages: "理赔指引（续）  京A12345"
    foot_px: float             # room kept at the bottom of A4/A5 pages for the page number
    spec: PaperSpec
    paper: str
    family: str


def _layout(g: GuideData, paper: str, font_path, device: QPagedPaintDevice) -> _Laid:
    s = _spec(paper)
    family = load_font(font_path)
    dpi = device.resolution()
    band = mm_to_px(s.width_mm - 2 * s.margin_x_mm - BOLD_INSET_MM, dpi)
    groups = [(layout_paras([b.para], family, device, band), b.heading) for b in _blocks(g, s)]
    head = layout_paras([Para(f"理赔指引（续）  {g.plate}", s.body_pt, True)], family, device, band)
    if s.height_mm is None:  # receipt: one page as tall as the text
        return _Laid([[ln for lines, _ in groups for ln in lines]], head, 0.0, s, paper, family)
    foot = mm_to_px(s.body_pt * 1.6 * 25.4 / 72, dpi)
    usable = mm_to_px(s.height_mm - s.margin_top_mm - s.margin_bottom_mm, dpi) - foot
    pages: list[list[Line]] = [[]]
    room = usable
    for k, (lines, _) in enumerate(groups):
        need = sum(ln.advance_px for ln in lines) + (lines[0].gap_before_px if pages[-1] else 0.0)
        # A heading goes over with its first line; a heading over a sub-heading (四、保险公司电话 over
        # an insurer's name) with the sub-heading and that one's first line, or it is left alone.
        j = k
        while groups[j][1] and j + 1 < len(groups):
            nxt = groups[j + 1][0]
            need += (nxt[0].gap_before_px + sum(ln.advance_px for ln in nxt)) if groups[j + 1][1] \
                else nxt[0].gap_before_px + nxt[0].advance_px
            j += 1
        if need > room and pages[-1]:
            pages.append([])
            room = usable - flow_height(head) - mm_to_px(s.body_pt * 0.6 * 25.4 / 72, dpi)
        for ln in lines:
            if ln.advance_px > room and pages[-1]:  # a paragraph longer than what is left
                pages.append([])
                room = usable - flow_height(head)
            room -= ln.advance_px + (ln.gap_before_px if pages[-1] else 0.0)
            pages[-1].append(ln)
    return _Laid(pages, head, foot, s, paper, family)


def _page_size(laid: _Laid, dpi: float):
    content_mm = flow_height(laid.pages[0]) * 25.4 / dpi
    return slip_page_size(laid.paper, content_mm)


def _paint(device: QPagedPaintDevice, painter: QPainter, laid: _Laid) -> None:
    dpi = device.resolution()
    s = laid.spec
    x, top = mm_to_px(s.margin_x_mm + BOLD_INSET_MM, dpi), mm_to_px(s.margin_top_mm, dpi)
    total = len(laid.pages)
    band = mm_to_px(s.width_mm - 2 * s.margin_x_mm - BOLD_INSET_MM, dpi)
    for i, lines in enumerate(laid.pages):
        if i:
            new_page(device)
        y = top
        if i:
            y = draw_lines(painter, laid.running_head, x, y) + mm_to_px(s.body_pt * 0.6 * 25.4 / 72, dpi)
        draw_lines(painter, lines, x, y)
        if s.height_mm is not None:
            number = layout_paras([Para(f"第 {i + 1} 页 / 共 {total} 页", s.body_pt)], laid.family, device, band)
            bottom = mm_to_px(s.height_mm - s.margin_bottom_mm, dpi) - flow_height(number)
            draw_lines(painter, number, x, bottom)


def render_guide_pdf(g: GuideData, out_path: str | os.PathLike[str], paper: str = "a4", *,
                     font_path: str | os.PathLike[str]) -> int:
    """Write the guide as a PDF (real text, font embedded); return the number of pages."""
    writer = pdf_writer(out_path, "理赔指引")
    laid = _layout(g, paper, font_path, writer)
    writer.setPageLayout(QPageLayout(_page_size(laid, writer.resolution()), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0)))
    painter = QPainter()
    if not painter.begin(writer):
        raise PrintError(f"无法写入 PDF 文件：{out_path}")
    try:
        _paint(writer, painter, laid)
    finally:
        painter.end()
    pages = len(laid.pages)
    del writer, laid, painter  # closes the file before we touch it
    if SLIP_PAPERS[paper].height_mm is None:
        _exact_pdf_width(Path(out_path), SLIP_PAPERS[paper].width_mm)
    return pages


def print_guide(g: GuideData, printer: QPrinter, paper: str = "a4", *, font_path: str | os.PathLike[str]) -> int:
    """Print the guide with the same layout as the PDF; PrintError before anything is sent if the
    printer refuses the page size."""
    laid = _layout(g, paper, font_path, printer)
    set_printer_page(printer, _page_size(laid, printer.resolution()))
    painter = QPainter()
    if not painter.begin(printer):
        raise PrintError(f"无法开始打印（打印机“{printer.printerName()}”不可用）。")
    try:
        _paint(printer, painter, laid)
    finally:
        painter.end()
    return len(laid.pages)
