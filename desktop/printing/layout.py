"""Shared text flow and page set-up for every printed document.

Why our own flow instead of one QTextDocument per page: we need an exact line
advance (>= 1.5 x the font size, the rule for elderly readers), page breaks
between any two lines, and nothing kept alive after a page is drawn (a batch of
10,000 letters must stay memory-flat). QTextLayout gives real shaping and CJK
line breaking; we only position the lines. Every layout is made against the
paint device itself (QPdfWriter or QPrinter), so metrics are at the device
resolution, not the screen's.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPagedPaintDevice,
    QPageSize,
    QPainter,
    QPainterPath,
    QPdfWriter,
    QPen,
    QTextLayout,
    QTextLine,
    QTextOption,
)
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from .fonts import has_real_bold, make_font
from .model import PrintError

__all__ = ["BOLD_INSET_MM", "LINE_ADVANCE", "Line", "Para", "custom_page_size", "draw_lines", "flow_height",
           "layout_paras", "mm_to_px", "printer_refusal", "set_printer_page", "pt_to_px"]

# A little over 1.5 so that rounding of glyph positions in the PDF never measures
# below the 1.5 x font-size rule.
LINE_ADVANCE = 1.55

# Bold comes from the real bold face shipped beside the regular font (fonts.BOLD_FONT_FILE). If it
# is missing, never Qt's synthetic bold: that draws every glyph twice and a PDF reader extracts
# "京京AA1122…". Instead the text is drawn ONCE in the regular face and thickened with an outline
# stroke of the glyph shapes (vector art, not text; slow and large, so only a fallback). Half a
# stroke lies outside the glyph box: text starts this far inside the left margin.
BOLD_INSET_MM = 0.4
BOLD_STROKE_EM = 0.045  # stroke width as a share of the font size: visibly bold, counters stay open


# 288 = 4 x 72: every whole or half point size is a whole number of pixels.
PDF_DPI = 288


def pdf_writer(out_path, title: str) -> QPdfWriter:
    """A PDF of real text at PDF_DPI, made by RenewDesk, titled (the reader's window shows it)."""
    writer = QPdfWriter(str(out_path))
    writer.setResolution(PDF_DPI)
    writer.setCreator("RenewDesk 续保台")
    writer.setTitle(title)
    return writer


def mm_to_px(mm: float, dpi: float) -> float:
    return mm * dpi / 25.4


def pt_to_px(pt: float, dpi: float) -> float:
    return pt * dpi / 72.0


@dataclass(frozen=True)
class Para:
    """One paragraph: a single style, wrapped to the column width."""
    text: str
    size_pt: float
    bold: bool = False
    gap_before_pt: float = 0.0  # extra space above the paragraph (separates groups)
    # Each "\n"-separated piece is one line that must not wrap (a date on a receipt band): when it is
    # a little wider than the band its letters are set closer, down to FIT_MIN_SPACING_PCT, never smaller.
    fit: bool = False


# The tightest letter spacing a `fit` piece gets (percent of the font's own): CJK glyphs keep their
# size and still do not touch; an 18 pt 2026年10月31日 needs 97 % on a 48 mm receipt band.
FIT_MIN_SPACING_PCT = 94.0


@dataclass(frozen=True)
class Line:
    layout: QTextLayout  # keeps the shaped text alive until the line is drawn
    index: int
    advance_px: float  # this line's share of vertical space
    gap_before_px: float  # extra space before it (first line of a paragraph only)
    offset_px: float  # top of the glyph box inside the advance: puts the baseline where every face of
    # this size has it (the regular face's box centred); negative for a face with a taller box
    bold_stroke_px: float = 0.0  # > 0: thicken the drawn glyphs by this stroke (see BOLD_STROKE_EM)


def layout_paras(paras: Iterable[Para], family: str, device: QPagedPaintDevice,
                 width_px: float) -> list[Line]:
    """Shape and wrap paragraphs for `device`; a "\\n" in a text starts a new line."""
    dpi = device.resolution()
    option = QTextOption()
    # A VIN or a long number must still break on a 48 mm receipt band.
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    lines: list[Line] = []
    ref: dict[float, tuple[float, float]] = {}  # size -> the regular face's (ascent, height), once a size
    for para in paras:
        real_bold = para.bold and has_real_bold(family)
        font = make_font(family, para.size_pt, real_bold, dpi)
        # Without the bold face (it ships with the app) bold is drawn, not shaped: BOLD_STROKE_EM.
        stroke = pt_to_px(para.size_pt, dpi) * BOLD_STROKE_EM if para.bold and not real_bold else 0.0
        advance = pt_to_px(para.size_pt, dpi) * LINE_ADVANCE
        gap = pt_to_px(para.gap_before_pt, dpi)
        # Where the baseline sits in the advance: the regular face's glyph box centred, for every
        # face of this size. Centring each face's own box put a regular line under a bold one of
        # the same size 1.46 x its size below it (the faces declare different ascent/descent).
        if para.size_pt not in ref:
            ref[para.size_pt] = _ref_metrics(family, para.size_pt, dpi, device)
        ref_ascent, ref_height = ref[para.size_pt]
        baseline = max(0.0, (advance - ref_height) / 2) + ref_ascent
        for k, text in enumerate(para.text.split("\n")):
            layout = QTextLayout(text, _fitted(font, text, width_px, device) if para.fit else font, device)
            layout.setTextOption(option)
            layout.beginLayout()
            count = 0
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width_px)
                # Every line at (0, 0): each is drawn on its own at its final spot.
                line.setPosition(QPointF(0, 0))
                count += 1
            layout.endLayout()
            for i in range(count):
                line = layout.lineAt(i)
                h = line.height()
                lines.append(Line(layout, i, max(advance, h),
                                  gap if (k == 0 and i == 0) else 0.0,
                                  # < 0 for a face declaring a taller ascent than its ink
                                  # (the bold Hei: 1.16 em): its box, not its ink, pokes up.
                                  baseline - line.ascent(), stroke))
    return lines


def _fitted(font: QFont, text: str, width_px: float, device: QPagedPaintDevice) -> QFont:
    """`font`, or a copy with letters set just close enough for `text` to fit on one line of
    `width_px` (as the layout shapes it on `device`), at most down to FIT_MIN_SPACING_PCT."""
    # pdfplumber and other readers box the last glyph at its full advance: keep that inside too.
    slack = QFontMetricsF(font).horizontalAdvance("国") * (100.0 - FIT_MIN_SPACING_PCT) / 100.0
    pct = 100.0
    while True:
        tried = QFont(font)
        if pct < 100.0:
            tried.setLetterSpacing(QFont.SpacingType.PercentageSpacing, pct)
        if pct <= FIT_MIN_SPACING_PCT or _one_line(text, tried, width_px - slack, device):
            return tried if pct < 100.0 else font
        pct = max(FIT_MIN_SPACING_PCT, pct - 1.0)


def _one_line(text: str, font: QFont, width_px: float, device: QPagedPaintDevice) -> bool:
    layout = QTextLayout(text, font, device)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    count = 0
    while (line := layout.createLine()).isValid():
        line.setLineWidth(width_px)
        count += 1
    layout.endLayout()
    return count <= 1


def _ref_metrics(family: str, size_pt: float, dpi: float, device: QPagedPaintDevice) -> tuple[float, float]:
    """Ascent and height of a line of the regular face at this size, on this device."""
    layout = QTextLayout("国", make_font(family, size_pt, False, dpi), device)
    layout.beginLayout()
    line = layout.createLine()
    layout.endLayout()
    return line.ascent(), line.height()


def new_page(device: QPagedPaintDevice) -> None:
    """Start the next page, or say why not: a PDF writer answers False when its disk is full."""
    if not device.newPage():
        raise PrintError("无法开始新的一页（磁盘已满或打印机出错）。")


def flow_height(lines: Sequence[Line]) -> float:
    """Total height in device pixels (the first line's gap is not counted)."""
    if not lines:
        return 0.0
    return sum(ln.gap_before_px + ln.advance_px for ln in lines) - lines[0].gap_before_px


def draw_lines(painter: QPainter, lines: Sequence[Line], x: float, y: float,
               first_gap: bool = False) -> float:
    """Draw lines top-down from (x, y); return the y below the last line."""
    for n, ln in enumerate(lines):
        if n or first_gap:
            y += ln.gap_before_px
        origin = QPointF(x, y + ln.offset_px)
        line = ln.layout.lineAt(ln.index)
        line.draw(painter, origin)
        if ln.bold_stroke_px:
            _thicken(painter, line, origin, ln.bold_stroke_px)
        y += ln.advance_px
    return y


def _thicken(painter: QPainter, line: QTextLine, origin: QPointF, width_px: float) -> None:
    """Stroke the outlines of the glyphs just drawn: bold ink, one copy of the text."""
    path = QPainterPath()
    for run in line.glyphRuns():
        raw = run.rawFont()
        for index, pos in zip(run.glyphIndexes(), run.positions(), strict=True):
            path.addPath(raw.pathForGlyph(index).translated(origin + pos))
    painter.save()
    pen = QPen(QColor("black"), width_px)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(path)
    painter.restore()


def custom_page_size(width_mm: float, height_mm: float, name: str) -> QPageSize:
    # ExactMatch: the default FuzzyMatch would snap 80 x 200 mm to some nearby
    # standard size and the receipt printer would get the wrong paper.
    return QPageSize(QSizeF(width_mm, height_mm), QPageSize.Unit.Millimeter, name,
                     QPageSize.SizeMatchPolicy.ExactMatch)


def _mm(size: QPageSize) -> QSizeF:
    return size.size(QPageSize.Unit.Millimeter)


def printer_refusal(info, page_size: QPageSize) -> str | None:
    """Why the printer described by `info` (a QPrinterInfo) cannot take `page_size`.

    None when it can, or when there is nothing to ask (a PDF printer, no info).
    """
    if info is None or info.isNull():
        return None
    want = _mm(page_size)
    name = info.printerName()
    label = f"{want.width():.0f}×{want.height():.0f} 毫米"
    for s in info.supportedPageSizes():
        got = _mm(s)
        if abs(got.width() - want.width()) <= 0.5 and abs(got.height() - want.height()) <= 0.5:
            return None
    if not info.supportsCustomPageSizes():
        return (f"打印机“{name}”不接受 {label} 的纸张（它不支持自定义纸张尺寸）。"
                f"请在打印机驱动里添加这个纸张尺寸，或改用 A4 纸打印。")
    lo, hi = _mm(info.minimumPhysicalPageSize()), _mm(info.maximumPhysicalPageSize())
    if lo.width() > 0 and (want.width() < lo.width() - 0.5 or want.height() < lo.height() - 0.5):
        return (f"打印机“{name}”最小只能打 {lo.width():.0f}×{lo.height():.0f} 毫米的纸，"
                f"不能打 {label}。请换用对应宽度的打印机或改用 A4 纸。")
    if hi.width() > 0 and (want.width() > hi.width() + 0.5 or want.height() > hi.height() + 0.5):
        return (f"打印机“{name}”最大只能打 {hi.width():.0f}×{hi.height():.0f} 毫米的纸，"
                f"不能打 {label}。请换用对应宽度的打印机或改用 A4 纸。")
    return None


def set_printer_page(printer: QPrinter, page_size: QPageSize) -> None:
    """Put `page_size` on the printer with no margins, or raise PrintError.

    Checked before anything is sent: a receipt printer that silently snaps an
    80 mm slip to A4 wastes paper and prints the text off the band.
    """
    info = None
    if printer.outputFormat() == QPrinter.OutputFormat.NativeFormat:
        info = QPrinterInfo.printerInfo(printer.printerName())
    reason = printer_refusal(info, page_size)
    if reason:
        raise PrintError(reason)
    want = _mm(page_size)
    if not printer.setPageSize(page_size):
        raise PrintError(f"打印机“{printer.printerName()}”拒绝了 {want.width():.0f}×{want.height():.0f} "
                         f"毫米的纸张。请检查打印机设置，或改用 A4 纸打印。")
    got = _mm(printer.pageLayout().pageSize())
    if abs(got.width() - want.width()) > 0.5 or abs(got.height() - want.height()) > 0.5:
        raise PrintError(f"打印机“{printer.printerName()}”把纸张换成了 {got.width():.0f}×{got.height():.0f} 毫米"
                         f"（需要 {want.width():.0f}×{want.height():.0f} 毫米），已停止打印以免浪费纸张。")
    # Our own margins are drawn inside the page; the painter origin is the paper corner.
    printer.setFullPage(True)
