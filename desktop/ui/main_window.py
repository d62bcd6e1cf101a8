"""The main window: wires the search panel, the card and the dialogs to the task runner.

It holds no business logic and never touches the database: every call goes through the runner's
database lane to the Backend the composition root built.
"""
from __future__ import annotations

from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.printing.model import PrintError
from desktop.services.auth import ROLE_LABEL, StaffSession
from desktop.services.lookup import LookupMatch

from . import contact_details_dialog, printing_hook, style, workstation
from .backend import Backend
from .card import CardWidget
from .card_backend import CardBackend
from .errors import message_for
from .export_dialog import ExportDialog
from .help_dialog import HelpDialog
from .import_wizard import ImportWizard
from .letters_dialog import LettersDialog
from .login import IdleWatcher, LockPanel
from .menus import MenuBar, make_action
from .record_dialog import RecordDialog
from .register_dialog import RegisterDialog
from .reveal_dialog import RevealReasonDialog
from .search_panel import SearchPanel
from .session_control import SessionControl
from .tasks import TaskRunner


class MainWindow(SessionControl, QMainWindow):
    card_shown = Signal(object)  # LookupMatch, after the card is filled (tests, screenshots)
    roles_changed = Signal(object)  # StaffSession: another staff member took over (features re-gate)

    def __init__(self, runner: TaskRunner, backend: Backend, session: StaffSession, data_dir: Path,
                 font_family: str | None = None, idle_ms: int | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.runner, self.backend, self.session = runner, backend, session
        self.data_dir, self.font_family = Path(data_dir), font_family
        self.ws = workstation.load(self.data_dir)
        self.setWindowTitle(self.tr("RenewDesk (续保台) — %1").replace("%1", backend.settings.counter_name))

        self.search = SearchPanel(runner, backend.find)
        self.card = CardWidget(backend.settings.stale_after_days, session.may("supervisor"))
        self.card.contact_cap = (backend.settings.contact_cap_day, backend.settings.contact_cap_week)
        self.card.now = backend.now
        self.card.attach(runner, CardBackend(backend), lambda: self.session)  # VIN, 年检, 估算, history
        scroll = QScrollArea(objectName="cardScroll")
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.card)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.split = split
        split.addWidget(self.search)
        split.addWidget(scroll)
        split.setStretchFactor(0, 2)
        split.setStretchFactor(1, 3)
        split.setSizes([520, 760])
        # plate, status and days stay readable in the list at 1024 px, also in 大字模式
        self.search.setMinimumWidth(470)

        self.who = QLabel(self.tr("Staff: %1 (%2)").replace("%1", session.name)
                          .replace("%2", ROLE_LABEL.get(session.role, session.role)))
        self.elder_btn = QPushButton(self.tr("Large text"))
        self.elder_btn.setCheckable(True)
        self.elder_btn.setChecked(self.ws.elder_mode)
        self.elder_btn.toggled.connect(self.set_elder_mode)
        self.register_btn = QPushButton(self.tr("Register vehicle"))
        self.register_btn.clicked.connect(lambda: self.open_register(self.search.box.text().strip()))
        self.letters_btn = QPushButton(self.tr("Letters"))
        self.import_btn = QPushButton(self.tr("Import"))
        self.export_btn = QPushButton(self.tr("Export"))
        for b, cls in ((self.letters_btn, LettersDialog), (self.import_btn, ImportWizard),
                       (self.export_btn, ExportDialog)):
            b.clicked.connect(partial(self.open_batch, cls))
        self.letters_btn.setVisible(session.may("supervisor"))  # batch letters and imports: supervisor+
        self.import_btn.setVisible(session.may("supervisor"))
        self.lock_btn = QPushButton(self.tr("Lock screen"))
        self.lock_btn.setToolTip(self.tr("Lock screen (Ctrl+L)"))
        self.register_btn.setToolTip(self.tr("Register vehicle (Ctrl+N)"))
        self.elder_btn.setToolTip(self.tr("Large text (Ctrl+=)"))
        self.lock_btn.clicked.connect(self.lock)
        top = QHBoxLayout()
        top.addWidget(self.who, 1)
        for b in (self.register_btn, self.letters_btn, self.import_btn, self.export_btn, self.elder_btn,
                  self.lock_btn):
            top.addWidget(b)

        work = QWidget(objectName="page")
        wl = QVBoxLayout(work)
        wl.addLayout(top)
        wl.addWidget(split, 1)
        self.lock_panel = LockPanel(self._unlock_login)
        self.lock_panel.unlocked.connect(self.adopt)
        self.stack = QStackedWidget()
        self.stack.addWidget(work)
        self.stack.addWidget(self.lock_panel)
        self.setCentralWidget(self.stack)
        self.busy = QLabel()
        self.statusBar().addPermanentWidget(self.busy)
        runner.busy_changed.connect(lambda b: self.busy.setText(self.tr("Working…") if b else ""))
        runner.error.connect(self.show_error)

        self.search.open_requested.connect(self.open_query)
        self.search.current_changed.connect(self.follow_selection)
        self.card.scroll_to_top.connect(lambda: scroll.verticalScrollBar().setValue(0))
        self.search.register_requested.connect(self.open_register)
        self.card.record_requested.connect(self.open_record)
        self.card.reveal_requested.connect(self.reveal)
        self.card.print_requested.connect(self.print_slip)

        minutes = backend.settings.idle_lock_minutes
        self.idle = IdleWatcher(idle_ms if idle_ms is not None else minutes * 60_000, self)
        self.idle.idle.connect(self.lock)
        self.idle.start()
        self.menus = MenuBar(self.menuBar(), self)
        self._build_actions()
        self._fit_screen()
        self._tab_order()
        self.search.box.setFocus()

    def _fit_screen(self) -> None:
        """Open no larger than the screen (a 1024×768 counter PC sees every button)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry() if screen else None
        w, h = (1280, 800) if avail is None else (min(1280, avail.width()), min(800, avail.height()))
        self.resize(w, h)

    def _tab_order(self) -> None:
        """Search box → results → card buttons → toolbar; Tab never cycles inside the table."""
        chain = [self.search.box, self.search.view, self.card.record_btn, self.card.print_btn,
                 self.card.reveal_btn, self.register_btn, self.letters_btn, self.import_btn, self.export_btn,
                 self.elder_btn, self.lock_btn]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    # -- menu bar (other features hang their actions here) ----------------------------------------
    def add_menu_action(self, menu_name: str, action: QAction) -> QAction:
        """Put `action` on one of the named menus (menus.MENU_NAMES) and return it.

        The action should be parented to this window so its shortcut works wherever focus is;
        menus.make_action(window, text, slot, shortcut) does that. Hidden while the screen is locked.
        """
        self.addAction(action)
        return self.menus.add(menu_name, action)

    def menu(self, menu_name: str):
        """The named QMenu itself, for a feature that needs a separator or a sub-menu."""
        return self.menus.menu(menu_name)

    def add_tab(self, widget: QWidget, title: str) -> int:
        """A work page beside the search (e.g. 续保任务): the left pane becomes tabs on first use."""
        if not hasattr(self, "tabs"):
            self.tabs = QTabWidget(objectName="workTabs")
            self.split.replaceWidget(0, self.tabs)
            self.tabs.addTab(self.search, self.tr("Search"))
        return self.tabs.addTab(widget, title)

    def _build_actions(self) -> None:
        def act(menu, text, slot, shortcut=None, name="", checkable=False):
            return self.add_menu_action(menu, make_action(self, text, slot, shortcut, name, checkable))

        self.lock_action = act("file", self.tr("Lock screen"), self.lock, "Ctrl+L", "lockAction")
        self.switch_action = act("file", self.tr("Switch user…"), self.switch_user, None, "switchAction")
        self.logout_action = act("file", self.tr("Log out"), self.log_out, None, "logoutAction")
        self.quit_action = act("file", self.tr("Quit"), self.close, "Ctrl+Q", "quitAction")
        self.search_action = act("counter", self.tr("Search"), self.focus_search, "Ctrl+F", "searchAction")
        self.record_action = act("counter", self.tr("Record what happened"),
                                 lambda: self.card.match and self.open_record(self.card.match), "Ctrl+R",
                                 "recordAction")
        self.print_action = act("counter", self.tr("Print slip"),
                                lambda: self.card.match and self.print_slip(self.card.match), "Ctrl+P",
                                "printAction")
        self.register_action = act("counter", self.tr("Register vehicle"),
                                   lambda: self.open_register(self.search.box.text().strip()), "Ctrl+N",
                                   "registerAction")
        self.letters_action = act("batch", self.tr("Letters"), partial(self.open_batch, LettersDialog),
                                  name="lettersAction")
        self.import_action = act("batch", self.tr("Import"), partial(self.open_batch, ImportWizard),
                                 name="importAction")
        self.export_action = act("batch", self.tr("Export"), partial(self.open_batch, ExportDialog),
                                 name="exportAction")
        self.letters_action.setVisible(self.session.may("supervisor"))
        self.import_action.setVisible(self.session.may("supervisor"))
        self.elder_action = act("view", self.tr("Large text"), self.set_elder_mode, "Ctrl+=", "elderAction",
                                checkable=True)
        self.elder_action.setChecked(self.ws.elder_mode)
        self.contrast_action = act("view", self.tr("High contrast (large text mode)"), self.set_high_contrast,
                                   None, "contrastAction", checkable=True)
        self.contrast_action.setChecked(self.ws.high_contrast)
        self.contrast_action.setEnabled(self.ws.elder_mode)
        self.help_action = act("help", self.tr("Help"), self.show_help, "F1", "helpAction")
        contact_details_dialog.install(self)  # 柜台 → 修改联系方式 (issue 11)

    def show_help(self) -> HelpDialog:
        dlg = HelpDialog(self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.help_dialog = dlg
        return dlg

    def focus_search(self) -> None:
        if self.locked:
            return
        self.search.box.setFocus()
        self.search.box.selectAll()

    # -- lookup and card ------------------------------------------------------------------------
    def open_query(self, query: str, chosen: LookupMatch | None) -> None:
        """A deliberate lookup (Enter, double-click): audited, then the card shows the match."""
        def done(matches: list[LookupMatch]) -> None:
            if chosen is None or not matches:
                self.search.show_results(query, matches)  # the list and the card agree
            if not matches:
                self.card.show_match(None)
                return
            pick = next((m for m in matches if chosen and m.vehicle_id == chosen.vehicle_id), matches[0])
            self.show_card(pick)

        self.runner.db(partial(self.backend.lookup, self.session, query), on_done=done)

    def follow_selection(self, match: LookupMatch | None) -> None:
        """The card is always the selected row, and empty when nothing is selected."""
        if match is None or self.card.match is None or match.vehicle_id != self.card.match.vehicle_id:
            self.card.show_match(match)

    def show_card(self, match: LookupMatch) -> None:
        self.card.show_match(match)
        self.search.model.replace(match)
        self.search.select_vehicle(match.vehicle_id)
        self.card_shown.emit(match)

    def reveal(self, vehicle_id: str) -> RevealReasonDialog:
        """Ask why, then the audited reveal; the card hides the values again after a while."""
        dlg = RevealReasonDialog(self.card.match.plate if self.card.match else "", self)

        def go() -> None:
            self.runner.db(partial(self.backend.reveal, self.session, vehicle_id, dlg.text()),
                           on_done=self.card.show_revealed, on_error=self.show_error)

        dlg.accepted.connect(go)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.reveal_dialog = dlg
        return dlg

    # -- dialogs --------------------------------------------------------------------------------
    def open_record(self, match: LookupMatch) -> RecordDialog:
        def submit(outcome, term, note, corrects, detail, on_done, on_error, next_date=None):
            self.runner.db(partial(self.backend.record, self.session, match.vehicle_id, outcome, term, note,
                                   corrects, detail, next_date=next_date), on_done=on_done, on_error=on_error)

        dlg = RecordDialog(match, submit, self, now=self.backend.now())
        dlg.accepted.connect(lambda: dlg.result_match and self.show_card(dlg.result_match))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.record_dialog = dlg
        return dlg

    def open_register(self, query: str = "") -> RegisterDialog:
        def submit(reg, on_done, on_error):
            self.runner.db(partial(self.backend.register, self.session, reg), on_done=on_done, on_error=on_error)

        # the query names a car already in the list (the search found it): do not offer its plate again
        known = any((m.plate or "") == (query or "").replace(" ", "").upper() for m in self.search.model.matches())
        dlg = RegisterDialog(submit, query, self, known_plate=known)

        def registered() -> None:
            if dlg.result_match is not None:
                self.search.search_now(dlg.result_match.plate or "")
                self.show_card(dlg.result_match)

        dlg.accepted.connect(registered)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.register_dialog = dlg
        return dlg

    def open_batch(self, cls: type[QDialog], *_a) -> QDialog | None:
        """Letters, import or export; the services check the role again."""
        if cls in (LettersDialog, ImportWizard) and not self.session.may("supervisor"):
            return None
        dlg = cls(self.runner, self.backend, self.session, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.batch_dialog = dlg
        return dlg

    def print_slip(self, match: LookupMatch) -> None:
        slip = printing_hook.slip_for(match, self.backend.settings, self.backend.now(),
                                      self.card.vehicle_tax_for(match.vehicle_id))  # 车船税 from the card
        try:
            printed = printing_hook.preview(self, slip, self.ws.paper, self.ws.printer, self.remember_printing)
        except PrintError as exc:  # e.g. the receipt printer refuses the custom page size
            self.show_error(exc)
            return
        if printed:  # the print log and audit, on the database lane like every write
            self.runner.db(partial(self.backend.log_slip, self.session, match, self.ws.paper),
                           lambda _r: None, self.show_error)

    def remember_printing(self, paper: str, printer: str) -> None:
        """Paper and printer chosen in the preview stay this workstation's choice (workstation.json)."""
        self._remember(replace(self.ws, printer=printer, paper=paper))

    def _remember(self, ws: workstation.Workstation) -> None:
        self.ws = ws
        d = self.data_dir
        self.runner.io(lambda p, c: workstation.save(d, ws))

    def show_error(self, exc: object) -> None:
        text = message_for(exc)
        QMessageBox.warning(self, self.tr("RenewDesk"), text)

    # -- elder mode -----------------------------------------------------------------------------
    def set_elder_mode(self, on: bool) -> None:
        self._remember(replace(self.ws, elder_mode=on))
        self._restyle()
        if self.elder_btn.isChecked() != on:
            self.elder_btn.setChecked(on)
        if self.elder_action.isChecked() != on:
            self.elder_action.setChecked(on)

    def set_high_contrast(self, on: bool) -> None:
        """大字模式's 高对比度, remembered for this workstation (applies while 大字模式 is on)."""
        self._remember(replace(self.ws, high_contrast=on))
        self._restyle()
        if self.contrast_action.isChecked() != on:
            self.contrast_action.setChecked(on)

    def _restyle(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            style.apply(app, self.ws.elder_mode, self.font_family, self.ws.high_contrast)
        self.contrast_action.setEnabled(self.ws.elder_mode)

    def closeEvent(self, ev: QCloseEvent) -> None:  # noqa: N802 - Qt override
        self.idle.stop()
        self.idle.detach()
        super().closeEvent(ev)
