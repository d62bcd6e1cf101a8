"""Small widget helpers the dialogs share."""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons right-aligned in order (cancel first, the default action last, as on Windows)."""
    row = QHBoxLayout()
    row.addStretch(1)
    for b in buttons:
        row.addWidget(b)
    return row


def error_line() -> QLabel:
    """A hidden, wrapping Chinese error line (styled by the errorLine object name)."""
    label = QLabel(objectName="errorLine")
    label.setWordWrap(True)
    label.hide()
    return label
