"""Register a new vehicle and its owner at the counter; each error is shown beside its field."""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.identifiers import IdentifierError, check_plate
from desktop.services.lookup import LookupMatch
from desktop.services.register import NewRegistration

from .errors import message_for
from .widgets import button_row, error_line, field_error, keep_place, scrolling


class RegisterDialog(QDialog):
    """`submit(NewRegistration, on_done, on_error)` does the write via the task runner."""

    FIELDS = ("plate", "vin", "name", "phone", "id_number", "address")

    def __init__(self, submit: Callable, query: str = "", parent: QWidget | None = None,
                 known_plate: bool = False):
        super().__init__(parent)
        self._submit = submit
        self.result_match: LookupMatch | None = None
        self.setWindowTitle(self.tr("Register a vehicle"))
        labels = {"plate": self.tr("Plate"), "vin": self.tr("VIN (17 characters)"), "name": self.tr("Owner name"),
                  "phone": self.tr("Phone"), "id_number": self.tr("ID number"), "address": self.tr("Postal address")}
        self.edits: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, f in enumerate(self.FIELDS):
            edit, err = QLineEdit(), field_error()
            # Two lines are kept for the message whether shown or not: a long one never pushes
            # the boxes below it (and the button) away from under the pointer either.
            err.setFixedHeight(err.fontMetrics().lineSpacing() * 2 + 4)
            err.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
            self.edits[f], self.errors[f] = edit, err
            grid.addWidget(QLabel(labels[f]), row * 2, 0)
            grid.addWidget(edit, row * 2, 1)
            grid.addWidget(err, row * 2 + 1, 1)
        grid.setColumnStretch(1, 1)
        if query and not known_plate:  # never pre-fill a plate that is already registered
            try:
                self.edits["plate"].setText(check_plate(query).value)
            except IdentifierError:
                pass
        # Consent is asked, never assumed (个人信息保护法): both boxes start unticked.
        self.consent_contact = QCheckBox(self.tr("Agrees to be contacted about renewal"), checked=False)
        self.consent_mail = QCheckBox(self.tr("Agrees to receive reminder letters"), checked=False)
        self.general = keep_place(error_line())
        self.ok = QPushButton(self.tr("Register"))
        self.ok.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.ok.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)
        bl = button_row(self.cancel, self.ok)
        # The form scrolls inside the dialog (1024×768 in 大字模式); the buttons stay in view.
        body = QWidget(objectName="page")
        form = QVBoxLayout(body)
        form.setContentsMargins(0, 0, 0, 0)
        form.addLayout(grid)
        form.addWidget(self.consent_contact)
        form.addWidget(self.consent_mail)
        form.addStretch(1)
        self.scroll = scrolling(body)
        lay = QVBoxLayout(self)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.general)
        lay.addLayout(bl)
        screen = (parent.screen() if parent is not None else None) or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry()
        room_w = min(avail.width(), parent.width() if parent is not None else avail.width()) - 20
        room_h = min(avail.height(), parent.height() if parent is not None else avail.height()) - 40
        self.setMinimumWidth(min(720, room_w))
        want = body.sizeHint().height() + self.ok.sizeHint().height() + self.general.sizeHint().height() + 60
        self.resize(min(max(720, body.sizeHint().width() + 40), room_w), min(want, room_h))

    def registration(self) -> NewRegistration:
        v = {f: self.edits[f].text().strip() for f in self.FIELDS}
        return NewRegistration(**v, consent_contact=self.consent_contact.isChecked(),
                               consent_mail=self.consent_mail.isChecked())

    def _save(self) -> None:
        for err in self.errors.values():
            err.hide()
        self.general.hide()
        self.ok.setEnabled(False)
        self._submit(self.registration(), self._done, self._failed)

    def _done(self, match: LookupMatch) -> None:
        self.result_match = match
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        per_field = getattr(exc, "errors", None)
        if per_field:
            for f, msg in per_field.items():
                lab = self.errors.get(f)
                if lab is not None:
                    lab.setText(msg)
                    lab.show()
            first = next((f for f in self.FIELDS if f in per_field), None)
            if first:
                self.edits[first].setFocus()
            return
        self.general.setText(message_for(exc))
        self.general.show()
