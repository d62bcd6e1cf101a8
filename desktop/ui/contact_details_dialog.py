"""Edit the owner's phone, postal address and consent (issue 11), from 柜台 → 修改联系方式 (Ctrl+E).

The current phone stays masked (the box is empty, the masked number is its placeholder: leave it
empty to keep it); the address is shown as stored (the masking rule keeps it, the counter checks
it with the customer). The write is services.contact_details on the database lane: audited,
one outbox change with only the changed fields, so it syncs last-writer-wins per field.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QCoreApplication, Qt
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

from desktop.services import contact_details as details_svc
from desktop.services.lookup import LookupMatch

from .errors import message_for
from .menus import make_action
from .widgets import button_row, error_line, field_error


class ContactDetailsDialog(QDialog):
    """`submit(ContactEdit, on_done, on_error)` does the write; closes on success."""

    FIELDS = ("phone", "address")

    def __init__(self, match: LookupMatch, submit: Callable, parent: QWidget | None = None):
        super().__init__(parent)
        self.match, self._submit = match, submit
        self.result_match: LookupMatch | None = None
        self.setWindowTitle(self.tr("Contact details — %1").replace("%1", match.plate or ""))
        owner = match.bundle.owner
        self.phone = QLineEdit()
        self.phone.setPlaceholderText(self.tr("now %1 — leave empty to keep").replace("%1", match.phone)
                                      if match.phone else self.tr("no phone yet"))
        self.address = QLineEdit(owner.address or "" if owner else "")
        self.address.setPlaceholderText(self.tr("e.g. 示例市和平路1号"))
        self.consent_contact = QCheckBox(self.tr("Agrees to be contacted about renewal"))
        self.consent_mail = QCheckBox(self.tr("Agrees to receive reminder letters"))
        if owner is not None:  # what the customer said before: shown as stored, never assumed
            self.consent_contact.setChecked(bool(owner.consent_contact))
            self.consent_mail.setChecked(bool(owner.consent_mail))
        self.edits = {"phone": self.phone, "address": self.address}
        self.errors: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Owner")), 0, 0)
        grid.addWidget(QLabel(match.owner or "—"), 0, 1)
        labels = {"phone": self.tr("New phone"), "address": self.tr("Postal address")}
        for row, f in enumerate(self.FIELDS, start=1):
            err = field_error()
            self.errors[f] = err
            grid.addWidget(QLabel(labels[f]), row * 2 - 1, 0)
            grid.addWidget(self.edits[f], row * 2 - 1, 1)
            grid.addWidget(err, row * 2, 1)
        grid.setColumnStretch(1, 1)
        self.general = error_line()
        self.ok = QPushButton(self.tr("Save"))
        self.ok.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.ok.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.consent_contact)
        lay.addWidget(self.consent_mail)
        lay.addWidget(self.general)
        lay.addLayout(button_row(self.cancel, self.ok))
        self.setMinimumWidth(min(720, parent.width() - 20) if parent is not None else 720)

    def edit(self) -> details_svc.ContactEdit:
        """Only what the clerk changed (the service refuses an edit that changes nothing)."""
        owner = self.match.bundle.owner
        if owner is None:
            return details_svc.ContactEdit(self.phone.text().strip() or None, self.address.text(),
                                           self.consent_contact.isChecked(), self.consent_mail.isChecked())
        cc, cm = self.consent_contact.isChecked(), self.consent_mail.isChecked()
        addr = self.address.text()
        return details_svc.ContactEdit(
            phone=self.phone.text().strip() or None,
            address=None if " ".join(addr.split()) == (owner.address or "") else addr,
            consent_contact=None if cc == bool(owner.consent_contact) else cc,
            consent_mail=None if cm == bool(owner.consent_mail) else cm)

    def _save(self) -> None:
        for err in self.errors.values():
            err.hide()
        self.general.hide()
        self.ok.setEnabled(False)
        self._submit(self.edit(), self._done, self._failed)

    def _done(self, match: LookupMatch) -> None:
        self.result_match = match
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        field = getattr(exc, "field", None)
        if field in self.errors:
            self.errors[field].setText(message_for(exc))
            self.errors[field].show()
            self.edits[field].setFocus()
            return
        self.general.setText(message_for(exc))
        self.general.show()


def _edit_then_get(backend, session, vehicle_id: str, edit: details_svc.ContactEdit, progress, cancel) -> LookupMatch:
    details_svc.edit_contact(backend.engine, session, vehicle_id, edit, now=backend.now())
    return backend.get(vehicle_id, progress, cancel)


def open_for(window) -> ContactDetailsDialog | None:
    """The dialog for the vehicle on the card (nothing on the card: nothing to edit)."""
    match = window.card.match
    if match is None or window.locked:
        return None

    def submit(edit, on_done, on_error):
        window.runner.db(partial(_edit_then_get, window.backend, window.session, match.vehicle_id, edit),
                         on_done=on_done, on_error=on_error)

    dlg = ContactDetailsDialog(match, submit, window)
    dlg.accepted.connect(lambda: dlg.result_match and window.show_card(dlg.result_match))
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    window.contact_details_dialog = dlg
    return dlg


def install(window) -> None:
    """柜台 → 修改联系方式… (Ctrl+E), for the vehicle on the card."""
    window.contact_details_action = window.add_menu_action(
        "counter", make_action(window, QCoreApplication.translate("ContactDetailsDialog", "Edit contact details…"),
                               lambda: open_for(window), "Ctrl+E", "contactDetailsAction"))
