"""The status slip: one page handed to the owner at the counter.

Large print for elderly readers (domain-rules §8): on A4/A5 body >= 16 pt and
key lines >= 18 pt; on receipt paper (a deliberate exception, DESIGN §7) 80 mm
body >= 14 pt and 58 mm body >= 12 pt, key lines 18 pt on both. Everything is left-aligned, black on
white, bold rather than italic. The slip shows the plate in full (it goes to
the owner). Receipt pages are exactly as wide as the roll and as tall as the
content: we lay out first, then size the page.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPagedPaintDevice, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter

from desktop.core.status import LAPSED, NONE, PENDING, RENEWED
from desktop.core.timeutil import to_cst
from desktop.core.wording import (
    STATUS_LABEL,
    STATUS_SYMBOL,
    ci_end_phrase,
    cn_date,
    coming_gap,
    days_phrase,
    end_date_phrase,
    lapse_consequences,
    next_start_warning,
)
from desktop.rates import lapse_fine_example

from .fonts import load_font
from .layout import (
    BOLD_INSET_MM,
    Para,
    custom_page_size,
    draw_lines,
    flow_height,
    layout_paras,
    mm_to_px,
    pdf_writer,
    set_printer_page,
)
from .model import WHAT_TO_BRING, PrintError, SlipData

__all__ = ["PAPERS", "PaperSpec", "print_slip", "render_slip_pdf", "slip_page_size", "slip_paragraphs"]

_PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class PaperSpec:
    width_mm: float
    height_mm: float | None  # None: fitted to the content (receipt roll)
    margin_x_mm: float  # left = right; the text band is width - 2 * margin
    margin_top_mm: float
    margin_bottom_mm: float
    title_pt: float
    plate_pt: float
    key_pt: float
    body_pt: float


PAPERS: dict[str, PaperSpec] = {
    # 170 mm band at 16 pt = 30 CJK characters a line (the rule: about 35 at most).
    "a4": PaperSpec(210, 297, 20, 18, 15, 22, 26, 20, 16),
    "a5": PaperSpec(148, 210, 11, 8, 6, 18, 20, 18, 16),
    # 80 mm roll prints a 72 mm band; 58 mm prints 48 mm (domain-rules §8).
    # The bottom margin leaves room between the print head and the cutter.
    "80mm": PaperSpec(80, None, 4, 4, 8, 18, 22, 18, 14),
    # Key lines at 18 pt on both rolls (DESIGN §7 names only the body's exception for 58 mm): an
    # 18 pt date is a little wider than 48 mm and is set a little closer (layout.Para.fit).
    "58mm": PaperSpec(58, None, 5, 3, 8, 16, 18, 18, 12),
}

_SOURCE_LABEL = {"counter": "本柜台登记", "hq": "总部同步"}


def _spec(paper: str) -> PaperSpec:
    try:
        return PAPERS[paper]
    except KeyError:
        raise PrintError(f"不认识的纸张“{paper}”，可选：{'、'.join(PAPERS)}。") from None


def _source_label(source: str | None) -> str | None:
    if not source:
        return None
    if source.startswith("import:"):
        return "表格导入"  # the batch id means nothing to the owner
    return _SOURCE_LABEL.get(source, source)


def _when(dt: datetime) -> str:
    t = to_cst(dt)
    return f"{cn_date(t.date())} {t.hour:02d}:{t.minute:02d}"


def _dated(label: str, phrase: str, narrow: bool, short_band: bool = False) -> str:
    """"交强险保到 2026年12月31日（当日24时止）"; on a receipt broken where a reader
    would break it, not inside the date. On A5 the line does not fit at key size: it breaks
    before "（当日24时止）" so that never splits across lines."""
    if not narrow:
        return f"{label} {phrase}".replace("（", "\n（", 1) if short_band else f"{label} {phrase}"
    return f"{label}\n" + phrase.replace("（", "\n（", 1).replace(" ", "\n", 1)


def slip_paragraphs(slip: SlipData, paper: str = "a4", compact: bool = False, tight: bool = False) -> list[Para]:
    """What the slip says, in order, with sizes for `paper` (no Qt drawing here).

    `compact` (used when a full slip does not fit an A4/A5 page): tighter group
    gaps, no title line, 商业险 and insurer on one line, the lapse consequences
    run on as one paragraph, no counter address (phone and hours stay), a
    shorter source line, the next-start warning in its short form. Font sizes never shrink.

    `tight` (compact, and used only when a compact slip still does not fit): the remaining-days
    phrase joins the status line ("状态  ✖ 已脱保 56 天") and 车船税 runs on after what to bring
    (paid at that visit), filling the half-empty line "上年保单" leaves; nothing is dropped.
    """
    s = _spec(paper)
    st = slip.status
    compact = compact or tight
    days = days_phrase(st) if st.ci_end_date is not None and st.status != RENEWED else None
    tax = f"车船税  {slip.vehicle_tax} 元，随交强险一并缴纳" if (
        slip.vehicle_tax and st.ci_end_date is not None and st.status not in (RENEWED, PENDING)) else None
    gap = s.body_pt * (0.05 if compact else 0.6)  # separates groups without a rule line
    narrow = s.height_mm is None  # receipt roll: label, date and "24时止" each on a line
    out = [] if compact else [Para("交强险状态告知单", s.title_pt, True)]
    # A car with no plate yet (imported by VIN alone) is named by its VIN: the slip names the car.
    label, ident = ("车牌号", slip.plate) if slip.plate or not slip.vin else ("车架号", slip.vin)
    if narrow:  # the plate alone on its line: never broken between 京 and A12345
        # 17 VIN characters at plate size would break over two lines of a 48 mm band (unsearchable).
        out += [Para(label, s.body_pt, True, gap), Para(ident, s.plate_pt if slip.plate else s.body_pt, True)]
    else:
        out.append(Para(f"{label}  {ident}", s.plate_pt, True, gap))
    state = f"状态  {STATUS_SYMBOL[st.status]} {STATUS_LABEL[st.status]}"
    if tight and days:  # "已脱保 56 天" already says 已脱保: print it in the label's place
        state = f"状态  {STATUS_SYMBOL[st.status]} " + (
            days if days.startswith(STATUS_LABEL[st.status]) else f"{STATUS_LABEL[st.status]}，{days}")
    out.append(Para(state, s.key_pt, True, fit=narrow))
    if st.ci_end_date is not None:
        out.append(Para(_dated("交强险保到", ci_end_phrase(st), narrow, paper == "a5"), s.key_pt, True, gap,
                        fit=narrow))
        if days and not tight:  # RENEWED has none: its phrase repeats the date just printed
            out.append(Para(days, s.key_pt, True))
        if tax and not tight:  # collected with 交强险 (domain §4)
            out.append(Para(tax, s.body_pt, True))
    elif st.status == NONE:
        out.append(Para("本柜台没有这辆车的交强险记录，请带上证件来柜台核实。", s.key_pt, True, gap))
    warning = next_start_warning(st, short=compact)
    if warning and narrow and coming_gap(st) is None:
        # 新保单 / 11 月 25 日 / 15:30 生效，… : the day whole on a line of its own (an 18 pt line of
        # a receipt holds about 7 characters; wrapped anywhere it split "25 / 日").
        warning = re.sub(r"^新保单 (\d+ 月 \d+ 日) ?", lambda m: f"新保单\n{m.group(1)}\n", warning,
                         count=1).replace("生效，", "生效，\n", 1)
    if warning:
        out.append(Para(warning, s.key_pt, True, gap if st.status == PENDING else 0))
    bi = _dated("商业险保到", end_date_phrase(st.bi_end_date), narrow) if st.bi_end_date else "商业险  无记录"
    insurer = f"承保公司  {slip.insurer}" if slip.insurer else ""
    if compact and insurer:
        out.append(Para(f"{bi}　{insurer}", s.body_pt, False, gap))
    else:
        out.append(Para(bi, s.body_pt, False, gap))
        if insurer:
            out.append(Para(insurer, s.body_pt))
    if st.status == LAPSED:
        if compact:
            out.append(Para("脱保意味着：" + "".join(lapse_consequences(lapse_fine_example())), s.body_pt, False, gap))
        else:
            out.append(Para("脱保意味着：", s.body_pt, True, gap))
            out.extend(Para(f"· {c}", s.body_pt) for c in lapse_consequences(lapse_fine_example()))
    if st.status not in (RENEWED, PENDING):
        bring = f"办理续保请带：{WHAT_TO_BRING}"
        out.append(Para(f"{bring}；{tax}" if tight and tax else bring, s.body_pt, True, gap))
    c = slip.counter
    # Every slip names the store and says how to reach it (compact runs the lines on, never drops one).
    if compact:
        out.append(Para("　".join(x for x in (c.title, c.phone and f"电话 {c.phone}") if x), s.body_pt, True, gap))
        rest = "　".join(x for x in (c.address and f"地址 {c.address}", c.hours and f"营业时间 {c.hours}") if x)
        if rest:
            out.append(Para(rest, s.body_pt))
    else:
        out.append(Para(c.title, s.body_pt, True, gap))
        if c.phone:  # a counter that has not set its phone yet prints no empty label
            out.append(Para(f"电话  {c.phone}", s.body_pt, True))
        if c.address:
            out.append(Para(f"地址  {c.address}", s.body_pt))
        if c.hours:
            out.append(Para(f"营业时间  {c.hours}", s.body_pt))
    basis = "信息来源：" + (_source_label(slip.source) or "未注明")
    if slip.as_of is not None:
        # a receipt breaks before the day, which then has a line of its own (never split inside it)
        basis += f"，\n截至 {_when(slip.as_of)}" if narrow else f"，截至 {_when(slip.as_of)}"
    if not compact:
        basis += "。以保险公司出具的保单为准。"
        out.append(Para(basis, s.body_pt, False, gap))
        out.append(Para(f"打印时间{chr(10) if narrow else '  '}{_when(slip.printed_at)}", s.body_pt))
    else:
        out.append(Para(f"{basis}；打印 {_when(slip.printed_at)}", s.body_pt, False, gap))
    return out


def slip_page_size(paper: str, content_height_mm: float) -> QPageSize:
    """The page for `paper`; receipts are as tall as the text flow plus margins.

    The height is rounded up to whole points because Qt's PDF writer stores the
    page box in whole points: a rounded-up height is then exact, never clipped.
    """
    s = _spec(paper)
    if s.height_mm is not None:
        return QPageSize(QPageSize.PageSizeId.A4 if paper == "a4" else QPageSize.PageSizeId.A5)
    h = s.margin_top_mm + content_height_mm + s.margin_bottom_mm
    h = max(h, s.width_mm)  # never a sliver of paper
    h = math.ceil(h * _PT_PER_MM - 1e-6) / _PT_PER_MM
    return custom_page_size(s.width_mm, h, f"{paper} slip")


def _prepare(slip: SlipData, paper: str, font_path: str | os.PathLike[str],
             device: QPagedPaintDevice):
    """Lay the slip out for `device` and return (lines, page size, spec)."""
    s = _spec(paper)
    family = load_font(font_path)
    dpi = device.resolution()
    band_px = mm_to_px(s.width_mm - 2 * s.margin_x_mm - BOLD_INSET_MM, dpi)
    for compact, tight in ((False, False), (True, False), (True, True)):
        lines = layout_paras(slip_paragraphs(slip, paper, compact, tight), family, device, band_px)
        content_mm = flow_height(lines) * 25.4 / dpi
        if s.height_mm is None or content_mm <= s.height_mm - s.margin_top_mm - s.margin_bottom_mm:
            return lines, slip_page_size(paper, content_mm), s
    # Never shrink below the large-print sizes; a slip is one page by contract.
    raise PrintError(f"告知单内容太长，{paper.upper()} 纸一页放不下。请改用 A4 纸打印。")


def _paint(device: QPagedPaintDevice, lines, s: PaperSpec) -> None:
    dpi = device.resolution()
    painter = QPainter()
    if not painter.begin(device):
        raise PrintError("无法开始打印（打印机或文件无法写入）。")
    try:
        draw_lines(painter, lines, mm_to_px(s.margin_x_mm + BOLD_INSET_MM, dpi), mm_to_px(s.margin_top_mm, dpi))
    finally:
        painter.end()


def render_slip_pdf(slip: SlipData, out_path: str | os.PathLike[str], paper: str = "a4", *,
                    font_path: str | os.PathLike[str]) -> None:
    """Write the slip as a one-page PDF (real text, font embedded)."""
    writer = pdf_writer(out_path, "交强险状态告知单")
    lines, page, s = _prepare(slip, paper, font_path, writer)
    writer.setPageLayout(QPageLayout(page, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0)))
    _paint(writer, lines, s)
    del writer, lines  # closes the file before we touch it
    if s.height_mm is None:
        _exact_pdf_width(Path(out_path), s.width_mm)


def print_slip(slip: SlipData, printer: QPrinter, paper: str = "a4", *,
               font_path: str | os.PathLike[str]) -> None:
    """Print the slip on `printer` with the same layout as the PDF.

    Raises PrintError (Chinese) when the printer does not accept the page size,
    before anything is sent to it.
    """
    lines, page, s = _prepare(slip, paper, font_path, printer)
    set_printer_page(printer, page)
    _paint(printer, lines, s)


def _exact_pdf_width(path: Path, width_mm: float) -> None:
    """Make the PDF page box exactly `width_mm` wide.

    Qt's PDF writer stores MediaBox/TrimBox from QPageLayout.fullRectPoints(),
    an integer rectangle: 80 mm (226.77 pt) becomes 227 pt. It writes the
    numbers as "%f" (e.g. "227.000000"), so we put the exact width in the
    same number of bytes: the xref offsets stay valid. Only x extents change;
    Qt flips y against the height, which slip_page_size already makes whole.
    """
    data = path.read_bytes()
    rounded = round(width_mm * _PT_PER_MM)
    old = f"[0 0 {rounded:.6f} ".encode()
    new = f"[0 0 {width_mm * _PT_PER_MM:.6f} ".encode()
    if len(old) != len(new) or data.count(old) == 0:
        return  # another Qt version wrote it differently: leave the rounded box (< 0.5 pt off)
    path.write_bytes(data.replace(old, new))
