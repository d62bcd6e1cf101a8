"""A horizontal bar chart drawn with QPainter (PySide6-Essentials ships no QtCharts).

Each bar has its words on the left and its number written out on the right, so nothing is told by
colour alone (domain-rules §8); sizes follow the application font, so 大字模式 enlarges it too.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

BAR = QColor("#0b3d91")     # the bar (white-on-this contrast 11:1; the words are never on it)
TRACK = QColor("#e4e4e4")


@dataclass(frozen=True)
class Bar:
    label: str      # the words, e.g. "逾期未跟进"
    value: float    # drawn length, 0..maximum
    text: str       # the number as shown, e.g. "12" or "45.0%（9/20）"


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("barChart")
        self.bars: list[Bar] = []
        self.maximum: float | None = None  # None: the largest value
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def set_bars(self, bars: list[Bar], maximum: float | None = None) -> None:
        self.bars, self.maximum = list(bars), maximum
        self.setAccessibleDescription("；".join(f"{b.label} {b.text}" for b in self.bars))
        self.updateGeometry()
        self.update()

    def _row_h(self) -> int:
        return int(QFontMetrics(self.font()).height() * 1.6)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(480, max(1, len(self.bars)) * self._row_h() + 8)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.sizeHint()

    def paintEvent(self, _ev) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        row = self._row_h()
        label_w = max((fm.horizontalAdvance(b.label) for b in self.bars), default=0) + 12
        text_w = max((fm.horizontalAdvance(b.text) for b in self.bars), default=0) + 12
        bar_w = max(20, self.width() - label_w - text_w - 8)
        top_max = self.maximum if self.maximum is not None else max((b.value for b in self.bars), default=0)
        # the words take the style's text colour (white in 高对比度, where the page is black)
        text_pen = QPen(self.palette().color(self.foregroundRole()))
        for i, b in enumerate(self.bars):
            y = 4 + i * row
            p.setPen(text_pen)
            p.drawText(QRectF(0, y, label_w - 8, row), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       b.label)
            track = QRectF(label_w, y + row * 0.2, bar_w, row * 0.6)
            p.fillRect(track, TRACK)
            share = (b.value / top_max) if top_max else 0.0
            p.fillRect(QRectF(track.x(), track.y(), bar_w * max(0.0, min(1.0, share)), track.height()), BAR)
            p.setPen(text_pen)
            p.drawText(QRectF(label_w + bar_w + 8, y, text_w, row), Qt.AlignmentFlag.AlignLeft |
                       Qt.AlignmentFlag.AlignVCenter, b.text)
        p.end()
