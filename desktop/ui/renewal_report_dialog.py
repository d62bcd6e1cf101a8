"""续保率报表: the month's renewal rate by segment as a bar chart (words and numbers beside every
bar), each segment's definition beside its figures, and the Excel export. Supervisors only."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import QEvent, QRect, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.auth import StaffSession
from desktop.services.renewal_report import RenewalReport

from .bar_chart import Bar, BarChart
from .renewal_backend import RenewalBackend
from .tasks import TaskRunner


def _previous_month(today) -> str:
    y, m = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{y:04d}-{m:02d}"


class RenewalReportDialog(QDialog):
    def __init__(self, runner: TaskRunner, backend: RenewalBackend, session: StaffSession,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session = runner, backend, session
        self.report: RenewalReport | None = None
        self.setWindowTitle(self.tr("Renewal rate by segment"))
        self.month = QLineEdit(_previous_month(backend.base.now().date()), objectName="monthBox")
        self.month.setPlaceholderText("YYYY-MM")
        self.show_btn = QPushButton(self.tr("Show"), objectName="showReport")
        self.show_btn.clicked.connect(self.load)
        self.export_btn = QPushButton(self.tr("Export to Excel…"), objectName="exportReport")
        self.export_btn.setEnabled(False)
        self.export_btn.clicked.connect(self.export)
        close = QPushButton(self.tr("Close"))
        close.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Month")))
        top.addWidget(self.month)
        for b in (self.show_btn, self.export_btn, close):
            top.addWidget(b)
        top.addStretch(1)
        self.chart = BarChart()
        self.table = QTableWidget(0, 7, objectName="segmentTable")
        self.table.setHorizontalHeaderLabels([self.tr("Segment"), self.tr("To renew"), self.tr("Renewed here"),
                                              self.tr("Elsewhere"), self.tr("Lost"), self.tr("Open"),
                                              self.tr("Definition")])
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        # The definition takes the width the figures leave and wraps in it, in both modes: sized to
        # its contents it was one line wider than the dialog, behind a horizontal scrollbar.
        self.table.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Every row at its full height, the page scrolls instead: at 1024x768 in 大字模式 the chart
        # left one table row and cut the definitions to "…" (they must be read beside the figures).
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().sectionResized.connect(lambda *_a: QTimer.singleShot(0, self, self._fit_rows))
        self.extra = QLabel(objectName="cardSmall")
        self.extra.setWordWrap(True)
        self.message = QLabel(objectName="errorLine")
        self.message.setWordWrap(True)
        page = QWidget(objectName="page")
        inner = QVBoxLayout(page)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.chart)
        inner.addWidget(self.table)
        inner.addWidget(self.extra)
        inner.addStretch(1)
        self.scroll = QScrollArea(objectName="reportScroll", widgetResizable=True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setWidget(page)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.message)
        lay.addWidget(self.scroll, 1)
        self.resize(1100, 760)

    def load(self) -> None:
        self.message.clear()
        self.show_btn.setEnabled(False)
        self.runner.db(partial(self.backend.report, self.session, self.month.text()), on_done=self.set_report,
                       on_error=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self.show_btn.setEnabled(True)
        self.message.setText(getattr(exc, "message", None) or str(exc))

    def set_report(self, report: RenewalReport) -> None:
        self.report = report
        self.show_btn.setEnabled(True)
        self.export_btn.setEnabled(True)
        j = report.to_json()
        bars = []
        for s in j["segments"]:
            rate = "—" if s["rate"] is None else f"{s['rate'] * 100:.1f}%"
            text = self.tr("%1 (%2 of %3 renewed here)").replace("%1", rate).replace(
                "%2", str(s["renewed_here"])).replace("%3", str(s["due"]))
            bars.append(Bar(s["segment"], (s["rate"] or 0.0) * 100, text))
        self.chart.set_bars(bars, maximum=100.0)
        self.table.setRowCount(len(j["segments"]))
        for i, s in enumerate(j["segments"]):
            for col, v in enumerate([s["segment"], s["due"], s["renewed_here"], s["renewed_elsewhere"], s["lost"],
                                     s["open"], s["definition"]]):
                self.table.setItem(i, col, QTableWidgetItem(str(v)))
        self._fit_columns()
        reasons = "，".join(f"{k} {v}" for k, v in j["reasons"].items()) or self.tr("none")
        staff = "；".join(f"{n} {x['renewed_here']}/{x['due']}" for n, x in j["by_staff"].items()) or self.tr("none")
        self.extra.setText(self.tr("Loss reasons: %1\nBy specialist (renewed here / to renew): %2\n%3")
                           .replace("%1", reasons).replace("%2", staff).replace("%3", j["outcome_definition"]))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):  # 大字模式 on or off
            # The figures' columns again, at the new font: sized once in the font of the moment
            # the report came, 大字模式 cut their headers to "立续", "戈败".
            QTimer.singleShot(0, self, self._fit_columns)

    def _fit_columns(self) -> None:
        """The figures' columns as wide as their header or widest value; the definition the rest."""
        for col in range(self.table.columnCount() - 1):
            self.table.resizeColumnToContents(col)
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Rows as tall as their wrapped definition, the table as tall as its rows."""
        t = self.table
        t.resizeRowsToContents()
        col = t.columnCount() - 1
        for i in range(t.rowCount()):  # the item's own hint can lag the stretched column's width
            item = t.item(i, col)
            if item is not None:
                need = t.fontMetrics().boundingRect(QRect(0, 0, max(40, t.columnWidth(col) - 8), 10000),
                                                    int(Qt.TextFlag.TextWordWrap), item.text()).height() + 8
                t.setRowHeight(i, max(t.rowHeight(i), need))
        rows = sum(t.rowHeight(i) for i in range(t.rowCount()))
        t.setFixedHeight(t.horizontalHeader().height() + rows + 2 * t.frameWidth()
                         + (t.horizontalScrollBar().sizeHint().height() if t.horizontalScrollBar().isVisible() else 0))

    def export(self, *_a, path: str | None = None) -> None:
        if self.report is None:
            return
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("Export to Excel"),
                                                  f"续保率-{self.report.month}.xlsx", "Excel (*.xlsx)")
        if not path:
            return
        self.runner.io(partial(self.backend.write_report, self.report, Path(path)),
                       on_done=lambda p: self.message.setText(self.tr("Saved to %1").replace("%1", str(p))),
                       on_error=self._failed)
