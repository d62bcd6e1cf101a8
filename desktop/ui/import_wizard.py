"""Import wizard (supervisor and up): file → sheet → column mapping → dry run → import → summary.

The same code as `renewdesk import`: desktop.io.reading.read_import finds the header and guesses
each column's field (import_preview reads what the mapping page shows); a changed field is an
override {header: field}, exactly the CLI's --map; desktop.services.importer does the dry run and
the import, run on the task runner as import_job describes.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.io.synonyms import FIELDS
from desktop.io.xlsx_writer import write_reject_report
from desktop.services.auth import StaffSession

from .backend import Backend
from .import_job import import_chain
from .import_preview import FIELD_LABELS, IGNORE, Preview, cell_text, read_preview, sheet_names
from .reject_table import RejectTable
from .steps import StepProgress
from .tasks import TaskRunner
from .widgets import button_row, error_line, error_text

SHOWN_REJECTS = 20


class ImportWizard(QDialog):
    step_shown = Signal(int)   # the page now shown (tests, screenshots)
    FILE, MAPPING, DRY, SUMMARY = range(4)

    def __init__(self, runner: TaskRunner, backend: Backend, session: StaffSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session = runner, backend, session
        self.path: Path | None = None
        self.preview: Preview | None = None
        self.overrides: dict[str, str] = {}
        self.dry_report = None
        self.report = None
        self.rejected_rows: list = []
        self.setWindowTitle(self.tr("Import a spreadsheet"))

        # 1. file and sheet
        self.file_label = QLabel(self.tr("No file chosen."))
        self.file_label.setWordWrap(True)
        self.pick_btn = QPushButton(self.tr("Choose file…"))
        self.pick_btn.clicked.connect(self.choose_file)
        self.sheet = QComboBox()
        self.sheet.setEnabled(False)
        self.sheet.currentTextChanged.connect(self._sheet_changed)
        p1 = QWidget()
        l1 = QVBoxLayout(p1)
        l1.addWidget(QLabel(self.tr("Choose an Excel workbook (.xlsx, .xls) or a CSV file exported by the insurer "
                                    "or the dealer system."), wordWrap=True))
        row = QHBoxLayout()
        row.addWidget(self.file_label, 1)
        row.addWidget(self.pick_btn)
        l1.addLayout(row)
        sheet_row = QHBoxLayout()
        sheet_row.addWidget(QLabel(self.tr("Sheet")))
        sheet_row.addWidget(self.sheet, 1)
        l1.addLayout(sheet_row)
        l1.addStretch(1)

        # 2. mapping: one field box per column above the first rows
        self.map_info = QLabel(wordWrap=True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setCornerButtonEnabled(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        p2 = QWidget()
        l2 = QVBoxLayout(p2)
        l2.addWidget(self.map_info)
        l2.addWidget(QLabel(self.tr("Check the field of each column; change it where the guess is wrong."),
                            wordWrap=True))
        l2.addWidget(self.table, 1)

        # 3. dry run report, then 4. summary
        self.dry_counts = QLabel(objectName="cardLine", wordWrap=True)
        self.rejects = RejectTable()
        self.more_rejects = QLabel(wordWrap=True)
        p3 = QWidget()
        l3 = QVBoxLayout(p3)
        l3.addWidget(QLabel(self.tr("Dry run: nothing has been stored yet."), wordWrap=True))
        l3.addWidget(self.dry_counts)
        l3.addWidget(self.rejects, 1)
        l3.addWidget(self.more_rejects)
        self.summary = QLabel(objectName="cardLine", wordWrap=True)
        self.report_btn = QPushButton(self.tr("Save the error report…"))
        self.report_btn.clicked.connect(self.choose_report)
        self.report_note = QLabel(wordWrap=True)
        p4 = QWidget()
        l4 = QVBoxLayout(p4)
        l4.addWidget(self.summary)
        # the rejected rows stay on screen after the import, each with its (masked, cut) value
        self.import_rejects = RejectTable()
        self.import_more = QLabel(wordWrap=True)
        l4.addWidget(self.import_rejects, 9)  # the page's height, bar the stretch below when it is hidden
        l4.addWidget(self.import_more)
        report_row = QHBoxLayout()
        report_row.addWidget(self.report_btn)
        report_row.addStretch(1)
        l4.addLayout(report_row)
        l4.addWidget(self.report_note)
        l4.addStretch(1)

        self.stack = QStackedWidget()
        for p in (p1, p2, p3, p4):
            self.stack.addWidget(p)
        self.error = error_line()
        self.progress = StepProgress(runner)
        self.progress.cancelled.connect(self._cancelled)
        self.close_btn = QPushButton(self.tr("Close"))
        self.back_btn = QPushButton(self.tr("Back"))
        self.next_btn = QPushButton(self.tr("Next"))
        self.next_btn.setDefault(True)
        self.close_btn.clicked.connect(self.reject)
        self.back_btn.clicked.connect(self.back)
        self.next_btn.clicked.connect(self.next)
        lay = QVBoxLayout(self)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.progress)
        lay.addLayout(button_row(self.close_btn, self.back_btn, self.next_btn))
        self.resize(980, 620)
        self._busy = False
        self.show_step(self.FILE)

    # -- navigation -------------------------------------------------------------------------------
    @property
    def step(self) -> int:
        return self.stack.currentIndex()

    def show_step(self, step: int) -> None:
        self.stack.setCurrentIndex(step)
        self.next_btn.setText({self.FILE: self.tr("Next"), self.MAPPING: self.tr("Dry run"),
                               self.DRY: self.tr("Import"), self.SUMMARY: self.tr("Finish")}[step])
        self._refresh()
        self.layout().activate()  # the button's new text gets its width now, not after the next event
        self.step_shown.emit(step)

    def _refresh(self) -> None:
        busy = self._busy or self.progress.running
        step = self.step
        self.back_btn.setVisible(step in (self.MAPPING, self.DRY))
        self.close_btn.setVisible(step != self.SUMMARY)  # 完成 closes it there
        self.back_btn.setEnabled(not busy)
        self.pick_btn.setEnabled(not busy)
        self.sheet.setEnabled(not busy and self.sheet.count() > 1)
        self.table.setEnabled(not busy)
        ready = {self.FILE: self.path is not None and self.sheet.count() > 0,
                 self.MAPPING: self.preview is not None, self.DRY: self.dry_report is not None,
                 self.SUMMARY: True}[step]
        self.next_btn.setEnabled(ready and not busy)

    def _work(self, busy: bool) -> None:
        self._busy = busy
        if busy:
            self.error.hide()
        self._refresh()

    def _failed(self, exc: BaseException) -> None:
        self._work(False)
        self.error.setText(error_text(exc))
        self.error.show()

    def back(self) -> None:
        self.error.hide()
        self.show_step(self.step - 1)

    def next(self) -> None:
        step = self.step
        if step == self.FILE:
            self.load_preview(first=True)
        elif step == self.MAPPING:
            self.dry_run()
        elif step == self.DRY:
            self.start_import()
        else:
            self.accept()

    # -- 1. file and sheet ------------------------------------------------------------------------
    def choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, self.tr("Choose a spreadsheet"), str(Path.home()),
                                              self.tr("Spreadsheets (*.xlsx *.xlsm *.xls *.csv)"))
        if name:
            self.open_file(Path(name))

    def open_file(self, path: Path) -> None:
        self.path, self.preview, self.overrides = path, None, {}
        self.file_label.setText(str(path))
        self.sheet.blockSignals(True)
        self.sheet.clear()
        self.sheet.blockSignals(False)
        self._work(True)
        self.runner.io(partial(sheet_names, path), on_done=self._sheets, on_error=self._failed)

    def _sheets(self, names: list[str]) -> None:
        self.sheet.blockSignals(True)
        self.sheet.addItems(names)
        self.sheet.blockSignals(False)
        self._work(False)

    def _sheet_changed(self, _name: str) -> None:
        self.preview, self.overrides = None, {}

    # -- 2. mapping -------------------------------------------------------------------------------
    def load_preview(self, first: bool = False) -> None:
        if self.path is None:
            return
        self._work(True)
        sheet = self.sheet.currentText() or None
        on_done = self._first_preview if first else self._show_preview
        self.runner.io(partial(read_preview, self.path, sheet, dict(self.overrides)), on_done=on_done,
                       on_error=self._failed)

    def _first_preview(self, pv: Preview) -> None:
        """A mapping someone confirmed for this very header row before is where we start."""
        if self.overrides:
            self._show_preview(pv)
            return

        def remembered(saved: dict[str, str] | None) -> None:
            if saved:
                self.overrides = dict(saved)
                self.load_preview()
            else:
                self._show_preview(pv)

        self.runner.db(partial(self.backend.remembered_mapping, pv.signature), on_done=remembered,
                       on_error=self._failed)

    def _show_preview(self, pv: Preview) -> None:
        self.preview = pv
        self._work(False)
        self.map_info.setText(self.tr("Sheet %1, header on row %2; %3 of %4 columns recognised.")
                              .replace("%1", pv.sheet).replace("%2", str(pv.header_row))
                              .replace("%3", str(len(pv.columns))).replace("%4", str(sum(1 for h in pv.headers if h))))
        width = max(len(pv.headers), max((len(r) for r in pv.rows), default=0))
        t = self.table
        t.clear()
        t.setColumnCount(width)
        t.setRowCount(1 + len(pv.rows))
        t.setHorizontalHeaderLabels([h or "" for h in pv.headers] + [""] * (width - len(pv.headers)))
        t.setVerticalHeaderLabels([self.tr("Field")] + [str(pv.header_row + 1 + i) for i in range(len(pv.rows))])
        for col, header in enumerate(pv.headers):
            if header:
                t.setCellWidget(0, col, self._field_box(header, pv.columns.get(header, "")))
        for r, values in enumerate(pv.rows, start=1):
            for col, v in enumerate(values[:width]):
                t.setItem(r, col, QTableWidgetItem(cell_text(v)))
        if self.step != self.MAPPING:
            self.show_step(self.MAPPING)
        else:
            self.step_shown.emit(self.MAPPING)

    def _field_box(self, header: str, current: str) -> QComboBox:
        box = QComboBox()
        box.addItem(self.tr("(not imported)"), "")
        for f, label in FIELD_LABELS.items():
            if f in FIELDS:
                box.addItem(label, f)
        for f in sorted(FIELDS - FIELD_LABELS.keys()):
            box.addItem(f, f)
        box.setCurrentIndex(max(0, box.findData(current if current != IGNORE else "")))
        box.setProperty("header", header)
        box.currentIndexChanged.connect(lambda _i, b=box: self.set_field(b.property("header"), b.currentData()))
        return box

    def field_box(self, header: str) -> QComboBox | None:
        if self.preview is None:
            return None
        col = self.preview.headers.index(header)
        w = self.table.cellWidget(0, col)
        return w if isinstance(w, QComboBox) else None

    def set_field(self, header: str, fld: str) -> None:
        """Override one column's field (like --map '表头=字段') and read the preview again."""
        self.overrides[header] = fld or IGNORE
        self.dry_report = None
        self.load_preview()

    # -- 3. dry run, import ---------------------------------------------------------------------
    def _run(self, dry_run: bool, on_done) -> None:
        assert self.path is not None and self.preview is not None
        collected: list = []
        self.rejected_rows = collected
        chain = import_chain(self.runner, self.backend, self.session, self.path, self.preview.sheet,
                             dict(self.overrides), dry_run, collected.append)

        def done(job) -> None:
            (self._stopped_part if job.stopped else on_done)(job.report)

        self.progress.start_chain(chain, on_done=done, on_error=self._failed)
        self._refresh()

    def dry_run(self) -> None:
        self.dry_report = None
        self._run(True, self._dry_done)

    def _counts(self, rep) -> str:
        return (self.tr("Data rows %1: new %2, updated %3, duplicates %4, rejected %5.")
                .replace("%1", str(rep.rows)).replace("%2", str(rep.imported)).replace("%3", str(rep.updated))
                .replace("%4", str(rep.duplicates)).replace("%5", str(len(rep.rejected))))

    def _dry_done(self, rep) -> None:
        self.dry_report = rep
        self.dry_counts.setText(self._counts(rep))
        self._fill_rejects(self.rejects, self.more_rejects, rep)
        self.show_step(self.DRY)

    def _fill_rejects(self, table: RejectTable, more_label: QLabel, rep) -> None:
        """Row, column, the value as the report shows it (masked, cut to 60 characters), reason."""
        shown = rep.rejected[:SHOWN_REJECTS]
        table.fill(shown)
        table.setVisible(bool(shown))
        more = len(rep.rejected) - len(shown)
        more_label.setText(self.tr("…and %1 more rows: save the error report after the import.")
                           .replace("%1", str(more)) if more > 0 else "")

    def start_import(self) -> None:
        self._run(False, self._imported)

    def _imported(self, rep) -> None:
        self.report = rep
        self.summary.setText(self.tr("Imported.") + " " + self._counts(rep))
        self._fill_rejects(self.import_rejects, self.import_more, rep)
        self.report_btn.setVisible(bool(self.rejected_rows))
        self.report_note.setText("")
        self.show_step(self.SUMMARY)

    def _stopped_part(self, rep) -> None:
        """Stopped after some chunks were written: they stay (a batch of their own); say so."""
        self.report = rep
        self.summary.setText(self.tr("Stopped: the first %1 rows are imported, the rest are not. Import the same "
                                     "file again to add the rest (rows already in are not added twice).")
                             .replace("%1", str(rep.rows)) + " " + self._counts(rep))
        self._fill_rejects(self.import_rejects, self.import_more, rep)
        self.report_btn.setVisible(bool(self.rejected_rows))
        self.report_note.setText("")
        self.show_step(self.SUMMARY)

    def _cancelled(self) -> None:
        self.report = None
        self.rejected_rows = []
        self.summary.setText(self.tr("Cancelled: nothing was imported."))
        self.report_btn.hide()
        self.report_note.setText("")
        self.show_step(self.SUMMARY if self.step == self.DRY else self.step)

    # -- 4. error report --------------------------------------------------------------------------
    def choose_report(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save the error report"),
                                              str(Path.home() / self.tr("import errors.xlsx")),
                                              self.tr("Excel workbooks (*.xlsx)"))
        if name:
            self.save_report(Path(name) if name.lower().endswith(".xlsx") else Path(name + ".xlsx"))

    def save_report(self, target: Path) -> None:
        assert self.report is not None
        headers, rows = self.report.source_headers, list(self.rejected_rows)
        self._work(True)

        def written(n: int) -> None:
            self._work(False)
            self.report_note.setText(self.tr("%1 rejected rows saved to %2. Fix them there and import that file "
                                             "again.").replace("%1", str(n)).replace("%2", str(target)))

        self.runner.io(lambda p, c: write_reject_report(target, headers, rows), on_done=written,
                       on_error=self._failed)

    def reject(self) -> None:
        if self.progress.running:  # closing stops the import after the chunk being written
            self.progress.cancel()
        super().reject()
