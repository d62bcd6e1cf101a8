"""Staff log-in, the idle lock and unlocking with the same staff's password.

Both log-in and unlock go through the auth service on the database lane, so every attempt,
failed or not, is audited by the service. The idle time comes from CounterSettings and is
injectable (tests use a few hundred milliseconds).
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.services.auth import StaffSession

from .errors import message_for
from .widgets import button_row, error_line

# login(name, password, on_done(StaffSession), on_error(exc)): runs the check off the GUI thread.
LoginFn = Callable[[str, str, Callable, Callable], None]


class _PasswordForm(QWidget):
    def __init__(self, login: LoginFn, parent: QWidget | None = None):
        super().__init__(parent)
        self._login = login
        self.name = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_line()
        self.ok = QPushButton()
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.submit)
        self.password.returnPressed.connect(self.submit)
        self.name.returnPressed.connect(self.password.setFocus)

    def submit(self) -> None:
        name = self.name.text().strip()
        if not name or not self.password.text():
            self.fail_text(self.tr("Enter your staff name and password."))
            return
        self.ok.setEnabled(False)
        self.error.hide()
        self._login(name, self.password.text(), self._done, self._failed)

    def _done(self, session: StaffSession) -> None:
        self.ok.setEnabled(True)
        self.password.clear()
        self.succeeded(session)

    def _failed(self, exc: BaseException) -> None:
        self.password.clear()
        self.password.setFocus()
        self.fail_text(message_for(exc))
        wait = getattr(exc, "wait_minutes", None)
        self.ok.setEnabled(True)
        if wait:  # locked out: the button says how long, and comes back by itself
            self.ok.setEnabled(False)
            # a timer owned by the form: it dies with the form, never fires on a deleted button
            if not hasattr(self, "_wait_timer"):
                self._wait_timer = QTimer(self, singleShot=True)
                self._wait_timer.timeout.connect(lambda: self.ok.setEnabled(True))
            self._wait_timer.start(min(wait, 5) * 60_000)

    def fail_text(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def succeeded(self, session: StaffSession) -> None:  # overridden
        raise NotImplementedError


class LoginDialog(QDialog):
    def __init__(self, login: LoginFn, counter_name: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.session: StaffSession | None = None
        self.setWindowTitle(self.tr("RenewDesk — log in"))
        self.form = form = _PasswordForm(login, self)
        form.succeeded = self._ok  # type: ignore[method-assign]
        form.ok.setText(self.tr("Log in"))
        self.cancel = QPushButton(self.tr("Quit"))
        self.cancel.clicked.connect(self.reject)
        title = QLabel(self.tr("RenewDesk (续保台)") + (f" · {counter_name}" if counter_name else ""))
        title.setObjectName("cardPlate")
        fl = QFormLayout()
        fl.addRow(self.tr("Staff name"), form.name)
        fl.addRow(self.tr("Password"), form.password)
        bl = button_row(self.cancel, form.ok)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addLayout(fl)
        lay.addWidget(form.error)
        lay.addLayout(bl)
        self.setMinimumWidth(560)

    def _ok(self, session: StaffSession) -> None:
        self.session = session
        self.accept()


class LockPanel(QWidget):
    """Shown instead of the work area while locked. The staff member who locked it unlocks with
    the password; "switch user" lets another staff member take over the counter (a new session);
    after a log-out nobody is signed in and anyone logs in here."""

    unlocked = Signal(object)   # the StaffSession that unlocked (the same or another staff member)

    def __init__(self, login: LoginFn, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("page")
        self.locked_by = ""
        self.form = form = _PasswordForm(login, self)
        form.succeeded = self._ok  # type: ignore[method-assign]
        form.ok.setText(self.tr("Unlock"))
        form.name.setReadOnly(True)
        form.name.setAccessibleName(self.tr("Staff name"))
        self.title = QLabel(self.tr("Screen locked"))
        self.title.setObjectName("statusWord")
        self.who = QLabel(objectName="cardLine")
        self.who.setWordWrap(True)
        self.switch_btn = QPushButton(self.tr("Switch user"))
        self.switch_btn.setToolTip(self.tr("Another staff member takes over this counter with their own name and password."))
        self.switch_btn.clicked.connect(lambda: self.switch_user())
        fl = QFormLayout()
        fl.addRow(self.tr("Staff name"), form.name)
        fl.addRow(self.tr("Password"), form.password)
        column = QWidget()
        column.setMaximumWidth(720)
        lay = QVBoxLayout(column)
        lay.addStretch(1)
        lay.addWidget(self.title)
        lay.addWidget(self.who)
        lay.addLayout(fl)
        lay.addWidget(form.error)
        lay.addLayout(button_row(self.switch_btn, form.ok))
        lay.addStretch(2)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        outer.addWidget(column, 3)
        outer.addStretch(1)

    def lock_for(self, staff: str) -> None:
        self.locked_by = staff
        self.title.setText(self.tr("Screen locked"))
        self.form.name.setText(staff)
        self.form.name.setReadOnly(True)
        self.form.ok.setText(self.tr("Unlock"))
        self.switch_btn.setVisible(True)
        self.who.setText(self.tr("Locked by %1: enter the password to go on, or switch user.").replace("%1", staff))
        self.form.error.hide()
        self.form.password.clear()
        self.form.password.setFocus()

    def switch_user(self, logged_out: bool = False) -> None:
        """Any staff member may log in now (after a log-out, or to take over a locked counter)."""
        self.locked_by = ""
        self.title.setText(self.tr("Logged out") if logged_out else self.tr("Switch user"))
        self.who.setText(self.tr("Enter your staff name and password."))
        self.form.name.setReadOnly(False)
        self.form.name.clear()
        self.form.ok.setText(self.tr("Log in"))
        self.switch_btn.setVisible(False)
        self.form.error.hide()
        self.form.password.clear()
        self.form.name.setFocus()

    def _ok(self, session: StaffSession) -> None:
        self.unlocked.emit(session)


class IdleWatcher(QObject):
    """Emits `idle` after `timeout_ms` with no key, mouse or wheel input anywhere in the app."""

    idle = Signal()
    _INPUT = {QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel,
              QEvent.Type.TouchBegin}

    def __init__(self, timeout_ms: int, parent: QObject | None = None):
        super().__init__(parent)
        self.timer = QTimer(self, singleShot=True, interval=max(1, timeout_ms))
        self.timer.timeout.connect(self.idle)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_timeout(self, ms: int) -> None:
        self.timer.setInterval(max(1, ms))
        if self.timer.isActive():
            self.timer.start()

    def start(self) -> None:
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:  # noqa: N802 - Qt override
        if ev.type() in self._INPUT and self.timer.isActive():
            self.timer.start()
        return False

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
