"""Print preview of the status slip with paper and printer chosen in the window (remembered per
workstation in workstation.json), and a large 打印 button that is always on screen.

Qt's own QPrintPreviewDialog opens wider than a 1024×768 screen and hides 打印 in a clipped
toolbar; this dialog is sized to the screen and keeps its buttons in a row at the bottom.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewWidget
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.printing.model import PrintError
from desktop.printing.slip import print_slip

from .widgets import button_row, error_line, keep_place
from .workstation import PAPERS

# (paper, printer name) -> None: called when the clerk changes a choice, to remember it.
ChoiceFn = Callable[[str, str], None]


def make_printer(name: str) -> QPrinter:
    info = QPrinterInfo.printerInfo(name) if name else QPrinterInfo.defaultPrinter()
    if info.isNull():
        return QPrinter(QPrinter.PrinterMode.HighResolution)
    return QPrinter(info, QPrinter.PrinterMode.HighResolution)


class SlipPreviewDialog(QDialog):
    def __init__(self, slip, paper: str, printer_name: str, font_path, on_choice: ChoiceFn | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.slip, self.font_path, self._on_choice = slip, font_path, on_choice
        self.setWindowTitle(self.tr("Print preview — %1").replace("%1", slip.plate))
        self.printed = False

        self.paper = QComboBox()
        labels = {"a4": self.tr("A4"), "a5": self.tr("A5"), "80mm": self.tr("80 mm receipt"),
                  "58mm": self.tr("58 mm receipt")}
        for p in PAPERS:
            self.paper.addItem(labels[p], p)
        self.paper.setCurrentIndex(max(0, self.paper.findData(paper)))
        self.printer_box = QComboBox()
        self.printer_box.addItem(self.tr("System default printer"), "")
        for n in QPrinterInfo.availablePrinterNames():
            self.printer_box.addItem(n, n)
        i = self.printer_box.findData(printer_name)
        self.printer_box.setCurrentIndex(i if i >= 0 else 0)
        self.no_printer = QLabel(self.tr("No printer is installed on this computer: ask IT to add one."))
        self.no_printer.setObjectName("cardWarn")
        self.no_printer.setWordWrap(True)
        self.no_printer.setVisible(not QPrinterInfo.availablePrinterNames())
        form = QFormLayout()
        form.addRow(self.tr("Paper"), self.paper)
        form.addRow(self.tr("Printer"), self.printer_box)

        self.printer = make_printer(printer_name if i >= 0 else "")
        self.view = QPrintPreviewWidget(self.printer)
        self.view.paintRequested.connect(self._paint)
        self.error = keep_place(error_line())

        self.print_btn = QPushButton(self.tr("Print"))
        self.print_btn.setDefault(True)
        self.print_btn.setShortcut(QKeySequence("Ctrl+P"))
        self.print_btn.setToolTip(self.tr("Print the slip (Ctrl+P)"))
        self.cancel = QPushButton(self.tr("Close"))
        self.print_btn.clicked.connect(self.do_print)
        self.cancel.clicked.connect(self.reject)
        self.paper.currentIndexChanged.connect(lambda _i: self._changed())
        self.printer_box.currentIndexChanged.connect(lambda _i: self._changed(new_printer=True))

        top = QHBoxLayout()
        top.addLayout(form, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.no_printer)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.cancel, self.print_btn))
        self._fit_screen()

    def _fit_screen(self) -> None:
        screen = (self.parentWidget().screen() if self.parentWidget() else None) or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry()
        self.resize(min(900, avail.width() - 40), min(1000, avail.height() - 60))

    def current_paper(self) -> str:
        return self.paper.currentData()

    def current_printer(self) -> str:
        return self.printer_box.currentData()

    def _changed(self, new_printer: bool = False) -> None:
        if new_printer:
            self.printer = make_printer(self.current_printer())
            self.view.deleteLater()
            old = self.view
            self.view = QPrintPreviewWidget(self.printer)
            self.view.paintRequested.connect(self._paint)
            self.layout().replaceWidget(old, self.view)
        self.error.hide()
        self.view.updatePreview()
        if self._on_choice:
            self._on_choice(self.current_paper(), self.current_printer())

    def _paint(self, printer: QPrinter) -> None:
        try:
            print_slip(self.slip, printer, self.current_paper(), font_path=self.font_path)
        except PrintError as exc:  # e.g. the receipt printer refuses the custom page size
            self.error.setText(str(exc))
            self.error.show()
            self.print_btn.setEnabled(False)
            return
        self.print_btn.setEnabled(True)

    def do_print(self) -> None:
        try:
            print_slip(self.slip, self.printer, self.current_paper(), font_path=self.font_path)
        except PrintError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        self.printed = True
        self.accept()

    def keyPressEvent(self, ev) -> None:  # noqa: N802 - Qt override: Esc closes, Enter prints
        if ev.key() == Qt.Key.Key_Escape:
            self.reject()
            return
        super().keyPressEvent(ev)
