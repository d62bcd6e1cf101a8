"""Settings (admin): one editor per entry of the settings schema (desktop.services.settings.SCHEMA),
so a new setting appears here without touching this file. Validation and the Chinese messages
come from the schema; saving is all-or-nothing on the database lane.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtPrintSupport import QPrinterInfo
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.services import settings as settings_svc

from .widgets import button_row, error_line, error_text


class SettingsDialog(QDialog):
    def __init__(self, runner, admin, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.admin, self.session = runner, admin, session
        self.saved: settings_svc.CounterSettings | None = None
        self.setWindowTitle(self.tr("Settings"))
        self.editors: dict[str, QWidget] = {}
        titles = {"counter": self.tr("This counter"), "rules": self.tr("Renewal rules"),
                  "backup": self.tr("Backup"), "printing": self.tr("Printing")}
        grid = QGridLayout()
        for i, (group, title) in enumerate(titles.items()):
            box = QGroupBox(title)
            form = QFormLayout(box)
            for s in settings_svc.SCHEMA:
                if s.group == group:
                    editor = self._editor(s)
                    self.editors[s.key] = editor
                    label = s.label + (self.tr(" (whole organisation)") if s.synced else "")
                    editor.setToolTip(s.hint)
                    form.addRow(label, editor)
            grid.addWidget(box, i // 2, i % 2)
        self.note = QLabel(self.tr("Changes are recorded in the audit log. Settings marked “whole organisation” "
                                   "are sent to head office with the next sync."), objectName="cardLine")
        self.note.setWordWrap(True)
        self.error = error_line()
        self.save_btn = QPushButton(self.tr("Save"))
        self.save_btn.setDefault(True)
        self.save_btn.clicked.connect(self.save)
        self.cancel_btn = QPushButton(self.tr("Cancel"))
        self.cancel_btn.clicked.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.note)
        lay.addWidget(self.error)
        lay.addLayout(button_row(self.cancel_btn, self.save_btn))
        self.save_btn.setEnabled(False)
        runner.db(admin.load_settings, on_done=self.fill, on_error=self.fail)

    def _editor(self, s: settings_svc.Setting) -> QWidget:
        if s.kind == "int":
            w = QSpinBox()
            w.setRange(s.lo, s.hi)
            return w
        if s.kind == "bool":
            return QCheckBox()
        if s.kind == "choice":
            w = QComboBox()
            w.addItems(list(s.choices))
            return w
        if s.key.startswith("printer_"):
            w = QComboBox()
            w.setEditable(True)
            w.setMinimumWidth(260)
            w.addItems([""] + list(QPrinterInfo.availablePrinterNames()))
            return w
        w = QLineEdit()
        w.setMaxLength(s.max_len)
        w.setMinimumWidth(320)  # an address or opening hours must be readable whole
        return w

    def fill(self, values: settings_svc.CounterSettings) -> None:
        for key, w in self.editors.items():
            v = getattr(values, key)
            if isinstance(w, QSpinBox):
                w.setValue(int(v))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(v))
            elif isinstance(w, QComboBox):
                w.setCurrentText(str(v))
            else:
                w.setText(str(v))
        self.save_btn.setEnabled(True)

    def values(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for key, w in self.editors.items():
            if isinstance(w, QSpinBox):
                out[key] = w.value()
            elif isinstance(w, QCheckBox):
                out[key] = w.isChecked()
            elif isinstance(w, QComboBox):
                out[key] = w.currentText()
            else:
                out[key] = w.text()
        return out

    def save(self) -> None:
        self.error.hide()
        self.save_btn.setEnabled(False)
        self.runner.db(partial(self.admin.save_settings, self.session, self.values()), on_done=self._saved,
                       on_error=self.fail)

    def _saved(self, values: settings_svc.CounterSettings) -> None:
        self.saved = values
        self.accept()

    def fail(self, exc: object) -> None:
        self.error.setText(error_text(exc))
        self.error.show()
        self.save_btn.setEnabled(True)
