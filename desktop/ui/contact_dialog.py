"""Record one renewal contact for a work-list row: channel, result, next date, 战败 reason; or
停止联系 (never again, with a reason) / 本次关闭 (off the lists until a date)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import cadence
from desktop.services.contact import ContactInput
from desktop.services.worklist import WorkRow

Submit = Callable[[str, object, Callable, Callable], None]  # (action, payload, on_done, on_error)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class ContactDialog(QDialog):
    def __init__(self, row: WorkRow, reasons: dict[str, str], today: date, submit: Submit,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.row, self.submit, self.today = row, submit, today
        self.setWindowTitle(self.tr("Record contact — %1").replace("%1", row.plate or ""))
        self.channel = QComboBox(objectName="channelBox")
        for code, label in cadence.CHANNELS.items():
            self.channel.addItem(label, code)
        self.result = QComboBox(objectName="resultBox")
        for code, label in cadence.REACHED.items():
            self.result.addItem(self.tr("Reached: %1").replace("%1", label), code)
        for code, label in cadence.NOT_REACHED.items():
            self.result.addItem(self.tr("Not reached: %1").replace("%1", label), code)
        self.use_next = QCheckBox(self.tr("Next contact / visit on"))
        self.next = QDateEdit(_qdate(today + timedelta(days=3)), objectName="nextDate")
        self.next.setCalendarPopup(True)
        self.next.setDisplayFormat("yyyy-MM-dd")  # the locale's default read "4 12 2026"
        self.next.setMinimumDate(_qdate(today))
        self.reason = QComboBox(objectName="reasonBox")
        for code, label in reasons.items():
            self.reason.addItem(label, code)
        self.insurer = QLineEdit(objectName="insurerBox")
        self.note = QLineEdit(objectName="noteBox")
        self.message = QLabel(objectName="errorLine")
        self.message.setWordWrap(True)
        self.week = QLabel(self.tr("Contacted %1 times this week").replace("%1", str(row.week_attempts)))

        form = QFormLayout()
        form.addRow(self.tr("Channel"), self.channel)
        form.addRow(self.tr("Result"), self.result)
        nxt = QHBoxLayout()
        nxt.addWidget(self.use_next)
        nxt.addWidget(self.next, 1)
        form.addRow(nxt)
        form.addRow(self.tr("Loss reason"), self.reason)
        form.addRow(self.tr("Renewed with insurer"), self.insurer)
        form.addRow(self.tr("Note"), self.note)

        self.save_btn = QPushButton(self.tr("Record"), objectName="recordContact")
        self.save_btn.setDefault(True)
        self.save_btn.clicked.connect(self._record)
        self.stop_btn = QPushButton(self.tr("Stop contacting…"), objectName="stopContact")
        self.stop_btn.clicked.connect(self._stop)
        self.close_btn = QPushButton(self.tr("Close until date"), objectName="closeUntil")
        self.close_btn.clicked.connect(self._close_until)
        cancel = QPushButton(self.tr("Cancel"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        for b in (self.save_btn, self.stop_btn, self.close_btn, cancel):
            buttons.addWidget(b)

        lay = QVBoxLayout(self)
        lay.addWidget(self.week)
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addLayout(buttons)
        self.result.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        code = self.result.currentData()
        loss = code in cadence.LOSS_RESULTS
        self.reason.setEnabled(loss)
        self.insurer.setEnabled(code == "renewed_elsewhere")
        if code == "will_come":
            self.use_next.setChecked(True)

    def _send(self, action: str, payload: object) -> None:
        for b in (self.save_btn, self.stop_btn, self.close_btn):
            b.setEnabled(False)
        self.message.clear()
        self.submit(action, payload, lambda _r: self.accept(), self._failed)

    def _failed(self, exc: BaseException) -> None:
        for b in (self.save_btn, self.stop_btn, self.close_btn):
            b.setEnabled(True)
        self.message.setText(getattr(exc, "message", None) or str(exc))

    def contact_input(self) -> ContactInput:
        code = self.result.currentData()
        reason = self.reason.currentData() if code in cadence.LOSS_RESULTS else None
        return ContactInput(self.channel.currentData(), code,
                            _pydate(self.next.date()) if self.use_next.isChecked() else None,
                            self.note.text().strip() or None, reason,
                            self.insurer.text().strip() or None if code == "renewed_elsewhere" else None)

    def _record(self) -> None:
        self._send("contact", self.contact_input())

    def _stop(self) -> None:
        reason = self.note.text().strip()
        if not reason:
            self.message.setText(self.tr("Write the reason for stopping in the note first."))
            return
        self._send("stop", reason)

    def _close_until(self) -> None:
        if not self.use_next.isChecked() or _pydate(self.next.date()) <= self.today:
            self.message.setText(self.tr("Tick the date box and choose a later day to close until."))
            return
        self._send("close", _pydate(self.next.date()))
