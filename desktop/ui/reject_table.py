"""The import wizard's table of rejected rows: 行号, 列, 内容 (the value as the error report shows
it: masked, cut to 60 characters), 原因.

The reason is what the clerk needs to fix the row, so it always stays in view: 内容 gets at most
what the reason leaves of the width (never under a third of it), one line elided in the middle
(the start of the value and its 「…（共 N 字）」 both show); 原因 takes the rest and wraps. Each
cell's tooltip has its whole text.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QStyledItemDelegate, QTableWidget, QTableWidgetItem, QWidget

ROW, COLUMN, VALUE, REASON = range(4)
VALUE_MIN_SHARE = 1 / 3  # of the viewport: a long reason wraps rather than squeeze 内容 below this


class _OneLine(QStyledItemDelegate):
    """The value cell: one line, elided, even though the table wraps the reason."""

    def initStyleOption(self, option, index) -> None:
        super().initStyleOption(option, index)
        option.features &= ~option.ViewItemFeature.WrapText


class RejectTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels([self.tr("Row"), self.tr("Column"), self.tr("Value"), self.tr("Reason")])
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setWordWrap(True)
        self.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._one_line = _OneLine(self)
        self.setItemDelegateForColumn(VALUE, self._one_line)
        h = self.horizontalHeader()
        for col in (ROW, COLUMN):
            h.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        h.setSectionResizeMode(VALUE, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(REASON, QHeaderView.ResizeMode.Stretch)

    def fill(self, rejected: list[dict]) -> None:
        """One line a rejected row ({row, column, value, reason}, as ImportReport.rejected holds them)."""
        self.setRowCount(len(rejected))
        for i, r in enumerate(rejected):
            for j, v in enumerate((r["row"], r["column"] or "", r.get("value") or "", r["reason"])):
                item = QTableWidgetItem(str(v))
                if j in (VALUE, REASON) and v:
                    item.setToolTip(str(v))
                self.setItem(i, j, item)
        self._fit_value()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_value()

    def _fit_value(self) -> None:
        """内容 as wide as its text when the reason still fits on one line beside it, else narrower."""
        h = self.horizontalHeader()
        room = self.viewport().width() - h.sectionSize(ROW) - h.sectionSize(COLUMN)
        value = max(self.sizeHintForColumn(VALUE), h.sectionSizeHint(VALUE))
        reason = max(self.sizeHintForColumn(REASON), h.sectionSizeHint(REASON))
        floor = int(self.viewport().width() * VALUE_MIN_SHARE)
        h.resizeSection(VALUE, max(0, min(value, max(room - reason, floor))))
        self.resizeRowsToContents()
