"""Export to Excel: the due list (within N days) or the whole status list.

desktop.services.export.export_xlsx on the database lane, as `renewdesk export`. Personal data is
masked; an administrator may tick 含完整个人信息, which the service checks and audits.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import BadInput
from desktop.services.auth import StaffSession

from .backend import Backend
from .tasks import TaskRunner
from .widgets import button_row, error_line, error_text


class ExportDialog(QDialog):
    exported = Signal(int)  # rows written (tests)

    def __init__(self, runner: TaskRunner, backend: Backend, session: StaffSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session = runner, backend, session
        self._busy = False
        self.setWindowTitle(self.tr("Export to Excel"))
        self.due = QRadioButton(self.tr("Due list"), checked=True)
        self.status = QRadioButton(self.tr("Status list (all vehicles)"))
        self.days = QSpinBox()
        self.days.setRange(0, 366)
        self.days.setValue(30)
        self.days.setSuffix(self.tr(" days"))
        self.full = QCheckBox(self.tr("Include full personal data"))
        self.full.setVisible(session.may("admin"))
        note = QLabel(self.tr("Names, phones and ID numbers are masked.") if not session.may("admin") else
                      self.tr("Names, phones and ID numbers are masked unless you include full personal data; "
                              "a full export is recorded in the audit log."), objectName="cardSmall")
        note.setWordWrap(True)
        grid = QGridLayout()
        grid.addWidget(self.due, 0, 0)
        grid.addWidget(QLabel(self.tr("due within")), 0, 1)
        grid.addWidget(self.days, 0, 2)
        grid.addWidget(self.status, 1, 0, 1, 3)
        grid.setColumnStretch(3, 1)  # the day box keeps its size
        self.due.toggled.connect(self.days.setEnabled)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.error = error_line()
        self.close_btn = QPushButton(self.tr("Close"))
        self.export_btn = QPushButton(self.tr("Export…"))
        self.export_btn.setDefault(True)
        self.close_btn.clicked.connect(self.reject)
        self.export_btn.clicked.connect(self.choose_target)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.full)
        lay.addWidget(note)
        lay.addWidget(self.error)
        lay.addWidget(self.result)
        lay.addStretch(1)
        lay.addLayout(button_row(self.close_btn, self.export_btn))
        self.resize(680, 380)

    def what(self) -> str:
        return "due" if self.due.isChecked() else "status"

    def choose_target(self) -> None:
        default = (self.tr("due list.xlsx") if self.what() == "due" else self.tr("status list.xlsx"))
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export to Excel"), str(Path.home() / default),
                                              self.tr("Excel workbooks (*.xlsx)"))
        if name:
            self.export_to(Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx"))

    def export_to(self, target: Path) -> None:
        if not target.parent.is_dir():
            self._failed(BadInput(self.tr("The folder %1 does not exist.").replace("%1", str(target.parent))))
            return
        self.error.hide()
        self.result.setText(self.tr("Exporting…"))
        self.export_btn.setEnabled(False)
        full = self.session.may("admin") and self.full.isChecked()
        self.runner.db(partial(self.backend.export, self.session, self.what(), target, self.days.value(), full),
                       on_done=lambda n: self._done(n, target, full), on_error=self._failed)

    def _done(self, n: int, target: Path, full: bool) -> None:
        self.export_btn.setEnabled(True)
        text = (self.tr("%1 rows exported to %2 (full personal data).") if full else
                self.tr("%1 rows exported to %2 (personal data masked)."))
        self.result.setText(text.replace("%1", str(n)).replace("%2", str(target)))
        self.layout().activate()  # the wrapped line gets its height before anything paints it
        self.exported.emit(n)

    def _failed(self, exc: BaseException) -> None:
        self.export_btn.setEnabled(True)
        self.result.setText("")
        self.error.setText(error_text(exc))
        self.error.show()
        self.layout().activate()
