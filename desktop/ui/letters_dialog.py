"""Batch reminder letters (supervisor and up): choose who, see how many, then save a PDF or print.

The same services as `renewdesk letters`: desktop.services.letters.select for the count (on the
read lane beside the searches, again whenever a choice changes, the stale count cancelled); for the
PDF the steps of documents.write_letters on their lanes (select on the read lane, log on the
database lane, render_letters on the I/O pool, which hands a batch to a child process, so searches
are not held up by the rendering; progress and a cancel that leaves nothing at the target), and for paper
desktop.printing.letter.print_letters with the selection's LetterData, then letters.log_printed.
"""
from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.timeutil import cst_date
from desktop.services import documents
from desktop.services import letters as letters_svc
from desktop.services.auth import StaffSession

from .backend import Backend
from .steps import DB, IO, StepProgress
from .tasks import READ, TaskRunner
from .widgets import button_row, error_line, error_text


class LettersDialog(QDialog):
    counted = Signal(object)   # letters.Selection, once the count on screen is current (tests)
    finished_batch = Signal(str)  # "saved" | "printed" | "cancelled" | "failed"
    previewed = Signal(object)  # LetterPreviewDialog, once the first letter is on screen

    def __init__(self, runner: TaskRunner, backend: Backend, session: StaffSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session = runner, backend, session
        self.selection: letters_svc.Selection | None = None
        self.target: Path | None = None
        self._generation = 0
        self._counting = None  # the TaskHandle of the count running for the current choice
        self.setWindowTitle(self.tr("Reminder letters"))
        self.reasons = {"no_consent": self.tr("no consent to letters"), "no_address": self.tr("no postal address"),
                        "sold": self.tr("sold"), "scrapped": self.tr("scrapped")}

        self.days = QSpinBox()
        self.days.setRange(0, 366)
        self.days.setValue(30)
        self.days.setSuffix(self.tr(" days"))
        self.lapsed = QCheckBox(self.tr("Also lapsed vehicles (lapsed 3 years or less)"))
        self.by_address = QRadioButton(self.tr("By address"))
        self.by_due = QRadioButton(self.tr("By due date"))
        self.by_address.setChecked(True)
        self._order = QButtonGroup(self)
        for b in (self.by_address, self.by_due):
            self._order.addButton(b)
        order_row = QHBoxLayout()
        order_row.addWidget(self.by_address)
        order_row.addWidget(self.by_due)
        order_row.addStretch(1)
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("Due within")), 0, 0)
        days_row = QHBoxLayout()
        days_row.addWidget(self.days)
        days_row.addStretch(1)
        grid.addLayout(days_row, 0, 1)
        grid.addWidget(self.lapsed, 1, 0, 1, 2)
        grid.addWidget(QLabel(self.tr("Order")), 2, 0)
        grid.addLayout(order_row, 2, 1)
        grid.setColumnStretch(1, 1)

        self.count = QLabel(objectName="cardLine")
        self.count.setWordWrap(True)
        self.skipped = QLabel(objectName="cardSmall")
        self.skipped.setWordWrap(True)
        # Which vehicles get no letter and why, one a line (plates masked as on mailed paper).
        self.skipped_list = QListWidget(objectName="skippedList")
        # at least four lines in either mode (a fixed 160 px showed under two in 大字模式)
        self.skipped_list.setMinimumHeight(self.skipped_list.fontMetrics().height() * 4 + 12)
        self.skipped_list.hide()
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.error = error_line()
        self.progress = StepProgress(runner)
        self.progress.cancelled.connect(self._cancelled)

        self.close_btn = QPushButton(self.tr("Close"))
        self.print_btn = QPushButton(self.tr("Print…"))
        self.pdf_btn = QPushButton(self.tr("Save as PDF…"))
        self.pdf_btn.setDefault(True)
        self.close_btn.clicked.connect(self.reject)
        self.print_btn.clicked.connect(self.print_letters)
        self.pdf_btn.clicked.connect(self.save_pdf)
        self.preview_btn = QPushButton(self.tr("Preview first letter"))
        self.preview_btn.clicked.connect(self.preview_first)

        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addWidget(self.count)
        lay.addWidget(self.skipped)
        lay.addWidget(self.skipped_list, 1)
        lay.addWidget(self.error)
        lay.addWidget(self.result)
        lay.addWidget(self.progress)
        lay.addLayout(button_row(self.close_btn, self.preview_btn, self.print_btn, self.pdf_btn))

        self._timer = QTimer(self, singleShot=True, interval=250)
        self._timer.timeout.connect(self.recount)
        self.days.valueChanged.connect(self._changed)
        self.lapsed.toggled.connect(self._changed)
        self.by_address.toggled.connect(self._changed)
        self._fit_screen()
        self.recount()

    def _fit_screen(self) -> None:
        """Room for the skipped list, never past the screen (1024×768 in 大字模式)."""
        screen = (self.parentWidget().screen() if self.parentWidget() else None) or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry()
        self.resize(min(820, avail.width() - 20), min(640, avail.height() - 40))

    # -- choice and count -------------------------------------------------------------------------
    def choice(self) -> tuple[int, bool, str]:
        return self.days.value(), self.lapsed.isChecked(), "address" if self.by_address.isChecked() else "due"

    def _changed(self, *_a) -> None:
        self.selection = None
        self._generation += 1
        self._set_ready()
        self._timer.start()

    def recount(self) -> None:
        self._generation += 1
        gen = self._generation
        self.count.setText(self.tr("Counting…"))
        self.skipped.setText("")
        self.skipped_list.clear()
        self.skipped_list.hide()
        self._set_ready()
        # A count for an older choice is stale: off the queue, or stopped at its next chunk (a wide
        # window is seconds of counting at a million vehicles; each spin-box step queued another).
        self.runner.cancel(self._counting)
        # On the read lane: a count reads a bundle per candidate (a minute for the default window at
        # a million vehicles); the counter's searches on the db lane go on meanwhile.
        self._counting = self.runner.read(partial(self.backend.select_letters, *self.choice()),
                                          on_done=lambda sel: self._counted(gen, sel), on_error=self._failed)

    def _counted(self, gen: int, sel: letters_svc.Selection) -> None:
        if gen != self._generation:  # a later choice is being counted
            return
        self.selection = sel
        self.count.setText(self.tr("%1 letters will be printed.").replace("%1", str(len(sel.letters))))
        self.skipped_list.clear()
        for s in sel.skipped:
            self.skipped_list.addItem(f"{s.plate or '—'}　{self.reasons.get(s.reason, s.reason)}")
        self.skipped_list.setVisible(bool(sel.skipped))
        if sel.skipped:
            by = Counter(s.reason for s in sel.skipped)
            parts = "、".join(f"{self.reasons.get(r, r)} {n}" for r, n in sorted(by.items()))
            self.skipped.setText(self.tr("%1 vehicles get no letter: %2").replace("%1", str(len(sel.skipped)))
                                 .replace("%2", parts))
        else:
            self.skipped.setText(self.tr("No vehicle in the window is skipped."))
        self._set_ready()
        self.counted.emit(sel)

    def _set_ready(self) -> None:
        busy = self.progress.running
        ok = self.selection is not None and bool(self.selection.letters) and not busy
        self.pdf_btn.setEnabled(ok)
        self.print_btn.setEnabled(ok)
        self.preview_btn.setEnabled(ok)
        for w in (self.days, self.lapsed, self.by_address, self.by_due):
            w.setEnabled(not busy)

    # -- preview (drawn on the I/O lane, shown here) ----------------------------------------------
    def preview_first(self) -> None:
        from .letter_preview_dialog import LetterPreviewDialog, first_letter_task

        sel = self.selection
        if sel is None or not sel.letters:
            return
        self.preview_btn.setEnabled(False)

        def show(preview) -> None:
            self.preview_btn.setEnabled(self.selection is not None and bool(self.selection.letters))
            dlg = LetterPreviewDialog(preview, len(sel.letters), self)
            dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dlg.open()
            self.preview_dialog = dlg
            self.previewed.emit(dlg)

        self.runner.io(first_letter_task(sel, self.backend), on_done=show, on_error=self._failed)

    # -- PDF --------------------------------------------------------------------------------------
    def save_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Save letters as PDF"),
                                              str(Path.home() / "提醒信.pdf"), self.tr("PDF files (*.pdf)"))
        if name:
            self.write_pdf(Path(name) if name.lower().endswith(".pdf") else Path(name + ".pdf"))

    def write_pdf(self, target: Path) -> None:
        self.target = target
        self.error.hide()
        self.result.setText("")
        b, session, choice = self.backend, self.session, self.choice()

        counted = self.selection  # what the count on screen shows, for this very choice

        def chain():  # select (read lane) and log (database lane), render on the I/O pool between them
            sel = counted if counted is not None else (yield READ, partial(b.select_letters, *choice))
            pages = yield IO, partial(b.render_letters, session, target, sel)
            batch = yield DB, partial(b.log_letters, session, sel, pages, target.name)
            return documents.LettersResult(len(sel.letters), pages, sel.skipped, batch)

        self.progress.start_chain(chain(), on_done=self._saved, on_error=self._failed)
        self._set_ready()

    def _saved(self, res) -> None:
        if res.batch is None:  # the service saw the cancel after the last letter
            self._cancelled()
            return
        self.result.setText(self.tr("%1 letters, %2 pages, saved to %3").replace("%1", str(res.letters))
                            .replace("%2", str(res.pages)).replace("%3", str(self.target)))
        self._set_ready()
        self.layout().activate()  # the wrapped line gets its height before anything paints it
        self.finished_batch.emit("saved")

    def _cancelled(self) -> None:
        self.result.setText(self.tr("Cancelled: no file was written and nothing was logged."))
        self._set_ready()
        self.finished_batch.emit("cancelled")

    def _failed(self, exc: BaseException) -> None:
        self.error.setText(error_text(exc))
        self.error.show()
        if self.selection is None:
            self.count.setText("")
        self._set_ready()
        self.finished_batch.emit("failed")

    # -- paper ------------------------------------------------------------------------------------
    def print_letters(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, self)
        dlg.setWindowTitle(self.tr("Print letters"))
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)

    def print_to(self, printer) -> None:
        """Print the counted selection on `printer` (io lane), then log it (database lane)."""
        from desktop.printing.letter import load_letter_template
        from desktop.printing.letter import print_letters as print_on

        sel, res = self.selection, self.backend.resources
        if sel is None:
            return
        counter = letters_svc.counter_info(self.backend.settings)
        day = cst_date(self.backend.now())

        def work(progress, cancel) -> int:
            template = load_letter_template(res.letter_template)  # a bad placeholder fails before printing
            return print_on(letters_svc.iter_letter_data(sel, counter, day), printer, template, res.font)

        def printed(pages: int) -> None:
            target = printer.outputFileName() or printer.printerName() or "printer"
            self.runner.db(partial(self.backend.log_letters, self.session, sel, pages, target),
                           on_done=lambda _b: self._printed(len(sel.letters), pages), on_error=self._failed)

        self.error.hide()
        self.result.setText(self.tr("Printing…"))
        self.runner.io(work, on_done=printed, on_error=self._failed)

    def _printed(self, letters: int, pages: int) -> None:
        self.result.setText(self.tr("%1 letters, %2 pages sent to the printer.").replace("%1", str(letters))
                            .replace("%2", str(pages)))
        self.finished_batch.emit("printed")

    def reject(self) -> None:
        if self.progress.running:  # closing stops the batch; nothing is left behind
            self.progress.cancel()
        super().reject()
