"""Record what happened with a vehicle: one outcome, its details, a note. Append-only.

A correction is a new event naming the one it corrects. Dates are typed as people write them
("2026-12-01", "2026年12月1日", "2026/12/1") and parsed by the record service (core.timeutil).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.lookup import LookupMatch
from desktop.services.record import OUTCOME_LABEL, OUTCOMES, NewTerm

from .widgets import button_row, error_line


class RecordDialog(QDialog):
    """`submit(outcome, new_term, note, corrects, detail, on_done, on_error)` does the write (via the
    task runner); the dialog closes on success and shows the Chinese error otherwise."""

    def __init__(self, match: LookupMatch, submit: Callable, parent: QWidget | None = None,
                 today: date | None = None):
        super().__init__(parent)
        self.match, self._submit = match, submit
        self.setWindowTitle(self.tr("Record what happened — %1").replace("%1", match.plate or ""))
        self.result_match: LookupMatch | None = None

        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        grid = QGridLayout()
        for i, code in enumerate(OUTCOMES):
            rb = QRadioButton(OUTCOME_LABEL[code])
            self.radios[code] = rb
            self.group.addButton(rb, i)
            grid.addWidget(rb, i // 2, i % 2)
        self.group.idToggled.connect(lambda *_: self._sync())

        # renewed: the new term
        self.insurer = QLineEdit()
        self.policy_no = QLineEdit()
        self.start = QLineEdit()
        self.end = QLineEdit()
        self.end.setPlaceholderText(self.tr("empty = one year after the start"))
        end = match.coverage.ci_end_date
        if end is not None:
            self.start.setText((end + timedelta(days=1)).isoformat())
        if match.coverage.source_term and match.coverage.source_term.insurer:
            self.insurer.setPlaceholderText(match.coverage.source_term.insurer)
        self.term_box = QWidget()
        tf = QFormLayout(self.term_box)
        tf.setContentsMargins(0, 0, 0, 0)
        tf.addRow(self.tr("Insurer"), self.insurer)
        tf.addRow(self.tr("Policy number"), self.policy_no)
        tf.addRow(self.tr("Start (first day)"), self.start)
        tf.addRow(self.tr("End (last covered day)"), self.end)

        # renewed elsewhere: the evidence seen
        self.evidence = QComboBox()
        self.evidence.addItems([self.tr("Saw the policy (paper)"), self.tr("Saw the e-policy on the phone"),
                                self.tr("Insurer's text message"), self.tr("Customer said so (not seen)")])
        self.evidence_box = QWidget()
        ef = QFormLayout(self.evidence_box)
        ef.setContentsMargins(0, 0, 0, 0)
        ef.addRow(self.tr("Evidence seen"), self.evidence)

        # will come in: when
        self.come_on = QDateEdit(calendarPopup=True)
        self.come_on.setDisplayFormat("yyyy-MM-dd")
        soon = (today or date.today()) + timedelta(days=3)
        self.come_on.setDate(QDate(soon.year, soon.month, soon.day))
        self.come_box = QWidget()
        cf = QFormLayout(self.come_box)
        cf.setContentsMargins(0, 0, 0, 0)
        cf.addRow(self.tr("Will come on"), self.come_on)

        self.note = QLineEdit()
        self.corrects = QComboBox()
        self.corrects.addItem(self.tr("(new record, corrects nothing)"), None)
        for e in sorted(match.bundle.events, key=lambda e: e.at, reverse=True):
            if e.kind == "outcome" and e.outcome:
                self.corrects.addItem(f"{e.at:%Y-%m-%d} {OUTCOME_LABEL.get(e.outcome, e.outcome)}", e.id)
        nf = QFormLayout()
        nf.addRow(self.tr("Note"), self.note)
        nf.addRow(self.tr("Corrects"), self.corrects)

        self.error = error_line()
        self.ok = QPushButton(self.tr("Save"))
        self.ok.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.ok.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)
        bl = button_row(self.cancel, self.ok)

        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("What happened?")))
        lay.addLayout(grid)
        for w in (self.term_box, self.evidence_box, self.come_box):
            lay.addWidget(w)
        lay.addLayout(nf)
        lay.addWidget(self.error)
        lay.addLayout(bl)
        self.setMinimumWidth(760)
        self._sync()

    def outcome(self) -> str | None:
        i = self.group.checkedId()
        return OUTCOMES[i] if i >= 0 else None

    def choose(self, outcome: str) -> None:
        self.radios[outcome].setChecked(True)

    def _sync(self) -> None:
        o = self.outcome()
        self.term_box.setVisible(o in ("renewed_here", "renewed_elsewhere"))
        self.evidence_box.setVisible(o == "renewed_elsewhere")
        self.come_box.setVisible(o == "will_come")
        self.ok.setEnabled(o is not None)
        self.adjustSize()

    def _values(self) -> tuple[NewTerm | None, dict | None]:
        o = self.outcome()
        term = None
        if o in ("renewed_here", "renewed_elsewhere"):
            t = NewTerm(self.insurer.text().strip() or None, self.policy_no.text().strip() or None,
                        self.start.text().strip() or None, self.end.text().strip() or None)
            if o == "renewed_here" or t.policy_no or t.end:
                term = t
        detail = None
        if o == "renewed_elsewhere":
            detail = {"evidence": self.evidence.currentText()}
        elif o == "will_come":
            detail = {"will_come_on": self.come_on.date().toString("yyyy-MM-dd")}
        return term, detail

    def _save(self) -> None:
        o = self.outcome()
        if o is None:
            return
        term, detail = self._values()
        self.ok.setEnabled(False)
        self.error.hide()
        self._submit(o, term, self.note.text().strip() or None, self.corrects.currentData(), detail,
                     self._done, self._failed)

    def _done(self, match: LookupMatch) -> None:
        self.result_match = match
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(getattr(exc, "message", None) or str(exc))
        self.error.show()
