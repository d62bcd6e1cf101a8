"""Printing the status slip from the card, with a print preview.

The slip data comes from the same service as the command line's `slip` (services.documents), so
screen, paper and PDF agree. The slip shows the full plate (it is handed to the owner) and no other
personal data.
"""
from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget

from desktop.paths import resource_path
from desktop.printing.slip import print_slip, render_slip_pdf
from desktop.services.documents import slip_data
from desktop.services.lookup import LookupMatch
from desktop.services.settings import CounterSettings

FONT = resource_path("fonts", "wqy-microhei.ttc")


def slip_for(match: LookupMatch, settings: CounterSettings, now: datetime):
    return slip_data(match, settings, now)


def write_pdf(slip, out_path, paper: str = "a4") -> None:
    render_slip_pdf(slip, out_path, paper, font_path=FONT)


def preview(parent: QWidget, slip, paper: str = "a4", printer_name: str = "") -> bool:
    """Show QPrintPreviewDialog; True if the clerk printed."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo, QPrintPreviewDialog

    info = QPrinterInfo.printerInfo(printer_name) if printer_name else QPrinterInfo.defaultPrinter()
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution) if not info.isNull() else QPrinter(
        QPrinter.PrinterMode.HighResolution)
    dlg = QPrintPreviewDialog(printer, parent)
    dlg.setWindowTitle(QCoreApplication.translate("PrintHook", "Print preview"))
    dlg.paintRequested.connect(lambda p: print_slip(slip, p, paper, font_path=FONT))
    return bool(dlg.exec())
