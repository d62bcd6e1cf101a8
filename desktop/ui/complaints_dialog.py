"""投诉/纠纷 in the window: the list (overdue first, words and a symbol, never colour alone), a new
complaint against the vehicle on the card, follow-ups and state changes (closing: supervisor)."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.complaints import CATEGORIES, STATE_LABEL, TRANSITIONS
from desktop.services.auth import StaffSession
from desktop.services.complaints import ComplaintRow
from desktop.services.lookup import LookupMatch

from .aftersales_backend import AftersalesBackend
from .tasks import TaskRunner
from .widgets import error_line, error_text


class ComplaintsModel(QAbstractTableModel):
    """Wraps a list of ComplaintRow (plain dataclasses)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[ComplaintRow] = []
        self.headers = [self.tr("Overdue"), self.tr("Plate"), self.tr("Category"), self.tr("State"),
                        self.tr("Owner"), self.tr("Due")]

    def set_rows(self, rows: list[ComplaintRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        r = self.rows[index.row()]
        c = r.complaint
        return [self.tr("⚠ Overdue") if r.overdue else "", r.plate or "-", CATEGORIES[c.category],
                STATE_LABEL[c.state], c.owner, c.due.isoformat()][index.column()]


class ComplaintsDialog(QDialog):
    changed = Signal()  # after any write and reload (tests)

    def __init__(self, runner: TaskRunner, backend: AftersalesBackend, session: StaffSession,
                 match: LookupMatch | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session, self.match = runner, backend, session, match
        self.setWindowTitle(self.tr("Complaints and disputes"))
        self.model = ComplaintsModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.show_closed = QCheckBox(self.tr("Show closed ones too"))
        self.show_closed.toggled.connect(lambda _on: self.reload())
        self.error = error_line()

        # A new complaint against the vehicle on the card.
        self.new_box = QGroupBox(self.tr("New complaint for %1").replace("%1", match.plate if match else "-"))
        self.category = QComboBox()
        for code, label in CATEGORIES.items():
            self.category.addItem(label, code)
        self.due = QDateEdit(QDate.currentDate().addDays(7))
        self.due.setCalendarPopup(True)
        self.due.setDisplayFormat("yyyy-MM-dd")
        self.promised = QLineEdit(placeholderText=self.tr("What we promised the customer"))
        self.note = QPlainTextEdit(placeholderText=self.tr("What the customer says is wrong"))
        self.note.setFixedHeight(80)
        self.add_btn = QPushButton(self.tr("Record complaint"))
        self.add_btn.clicked.connect(self.add)
        form = QFormLayout(self.new_box)
        form.addRow(self.tr("Category"), self.category)
        form.addRow(self.tr("Due"), self.due)
        form.addRow(self.tr("Promised"), self.promised)
        form.addRow(self.tr("Note"), self.note)
        form.addRow(self.add_btn)
        self.new_box.setEnabled(match is not None)

        # Follow-up or state change of the selected complaint.
        self.follow_note = QLineEdit(placeholderText=self.tr("Follow-up note"))
        self.follow_btn = QPushButton(self.tr("Add follow-up"))
        self.follow_btn.clicked.connect(self.follow)
        self.to_state = QComboBox()
        self.move_btn = QPushButton(self.tr("Change state"))
        self.move_btn.clicked.connect(self.move)
        self.hint = QLabel(self.tr("Closing needs a supervisor."))
        act = QHBoxLayout()
        for w in (self.follow_note, self.follow_btn, self.to_state, self.move_btn):
            act.addWidget(w)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selected())

        lay = QVBoxLayout(self)
        lay.addWidget(self.show_closed)
        lay.addWidget(self.table, 1)
        lay.addLayout(act)
        lay.addWidget(self.hint)
        lay.addWidget(self.error)
        lay.addWidget(self.new_box)
        self.resize(900, 700)
        self._selected()
        self.reload()

    def current(self) -> ComplaintRow | None:
        i = self.table.currentIndex()
        return self.model.rows[i.row()] if i.isValid() and i.row() < len(self.model.rows) else None

    def _selected(self) -> None:
        row = self.current()
        self.to_state.clear()
        if row is not None:
            for s in TRANSITIONS[row.complaint.state]:
                if s != "closed" or self.session.may("supervisor"):
                    self.to_state.addItem(STATE_LABEL[s], s)
        for w in (self.follow_note, self.follow_btn):
            w.setEnabled(row is not None and row.complaint.state != "closed")
        self.move_btn.setEnabled(self.to_state.count() > 0)
        self.hint.setVisible(not self.session.may("supervisor"))

    def reload(self) -> None:
        self.runner.db(partial(self.backend.complaints, self.session, not self.show_closed.isChecked(), None),
                       on_done=self._loaded, on_error=self._failed)

    def _loaded(self, rows: list[ComplaintRow]) -> None:
        self.model.set_rows(rows)
        if rows:
            self.table.selectRow(0)
        self._selected()
        self.changed.emit()

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.show()

    def _write(self, fn) -> None:
        self.error.hide()
        self.runner.db(fn, on_done=lambda _r: self.reload(), on_error=self._failed)

    def add(self) -> None:
        if self.match is None:
            return
        due = self.due.date().toString("yyyy-MM-dd")
        self._write(partial(self.backend.add_complaint, self.session, self.match, self.category.currentData(), due,
                            self.note.toPlainText(), self.promised.text()))
        self.note.clear()
        self.promised.clear()

    def follow(self) -> None:
        row = self.current()
        if row is not None:
            self._write(partial(self.backend.follow_up, self.session, row.complaint.id, self.follow_note.text()))
            self.follow_note.clear()

    def move(self) -> None:
        row = self.current()
        if row is not None and self.to_state.currentData():
            self._write(partial(self.backend.move, self.session, row.complaint.id, self.to_state.currentData(),
                                self.follow_note.text()))
            self.follow_note.clear()
