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
from desktop.printing.slip import render_slip_pdf
from desktop.services.documents import slip_data
from desktop.services.lookup import LookupMatch
from desktop.services.settings import CounterSettings

FONT = resource_path("fonts", "wqy-microhei.ttc")


def slip_for(match: LookupMatch, settings: CounterSettings, now: datetime, vehicle_tax=None):
    return slip_data(match, settings, now, vehicle_tax)


def write_pdf(slip, out_path, paper: str = "a4") -> None:
    render_slip_pdf(slip, out_path, paper, font_path=FONT)


def preview(parent: QWidget, slip, paper: str = "a4", printer_name: str = "", on_choice=None) -> bool:
    """The slip preview with paper and printer choice (ui.slip_preview); True if the clerk printed.
    `on_choice(paper, printer)` hears every change so the window can remember it."""
    from .slip_preview import SlipPreviewDialog

    dlg = SlipPreviewDialog(slip, paper, printer_name, FONT, on_choice, parent)
    dlg.setWindowTitle(QCoreApplication.translate("PrintHook", "Print preview") + " — " + slip.plate)
    parent.slip_preview = dlg  # type: ignore[attr-defined]  # tests and the lock reach it
    dlg.exec()
    return dlg.printed
