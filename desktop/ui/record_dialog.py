"""Record what happened with a vehicle: one outcome, its details, a note. Append-only.

A correction is a new event naming the one it corrects. Dates are typed as people write them
("2026-12-01", "2026年12月1日", "2026/12/1") and parsed by the record service (core.timeutil).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtCore import QDate, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
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

from desktop.core.renewal_start import default_renewal_start, is_backdated
from desktop.core.timeutil import CST, DateParseError, parse_start, to_cst
from desktop.services.lookup import LookupMatch
from desktop.services.record import FOLLOW_UP, OUTCOME_LABEL, OUTCOMES, NewTerm

from .errors import message_for
from .widgets import button_row, error_line, keep_place, scrolling


class RecordDialog(QDialog):
    """`submit(outcome, new_term, note, corrects, detail, on_done, on_error, next_date=)` does the write (via the
    task runner); the dialog closes on success and shows the Chinese error otherwise."""

    def __init__(self, match: LookupMatch, submit: Callable, parent: QWidget | None = None,
                 today: date | None = None, now: datetime | None = None):
        super().__init__(parent)
        self.match, self._submit = match, submit
        self.now = to_cst(now) if now else datetime.now(CST)
        today = today or self.now.date()
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
        # 车船税 is collected with the 交强险 (and the premium is next year's "last year's premium")
        self.premium = QLineEdit(objectName="premiumEdit")
        self.vehicle_tax = QLineEdit(objectName="vehicleTaxEdit")
        for w in (self.premium, self.vehicle_tax):
            w.setPlaceholderText(self.tr("yuan, as on the policy (may stay empty)"))
        # The default start is the business rule (core.renewal_start, used by the record service
        # too): the later of now and the current cover's end. Never the old end + 1 day: that
        # backdates a lapsed car's cover and leaves a hole after a 09:00 end.
        self.default_start = default_renewal_start(match.bundle.terms, self.now)
        self.start.setText(_start_text(self.default_start))
        self.start_hint = QLabel(self.tr("Default: now, or when the current cover ends if that is later."))
        self.start_hint.setObjectName("cardSmall")
        self.start_hint.setWordWrap(True)
        self.confirm_past = QCheckBox(self.tr("The new cover really starts before now (as printed on the policy)"))
        self.confirm_past.hide()
        self.start.textChanged.connect(lambda _t: self._sync_past())
        src = match.coverage.source_term
        if src and src.insurer:  # a real value the clerk can keep or change, never a ghost placeholder
            self.insurer.setText(src.insurer)
        self.term_box = QWidget()
        tf = QFormLayout(self.term_box)
        tf.setContentsMargins(0, 0, 0, 0)
        tf.addRow(self.tr("Insurer"), self.insurer)
        tf.addRow(self.tr("Policy number"), self.policy_no)
        tf.addRow(self.tr("Start"), self.start)
        tf.addRow("", self.start_hint)
        tf.addRow("", self.confirm_past)
        tf.addRow(self.tr("End (last covered day)"), self.end)
        tf.addRow(self.tr("Premium (交强险)"), self.premium)
        tf.addRow(self.tr("Vehicle tax (车船税)"), self.vehicle_tax)
        self.field_widgets = {"insurer": self.insurer, "policy_no": self.policy_no, "start": self.start,
                              "end": self.end, "premium": self.premium, "vehicle_tax": self.vehicle_tax}

        # renewed elsewhere: the evidence seen
        self.evidence = QComboBox()
        self.evidence.addItems([self.tr("Saw the policy (paper)"), self.tr("Saw the e-policy on the phone"),
                                self.tr("Insurer's text message"), self.tr("Customer said so (not seen)")])
        self.evidence_box = QWidget()
        ef = QFormLayout(self.evidence_box)
        ef.setContentsMargins(0, 0, 0, 0)
        ef.addRow(self.tr("Evidence seen"), self.evidence)

        # 客户会来: the promised day; 联系不上: when to try again. The work lists plan the next
        # contact on it (services.renewal_facts), so it is never a day already gone.
        self.come_on = QDateEdit(calendarPopup=True)
        self.come_on.setDisplayFormat("yyyy-MM-dd")
        self.come_on.setMinimumDate(QDate(today.year, today.month, today.day))
        soon = today + timedelta(days=3)
        self.come_on.setDate(QDate(soon.year, soon.month, soon.day))
        self.come_label = QLabel(self.tr("Will come on"))
        self.come_box = QWidget()
        cf = QFormLayout(self.come_box)
        cf.setContentsMargins(0, 0, 0, 0)
        cf.addRow(self.come_label, self.come_on)
        self.field_widgets["next_date"] = self.come_on

        self.note = QLineEdit()
        self.corrects = QComboBox()
        self.corrects.addItem(self.tr("(new record, corrects nothing)"), None)
        for e in sorted(match.bundle.events, key=lambda e: e.at, reverse=True):
            if e.kind == "outcome" and e.outcome:
                self.corrects.addItem(f"{e.at:%Y-%m-%d} {OUTCOME_LABEL.get(e.outcome, e.outcome)}", e.id)
        nf = QFormLayout()
        nf.addRow(self.tr("Note"), self.note)
        nf.addRow(self.tr("Corrects"), self.corrects)

        self.error = keep_place(error_line())
        self.ok = QPushButton(self.tr("Save"))
        self.ok.setDefault(True)
        self.cancel = QPushButton(self.tr("Cancel"))
        self.ok.clicked.connect(self._save)
        self.cancel.clicked.connect(self.reject)
        bl = button_row(self.cancel, self.ok)

        # The form scrolls inside the dialog; the error line and the buttons stay in view, so the
        # dialog never grows past a 1024×768 screen in 大字模式.
        body = QWidget(objectName="page")
        bl_ = QVBoxLayout(body)
        bl_.setContentsMargins(0, 0, 0, 0)
        bl_.addWidget(QLabel(self.tr("What happened?")))
        bl_.addLayout(grid)
        for w in (self.term_box, self.evidence_box, self.come_box):
            bl_.addWidget(w)
        bl_.addLayout(nf)
        bl_.addStretch(1)
        self.body = body
        self.scroll = scrolling(body)
        lay = QVBoxLayout(self)
        lay.addWidget(self.scroll, 1)
        lay.addWidget(self.error)
        lay.addLayout(bl)
        self.setMinimumWidth(min(760, self._limit().width()))
        self._sync()

    def _limit(self):
        """The room the dialog may take: the screen, and the window it belongs to."""
        screen = (self.parentWidget().screen() if self.parentWidget() else None) or QGuiApplication.primaryScreen()
        r = screen.availableGeometry()
        w, h = r.width(), r.height()
        if self.parentWidget() is not None:
            w, h = min(w, self.parentWidget().width()), min(h, self.parentWidget().height())
        return QSize(w - 20, h - 40)

    def _fit(self) -> None:
        limit = self._limit()
        want = self.body.sizeHint().height() + self.ok.sizeHint().height() + self.error.sizeHint().height() + 60
        self.resize(min(max(self.width(), 760), limit.width()), min(want, limit.height()))

    def outcome(self) -> str | None:
        i = self.group.checkedId()
        return OUTCOMES[i] if i >= 0 else None

    def choose(self, outcome: str) -> None:
        self.radios[outcome].setChecked(True)

    def _sync(self) -> None:
        o = self.outcome()
        self.term_box.setVisible(o in ("renewed_here", "renewed_elsewhere"))
        self.evidence_box.setVisible(o == "renewed_elsewhere")
        self.come_box.setVisible(o in FOLLOW_UP)
        self.come_label.setText(self.tr("Will come on") if o == "will_come" else self.tr("Try again on"))
        self.ok.setEnabled(o is not None)
        self._sync_past()
        self._fit()

    def _values(self) -> tuple[NewTerm | None, dict | None]:
        o = self.outcome()
        term = None
        if o in ("renewed_here", "renewed_elsewhere"):
            t = NewTerm(self.insurer.text().strip() or None, self.policy_no.text().strip() or None,
                        self.start.text().strip() or None, self.end.text().strip() or None,
                        confirm_past_start=not self.confirm_past.isHidden() and self.confirm_past.isChecked(),
                        premium=self.premium.text().strip() or None,
                        vehicle_tax=self.vehicle_tax.text().strip() or None)
            if o == "renewed_here" or t.policy_no or t.end:
                term = t
        detail = None
        if o == "renewed_elsewhere":
            detail = {"evidence": self.evidence.currentText()}
        return term, detail

    def next_date(self) -> date | None:
        """The follow-up day for 联系不上 / 客户会来, else None."""
        if self.outcome() not in FOLLOW_UP:
            return None
        d = self.come_on.date()
        return date(d.year(), d.month(), d.day())

    def _sync_past(self) -> None:
        """A start before now needs the explicit tick (the service refuses it otherwise)."""
        try:
            past = is_backdated(parse_start(self.start.text().strip()), self.now) if self.start.text().strip() else False
        except DateParseError:
            past = False
        self.confirm_past.setVisible(past and not self.term_box.isHidden())
        if not past:
            self.confirm_past.setChecked(False)

    def _save(self) -> None:
        o = self.outcome()
        if o is None:
            return
        term, detail = self._values()
        self.ok.setEnabled(False)
        self.error.hide()
        for w in self.field_widgets.values():
            _mark(w, False)
        self._submit(o, term, self.note.text().strip() or None, self.corrects.currentData(), detail,
                     self._done, self._failed, next_date=self.next_date())

    def _done(self, match: LookupMatch) -> None:
        self.result_match = match
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.ok.setEnabled(True)
        self.error.setText(message_for(exc))
        self.error.show()
        bad = self.field_widgets.get(getattr(exc, "field", "") or "")
        if bad is not None:  # name the field: mark it and put the cursor there
            _mark(bad, True)
            bad.setFocus()
            self.bad_field = getattr(exc, "field", "")
        if getattr(exc, "field", "") == "start":
            self._sync_past()


def _mark(w: QWidget, bad: bool) -> None:
    """The box an error is about gets the style's warning border (ui.style: [bad="true"]), in the
    warning colour of the current mode (dark red, or yellow in 高对比度)."""
    w.setProperty("bad", bad)
    w.style().unpolish(w)
    w.style().polish(w)


def _start_text(t: datetime) -> str:
    """2026-12-01 for a midnight start, else 2026-12-01 10:05 (即时生效)."""
    t = to_cst(t)
    return t.date().isoformat() if (t.hour, t.minute) == (0, 0) else t.strftime("%Y-%m-%d %H:%M")
