"""Asking why before showing a customer's full phone and ID (个人信息保护法: a specific purpose).

The reason goes into the audit entry with the vehicle id, never the values themselves.
"""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QPushButton, QVBoxLayout, QWidget

from .widgets import button_row, error_line


class RevealReasonDialog(QDialog):
    def __init__(self, plate: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Why do you need the full values?"))
        intro = QLabel(self.tr("You are about to see the full phone and ID number of %1's owner. "
                               "Say why; the reason is recorded in the audit log.").replace("%1", plate))
        intro.setWordWrap(True)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems([self.tr("The owner is at the counter and asked to check them"),
                              self.tr("Calling the owner back about the renewal"),
                              self.tr("Correcting a wrong phone or ID number")])
        self.reason.setCurrentIndex(-1)
        self.reason.lineEdit().setPlaceholderText(self.tr("Choose or type a reason"))
        self.error = error_line()
        self.ok = QPushButton(self.tr("Show"))
        self.ok.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.ok.clicked.connect(self._ok)
        self.cancel.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.reason)
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.cancel, self.ok))
        self.setMinimumWidth(560)

    def text(self) -> str:
        return self.reason.currentText().strip()

    def _ok(self) -> None:
        if not self.text():
            self.error.setText(self.tr("Give a reason first (choose one or type your own)."))
            self.error.show()
            self.reason.setFocus()
            return
        self.accept()
