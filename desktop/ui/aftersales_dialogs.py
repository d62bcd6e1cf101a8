"""Claims guidance (理赔指引) for the vehicle on the card, the insurer directory (admins edit and
confirm), and the SMS reminder list — each a small dialog on the database lane."""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.insurers import InsurerEntry
from desktop.paths import resource_path
from desktop.printing.guide import print_guide as draw_guide
from desktop.printing.model import PrintError
from desktop.services.auth import StaffSession
from desktop.services.lookup import LookupMatch

from .aftersales_backend import AftersalesBackend
from .tasks import TaskRunner
from .widgets import error_line, error_text

FONT = resource_path("fonts", "wqy-microhei.ttc")


class _Base(QDialog):
    done_with = Signal(object)  # the result of the last write (tests)

    def __init__(self, runner: TaskRunner, backend: AftersalesBackend, session: StaffSession,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session = runner, backend, session
        self.error = error_line()
        self.result_line = QLabel()
        self.result_line.setWordWrap(True)

    def _failed(self, exc: BaseException) -> None:
        self.result_line.clear()
        self.error.setText(error_text(exc))
        self.error.show()

    def _ok(self, text: str, result: object) -> None:
        self.error.hide()
        self.result_line.setText(text)
        self.done_with.emit(result)


class GuideDialog(_Base):
    def __init__(self, runner, backend, session, match: LookupMatch, parent=None):
        super().__init__(runner, backend, session, parent)
        self.match = match
        self.setWindowTitle(self.tr("Claims guidance slip"))
        self.accident = QComboBox()
        for code, label in (("single", self.tr("Single vehicle")),
                            ("two_no_injury", self.tr("Two vehicles, nobody hurt (快处快赔)")),
                            ("injury", self.tr("Someone injured")), ("glass", self.tr("Glass only")),
                            ("theft", self.tr("Theft")), ("disaster", self.tr("Natural disaster"))):
            self.accident.addItem(label, code)
        self.paper = QComboBox()
        for code in ("a4", "a5", "80mm"):
            self.paper.addItem(code.upper() if code != "80mm" else self.tr("80 mm receipt"), code)
        self.save_btn = QPushButton(self.tr("Save as PDF…"))
        self.save_btn.clicked.connect(self.choose_file)
        self.print_btn = QPushButton(self.tr("Print…"))
        self.print_btn.clicked.connect(self.print_guide)
        form = QFormLayout()
        form.addRow(self.tr("Vehicle"), QLabel(match.plate or "-"))
        form.addRow(self.tr("Accident"), self.accident)
        form.addRow(self.tr("Paper"), self.paper)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.print_btn)
        lay.addWidget(self.save_btn)
        lay.addWidget(self.error)
        lay.addWidget(self.result_line)

    def print_guide(self) -> None:
        """Build the data on the database lane, preview and print on the GUI thread, then log it."""
        accident, paper = self.accident.currentData(), self.paper.currentData()

        def ready(data) -> None:
            try:
                printed = preview_guide(self, data, paper)
            except PrintError as exc:
                self._failed(exc)
                return
            if printed:
                self.runner.db(partial(self.backend.log_guide, self.session, self.match, accident, paper),
                               on_done=lambda _r: self._ok(self.tr("Printed."), data), on_error=self._failed)

        self.runner.db(partial(self.backend.guide_data, self.session, self.match, accident), on_done=ready,
                       on_error=self._failed)

    def choose_file(self) -> None:
        name = f"理赔指引-{self.match.plate or 'vehicle'}.pdf"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save claims guidance"), str(Path.home() / name),
                                              "PDF (*.pdf)")
        if path:
            self.write(Path(path))

    def write(self, out: Path) -> None:
        self.runner.db(partial(self.backend.write_guide, self.session, self.match, out, self.accident.currentData(),
                               self.paper.currentData()),
                       on_done=lambda pages: self._ok(self.tr("Saved %1 (%2 pages). Print it and hand it to the "
                                                              "owner.").replace("%1", out.name)
                                                      .replace("%2", str(pages)), pages),
                       on_error=self._failed)


def preview_guide(parent: QWidget, data, paper: str) -> bool:
    """QPrintPreviewDialog over the same drawing as the PDF; True if the clerk printed."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dlg = QPrintPreviewDialog(printer, parent)
    dlg.setWindowTitle(QCoreApplication.translate("GuideDialog", "Print preview"))
    dlg.paintRequested.connect(lambda p: draw_guide(data, p, paper, font_path=FONT))
    return bool(dlg.exec())


class DirectoryDialog(_Base):
    """Every number shows 待核实 until an admin confirms its entry; only admins may save."""

    FIELDS = ("name", "short", "claims_phone", "roadside_phone", "report_within_hours", "branch_address",
              "branch_hours")

    def __init__(self, runner, backend, session, parent=None):
        super().__init__(runner, backend, session, parent)
        self.setWindowTitle(self.tr("Insurer directory"))
        self.entries: list[InsurerEntry] = []
        self.list = QListWidget()
        self.list.setMinimumHeight(260)
        self.list.currentRowChanged.connect(self._show)
        labels = (self.tr("Name"), self.tr("Short name"), self.tr("Claims hotline"), self.tr("Roadside assistance"),
                  self.tr("Report within (hours)"), self.tr("Local claims address"), self.tr("Claims office hours"))
        self.edits = {f: QLineEdit() for f in self.FIELDS}
        self.confirm = QCheckBox(self.tr("I checked these numbers with the insurer (已核实)"))
        self.save_btn = QPushButton(self.tr("Save"))
        self.save_btn.clicked.connect(self.save)
        form = QFormLayout()
        for f, label in zip(self.FIELDS, labels, strict=True):
            form.addRow(label, self.edits[f])
        form.addRow(self.confirm)
        self.state = QLabel()
        admin = session.may("admin")
        for w in (*self.edits.values(), self.confirm, self.save_btn):
            w.setEnabled(admin)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.state)
        lay.addLayout(form)
        if not admin:
            lay.addWidget(QLabel(self.tr("Only an administrator may change the directory.")))
        lay.addWidget(self.save_btn)
        lay.addWidget(self.error)
        lay.addWidget(self.result_line)
        self.resize(760, 720)
        self.reload()

    def reload(self, keep: str | None = None) -> None:
        self.runner.db(partial(self.backend.directory, self.session), on_done=lambda es: self._loaded(es, keep),
                       on_error=self._failed)

    def _loaded(self, entries: list[InsurerEntry], keep: str | None) -> None:
        self.entries = entries
        self.list.clear()
        for e in entries:
            mark = self.tr("confirmed") if e.confirmed else "待核实"
            self.list.addItem(f"{e.short}  {e.claims_phone or '-'}  [{mark}]")
        keys = [e.key for e in entries]
        self.list.setCurrentRow(keys.index(keep) if keep in keys else 0)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.entries):
            return
        e = self.entries[row]
        for f in self.FIELDS:
            v = getattr(e, f)
            self.edits[f].setText("" if v is None else str(v))
        self.confirm.setChecked(e.confirmed)
        who = self.tr("Confirmed by %1 at %2").replace("%1", e.confirmed_by or "").replace("%2", (e.confirmed_at or "")[:16].replace("T", " "))
        self.state.setText(who if e.confirmed else self.tr("Not yet confirmed: printed as 待核实."))

    def save(self) -> None:
        row = self.list.currentRow()
        if not 0 <= row < len(self.entries):
            return
        e = self.entries[row]
        fields = {f: self.edits[f].text() for f in self.FIELDS
                  if self.edits[f].text() != ("" if getattr(e, f) is None else str(getattr(e, f)))}
        self.runner.db(partial(self.backend.set_directory, self.session, e.key, fields, self.confirm.isChecked()),
                       on_done=lambda saved: (self._ok(self.tr("Saved."), saved), self.reload(saved.key)),
                       on_error=self._failed)


class SmsDialog(_Base):
    def __init__(self, runner, backend, session, parent=None):
        super().__init__(runner, backend, session, parent)
        self.setWindowTitle(self.tr("SMS reminder list"))
        self.days = QSpinBox(minimum=0, maximum=365, value=30)
        self.lapsed = QCheckBox(self.tr("Include lapsed (up to 3 years)"))
        self.full = QCheckBox(self.tr("Full phone numbers and names (administrator, audited)"))
        self.full.setVisible(session.may("admin"))
        self.save_btn = QPushButton(self.tr("Save list…"))
        self.save_btn.clicked.connect(self.choose_file)
        form = QFormLayout()
        form.addRow(self.tr("Due within (days)"), self.days)
        form.addRow(self.lapsed)
        form.addRow(self.full)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Only owners who agreed to be contacted and are not marked 停止联系 are "
                                     "listed.")))
        lay.addLayout(form)
        lay.addWidget(self.save_btn)
        lay.addWidget(self.error)
        lay.addWidget(self.result_line)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save SMS list"), str(Path.home() / "短信提醒名单.xlsx"),
                                              "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self.write(Path(path))

    def write(self, out: Path) -> None:
        def done(r) -> None:
            text = (self.tr("%1 messages written to %2; longest %3 characters (%4 SMS each at most); "
                            "%5 owners left out.")
                    .replace("%1", str(r.rows)).replace("%2", out.name).replace("%3", str(r.max_chars))
                    .replace("%4", str(r.max_segments)).replace("%5", str(sum(r.skipped.values()))))
            self._ok(text, r)

        self.runner.db(partial(self.backend.write_sms, self.session, out, self.days.value(), self.lapsed.isChecked(),
                               self.full.isChecked() and self.session.may("admin")),
                       on_done=done, on_error=self._failed)
