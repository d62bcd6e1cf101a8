"""Sync in the window: a status indicator with 立即同步, the 同步问题 list and enrolment (admin).

Hooked into the main window by one call, `install(window, runner, SyncBackend(...))`. Every sync
runs on the task runner's I/O lane (network, with its own short database transactions), so typing
in the search box never waits for head office. Offline is a normal state, shown calmly; only a
refusal (revoked device, rejected changes, a clock too far ahead) looks like a problem.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import partial

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.timeutil import CST
from desktop.services import sync as sync_svc
from desktop.services.auth import StaffSession
from desktop.store.keyring_port import KeyringPort
from desktop.store.store import Store
from desktop.sync.schedule import Schedule
from desktop.sync.transport import Transport

from .menus import make_action


@dataclass
class SyncBackend:
    """The sync services bound to the open store and keyring (plain functions for the runner)."""
    store: Store
    keyring: KeyringPort
    counter_name: str = ""
    timeout_s: float = 30.0

    def status(self, progress, cancel) -> sync_svc.SyncStatus:
        return sync_svc.status(self.store, int(datetime.now(CST).timestamp() * 1000))

    def sync(self, session: StaffSession, progress, cancel):
        return sync_svc.sync_now(self.store, self.keyring, session, None, progress, cancel,
                                 transport_factory=lambda url, token: Transport(url, token, self.timeout_s))

    def problems(self, session: StaffSession, progress, cancel) -> list[sync_svc.Problem]:
        return sync_svc.problems(self.store, session)

    def enroll(self, session: StaffSession, url: str, code: str, progress, cancel):
        return sync_svc.enroll(self.store, self.keyring, session, url, code, self.counter_name)


def _hhmm(ms: int | None) -> str:
    if not ms:
        return "—"
    t = datetime.fromtimestamp(ms / 1000, CST)
    today = datetime.now(CST).date()
    return t.strftime("%H:%M") if t.date() == today else t.strftime("%m-%d %H:%M")


class SyncIndicator(QWidget):
    """离线 / 同步中 / 失败 / 已同步, the last sync time, and 立即同步."""

    sync_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.label = QLabel(objectName="syncState")
        self.button = QPushButton(self.tr("Sync now"), objectName="syncNow")
        self.button.clicked.connect(self.sync_requested)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.button)
        self.state = ""

    def _show(self, state: str, text: str, tooltip: str = "") -> None:
        self.state = state
        self.label.setText(text)
        self.label.setToolTip(tooltip)
        # Offline is not an error: neutral grey; a failure is marked by a symbol AND a colour.
        colour = {"failed": "#a40000", "ok": "#1a5d1a", "syncing": "#1f4e8c"}.get(state, "#555555")
        self.label.setStyleSheet(f"color: {colour};")

    def show_syncing(self) -> None:
        self._show("syncing", self.tr("⟳ Syncing…"))
        self.button.setEnabled(False)

    def show_status(self, st: sync_svc.SyncStatus, offline_reason: str | None = None) -> None:
        self.button.setEnabled(st.enrolled)
        last = _hhmm(st.last_sync_ms)
        if not st.enrolled:
            self._show("unenrolled", self.tr("○ Not connected to head office (not enrolled)"),
                       self.tr("An administrator enrols this counter under Sync → Enrol with head office."))
            return
        if st.clock_hold:
            self._show("failed", self.tr("✕ Sync held: this computer's clock is ahead of head office. "
                                         "Correct the clock; changes are kept."), "")
            return
        if st.stalled:
            self._show("failed", self.tr("⚠ %1 changes have waited over a day to sync (last sync %2)")
                       .replace("%1", str(st.pending)).replace("%2", last), st.last_error or "")
            return
        if offline_reason is not None:
            self._show("offline", self.tr("○ Offline · %1 waiting · last sync %2")
                       .replace("%1", str(st.pending)).replace("%2", last), offline_reason)
            return
        if st.rejected:
            self._show("failed", self.tr("✕ %1 changes refused by head office (see Sync problems) · synced %2")
                       .replace("%1", str(st.rejected)).replace("%2", last), "")
            return
        self._show("ok", self.tr("✓ Synced %1 · %2 waiting").replace("%1", last).replace("%2", str(st.pending)))

    def show_failed(self, message: str) -> None:
        self._show("failed", self.tr("✕ Sync failed"), message)
        self.button.setEnabled(True)


class SyncController(QObject):
    """Runs sync on start, on a timer, on reconnect and on 立即同步; backs off with jitter on failure."""

    finished = Signal(object)  # SyncReport or the exception (tests wait on this)

    def __init__(self, runner, backend: SyncBackend, session: StaffSession, indicator: SyncIndicator,
                 parent: QObject | None = None, schedule: Schedule | None = None, autostart: bool = True):
        super().__init__(parent)
        self.runner, self.backend, self.session, self.indicator = runner, backend, session, indicator
        self.schedule = schedule or Schedule()
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.sync_now)
        self.running = False
        self.offline_reason: str | None = None
        self.last_status: sync_svc.SyncStatus | None = None
        indicator.sync_requested.connect(self.sync_now)
        self._watch_network()
        self.refresh()
        if autostart:
            self._later(self.schedule.first())

    def _later(self, seconds: float) -> None:
        self.timer.start(int(seconds * 1000))

    def _watch_network(self) -> None:
        try:
            from PySide6.QtNetwork import QNetworkInformation

            if QNetworkInformation.loadDefaultBackend() and QNetworkInformation.instance() is not None:
                QNetworkInformation.instance().reachabilityChanged.connect(self._reachability)
        except Exception:  # no backend on this platform: the timer still retries
            pass

    def _reachability(self, reachability) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online and self.offline_reason is not None:
            self._later(self.schedule.on_reconnect())

    def refresh(self) -> None:
        self.runner.io(self.backend.status, on_done=self._status, on_error=lambda e: None)

    def _status(self, st: sync_svc.SyncStatus) -> None:
        self.last_status = st
        if not self.running:
            self.indicator.show_status(st, self.offline_reason)

    def sync_now(self) -> None:
        if self.running:
            return
        self.running = True
        self.timer.stop()
        self.indicator.show_syncing()
        self.runner.io(partial(self.backend.sync, self.session), on_done=self._done, on_error=self._failed)

    def _done(self, report) -> None:
        self.running, self.offline_reason = False, None
        self._later(self.schedule.after_success())
        self.refresh()
        self.finished.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        msg = getattr(exc, "message", None) or type(exc).__name__
        if isinstance(exc, sync_svc.HeadOfficeUnreachable):
            self.offline_reason = msg
        else:
            self.offline_reason = None
            self.indicator.show_failed(msg)
        if isinstance(exc, sync_svc.BadInput) and self.last_status is not None and not self.last_status.enrolled:
            self.timer.stop()  # nothing to retry until someone enrols
        else:
            self._later(self.schedule.after_failure())
        if self.offline_reason is not None:
            self.refresh()
        self.finished.emit(exc)


class ProblemsModel(QAbstractTableModel):
    """Refused changes (plain sync_svc.Problem rows)."""

    def __init__(self, rows: list[sync_svc.Problem], parent: QObject | None = None):
        super().__init__(parent)
        self.rows = rows
        self.headers = [self.tr("No."), self.tr("What"), self.tr("Details"), self.tr("Why head office refused it"),
                        self.tr("Entered")]
        self.kinds = {"customer": self.tr("Customer"), "vehicle": self.tr("Vehicle"),
                      "policy_term": self.tr("Policy term"), "event": self.tr("Record")}

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        p = self.rows[index.row()]
        # The row's place in the list, not its device_seq: a counter enrolled again keeps its
        # refused rows below zero (desktop.sync.identity.restart_sequence), which read as "-3".
        return [str(index.row() + 1), self.kinds.get(p.entity, p.entity), p.summary, p.why,
                p.created_at[:16].replace("T", " ")][index.column()]

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


class ProblemsDialog(QDialog):
    def __init__(self, runner, backend: SyncBackend, session: StaffSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Sync problems"))
        self.summary = QLabel(self.tr("Loading…"))
        self.summary.setWordWrap(True)
        self.table = QTableView(objectName="syncProblems")
        self.model = ProblemsModel([], self)
        self.table.setModel(self.model)
        self.table.horizontalHeader().setStretchLastSection(True)
        close = QDialogButtonBox()
        close.addButton(QPushButton(self.tr("Close")), QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addWidget(close)
        self.resize(980, 420)
        runner.io(partial(backend.problems, session), on_done=self.show_rows,
                  on_error=lambda e: self.summary.setText(getattr(e, "message", str(e))))

    def show_rows(self, rows: list[sync_svc.Problem]) -> None:
        self.model.beginResetModel()
        self.model.rows = rows
        self.model.endResetModel()
        self.table.resizeColumnsToContents()
        if rows:
            self.summary.setText(self.tr("Head office refused %1 changes. They stay on this counter; correct "
                                         "the record (a new entry) and sync again.").replace("%1", str(len(rows))))
        else:
            self.summary.setText(self.tr("No problems: head office accepted every change."))


class EnrolDialog(QDialog):
    """Admin only: head office address and the one-time code from head office."""

    enrolled = Signal(object)

    def __init__(self, runner, backend: SyncBackend, session: StaffSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session = runner, backend, session
        self.setWindowTitle(self.tr("Enrol with head office"))
        self.url = QLineEdit(objectName="enrolUrl")
        self.url.setPlaceholderText("https://hq.example.cn:8443")
        self.code = QLineEdit(objectName="enrolCode")
        self.message = QLabel(objectName="enrolMessage")
        self.message.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Head office address"), self.url)
        form.addRow(self.tr("Enrolment code"), self.code)
        self.buttons = QDialogButtonBox()
        self.buttons.addButton(QPushButton(self.tr("Enrol")), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QPushButton(self.tr("Cancel")), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Ask head office for a one-time enrolment code (renewdesk-server enroll-code).")))
        lay.addLayout(form)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)

    def submit(self) -> None:
        self.buttons.setEnabled(False)
        self.message.setText(self.tr("Contacting head office…"))
        self.runner.io(partial(self.backend.enroll, self.session, self.url.text(), self.code.text()),
                       on_done=self._done, on_error=self._failed)

    def _done(self, enrolment) -> None:
        self.enrolled.emit(enrolment)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.message.setText(getattr(exc, "message", None) or self.tr("Enrolment failed."))


class SyncMenu(QObject):
    """The 同步 menu's actions and the dialogs they open."""

    def __init__(self, window, runner, backend: SyncBackend, ctl: SyncController):
        super().__init__(window)
        self.window, self.runner, self.backend, self.ctl = window, runner, backend, ctl
        self.session = window.session
        window.add_menu_action("sync", make_action(window, self.tr("Sync now"), ctl.sync_now, None, "syncNowAction"))
        window.add_menu_action("sync", make_action(window, self.tr("Sync problems…"), self.problems, None,
                                                   "syncProblemsAction"))
        self.enrol_action = make_action(window, self.tr("Enrol with head office…"), self.enrol, None,
                                        "syncEnrolAction")
        self.enrol_action.setVisible(self.session.may("admin"))  # enrolment is for administrators
        window.add_menu_action("sync", self.enrol_action)
        self.dialog: QDialog | None = None

    def problems(self) -> ProblemsDialog:
        dlg = ProblemsDialog(self.runner, self.backend, self.session, self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.dialog = dlg
        return dlg

    def enrol(self) -> EnrolDialog | None:
        if not self.session.may("admin"):
            return None
        dlg = EnrolDialog(self.runner, self.backend, self.session, self.window)
        dlg.enrolled.connect(lambda _e: self.ctl.sync_now())
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.dialog = dlg
        return dlg


def install(window, runner, backend: SyncBackend, autostart: bool = True) -> SyncMenu:
    """The one hook: indicator in the status bar, actions on the 同步 menu, the scheduler started."""
    indicator = SyncIndicator(window)
    window.statusBar().addPermanentWidget(indicator)
    ctl = SyncController(runner, backend, window.session, indicator, window, autostart=autostart)
    return SyncMenu(window, runner, backend, ctl)
