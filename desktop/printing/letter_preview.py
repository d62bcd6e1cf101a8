"""A picture of one reminder letter's first page, drawn by the same code as the PDF and the
printer (letter._LetterDrawer), so the preview is what will be printed.

It paints on a QImage, which Qt allows off the GUI thread: the window renders it on the I/O lane
and only shows the finished image. Later pages of a long letter are drawn on a scratch image (the
count is kept): the preview is the first page, where the address window and the key lines are.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPainter

from .fonts import load_font
from .layout import mm_to_px
from .letter import _LetterDrawer
from .letter_template import LetterTemplate
from .model import LetterData, PrintError

A4_MM = (210.0, 297.0)


@dataclass(frozen=True)
class LetterPreview:
    image: QImage  # the first page, white A4 at `dpi`
    pages: int     # pages this letter takes
    dpi: float


class _PageImage(QImage):
    """An A4 page as an image that answers the two calls the drawer makes of a paged device."""

    def __init__(self, dpi: float) -> None:
        super().__init__(round(mm_to_px(A4_MM[0], dpi)), round(mm_to_px(A4_MM[1], dpi)), QImage.Format.Format_RGB32)
        self._dpi = dpi
        _blank(self, dpi)
        self.painter: QPainter | None = None
        self.pages = 1
        self._scratch: QImage | None = None

    def resolution(self) -> float:  # QPagedPaintDevice.resolution
        return self._dpi

    def newPage(self) -> bool:  # noqa: N802 - the drawer's QPagedPaintDevice call
        self.pages += 1
        if self.painter is not None:
            self.painter.end()
            self._scratch = _blank(QImage(self.size(), QImage.Format.Format_RGB32), self._dpi)
            self.painter.begin(self._scratch)
        return True


def _blank(img: QImage, dpi: float) -> QImage:
    img.fill(Qt.GlobalColor.white)
    dpm = round(dpi / 0.0254)
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    return img


def render_first_page(letter: LetterData, template: LetterTemplate, font_path: str | os.PathLike[str],
                      dpi: float = 110.0) -> LetterPreview:
    family = load_font(font_path)
    page = _PageImage(dpi)
    painter = QPainter()
    if not painter.begin(page):
        raise PrintError("无法生成信件预览。")
    page.painter = painter
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        _LetterDrawer(page, painter, template, family).draw(letter)
    finally:
        painter.end()
    first = QImage(page)  # a plain copy, detached from the painting helpers
    return LetterPreview(first, page.pages, dpi)
