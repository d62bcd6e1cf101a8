"""Register a new vehicle and its owner at the counter; each error is shown beside its field."""
from __future__ import annotations

from collections.abc import Callable

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
from .widgets import button_row, error_line


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
            edit, err = QLineEdit(), QLabel(objectName="fieldError")
            err.setWordWrap(True)
            err.hide()
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
        self.general = error_line()
        self.ok = QPushButton(self.tr("Register"))
        self.ok.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.ok.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)
        bl = button_row(self.cancel, self.ok)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.consent_contact)
        lay.addWidget(self.consent_mail)
        lay.addWidget(self.general)
        lay.addLayout(bl)
        self.setMinimumWidth(720)

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
