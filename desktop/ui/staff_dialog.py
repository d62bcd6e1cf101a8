"""Staff (admin): the list with each account's role and state (in use, disabled, waiting after
failed log-ins), and add / disable / enable / reset password / change role; and the dialog in
which any staff member changes their own password. The services check the role and audit.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.services.auth import ROLE_LABEL, ROLE_RANK

from .widgets import button_row, error_line, error_text


def _password() -> QLineEdit:
    e = QLineEdit()
    e.setEchoMode(QLineEdit.EchoMode.Password)
    return e


def _roles() -> QComboBox:
    box = QComboBox()
    for role in ROLE_RANK:
        box.addItem(ROLE_LABEL[role], role)
    return box


class StaffDialog(QDialog):
    def __init__(self, runner, admin, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.admin, self.session = runner, admin, session
        self.rows: list = []
        self.setWindowTitle(self.tr("Staff"))
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([self.tr("Name"), self.tr("Role"), self.tr("State"),
                                              self.tr("Failed log-ins")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.itemSelectionChanged.connect(self._selected)

        self.role = _roles()
        self.toggle_btn = QPushButton(self.tr("Disable"))
        self.toggle_btn.clicked.connect(self.toggle_active)
        self.role_btn = QPushButton(self.tr("Change role"))
        self.role_btn.clicked.connect(self.change_role)
        self.reset_pw = _password()
        self.reset_btn = QPushButton(self.tr("Reset password"))
        self.reset_btn.clicked.connect(self.reset_password)
        chosen = QHBoxLayout()
        for w in (self.toggle_btn, self.role, self.role_btn, QLabel(self.tr("New password")), self.reset_pw,
                  self.reset_btn):
            chosen.addWidget(w)

        self.new_name, self.new_role, self.new_pw = QLineEdit(), _roles(), _password()
        self.add_btn = QPushButton(self.tr("Add staff member"))
        self.add_btn.clicked.connect(self.add)
        form = QFormLayout()
        form.addRow(self.tr("New staff name"), self.new_name)
        form.addRow(self.tr("Role"), self.new_role)
        form.addRow(self.tr("Password (at least 6 characters)"), self.new_pw)
        self.error = error_line()
        self.close_btn = QPushButton(self.tr("Close"))
        self.close_btn.clicked.connect(self.accept)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(chosen)
        lay.addLayout(form)
        lay.addLayout(button_row(self.add_btn))
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.close_btn))
        self.resize(1000, 640)
        self._selected()
        self._run(self.admin.list_staff)

    # -- the list -------------------------------------------------------------------------------
    def _state(self, r) -> str:
        if not r.active:
            return self.tr("Disabled")
        if r.locked_minutes:
            return self.tr("Locked: %1 min left").replace("%1", str(r.locked_minutes))
        return self.tr("In use")

    def show_rows(self, rows: list) -> None:
        keep = self.current()
        self.rows = rows
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            for j, text in enumerate((r.name, ROLE_LABEL.get(r.role, r.role), self._state(r), str(r.failed_count))):
                self.table.setItem(i, j, QTableWidgetItem(text))
            if keep is not None and r.name == keep.name:
                self.table.selectRow(i)
        self._selected()

    def current(self):
        i = self.table.currentRow()
        return self.rows[i] if 0 <= i < len(self.rows) and self.table.selectedItems() else None

    def select(self, name: str) -> None:
        for i, r in enumerate(self.rows):
            if r.name == name:
                self.table.selectRow(i)

    def _selected(self) -> None:
        r = self.current()
        for b in (self.toggle_btn, self.role_btn, self.reset_btn, self.role, self.reset_pw):
            b.setEnabled(r is not None)
        if r is not None:
            self.toggle_btn.setText(self.tr("Disable") if r.active else self.tr("Enable"))
            self.role.setCurrentIndex(self.role.findData(r.role))

    # -- actions (each returns the fresh list) --------------------------------------------------
    def _run(self, fn, *args) -> None:
        self.error.hide()
        self.runner.db(partial(fn, self.session, *args), on_done=self.show_rows, on_error=self.fail)

    def add(self) -> None:
        self._run(self.admin.add_staff, self.new_name.text().strip(), self.new_role.currentData(), self.new_pw.text())
        self.new_pw.clear()

    def toggle_active(self) -> None:
        r = self.current()
        if r is not None:
            self._run(self.admin.set_active, r.name, not r.active)

    def change_role(self) -> None:
        r = self.current()
        if r is not None:
            self._run(self.admin.change_role, r.name, self.role.currentData())

    def reset_password(self) -> None:
        r = self.current()
        if r is not None:
            self._run(self.admin.reset_password, r.name, self.reset_pw.text())
            self.reset_pw.clear()

    def fail(self, exc: object) -> None:
        self.error.setText(error_text(exc))
        self.error.show()


class OwnPasswordDialog(QDialog):
    """Any staff member: change one's own password (the current one is asked first)."""

    def __init__(self, runner, admin, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.admin, self.session = runner, admin, session
        self.setWindowTitle(self.tr("Change my password"))
        self.old, self.new, self.new2 = _password(), _password(), _password()
        form = QFormLayout()
        form.addRow(self.tr("Current password"), self.old)
        form.addRow(self.tr("New password"), self.new)
        form.addRow(self.tr("New password again"), self.new2)
        self.error = error_line()
        self.ok_btn = QPushButton(self.tr("Change password"))
        self.ok_btn.setDefault(True)
        self.ok_btn.clicked.connect(self.submit)
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Staff: %1").replace("%1", session.name)))
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.cancel_btn, self.ok_btn))
        self.setMinimumWidth(560)

    def submit(self) -> None:
        if self.new.text() != self.new2.text():
            self.fail(self.tr("The two new passwords differ."))
            return
        self.ok_btn.setEnabled(False)
        self.runner.db(partial(self.admin.change_own_password, self.session, self.old.text(), self.new.text()),
                       on_done=lambda _r: self.accept(), on_error=self.fail)

    def fail(self, exc: object) -> None:
        self.ok_btn.setEnabled(True)
        self.error.setText(error_text(exc))
        self.error.show()
