"""Locking the counter, switching staff and logging out: the main window's session handling.

A mixin of MainWindow (it uses the window's runner, backend, lock panel, card, search and menus),
kept apart so the window itself stays a wiring of parts. Locked means no personal data on screen:
every dialog that could show some is closed, the card and the list are emptied, menus and
shortcuts are off until someone logs in again.
"""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import QCoreApplication

from desktop.services.auth import ROLE_LABEL, StaffSession
from desktop.services.errors import AuthFailed


class SessionControl:
    def _unlock_login(self, name: str, password: str, on_done, on_error) -> None:
        locked_by = self.lock_panel.locked_by

        def check(session: StaffSession) -> None:
            if locked_by and session.name != locked_by:  # never: the name box is read-only then
                on_error(AuthFailed(QCoreApplication.translate("MainWindow", "Only the staff member who locked the screen can unlock it.")))
                return
            on_done(session)

        self.runner.db(partial(self.backend.login, name, password), on_done=check, on_error=on_error)

    def switch_user(self) -> None:
        """Another staff member takes over: the current session ends (audited) at the lock panel."""
        self._end_session()
        self.lock_panel.switch_user()

    def log_out(self) -> None:
        self._end_session()
        self.lock_panel.switch_user(logged_out=True)

    def _end_session(self) -> None:
        self.lock()
        self._audit_logout()

    def _audit_logout(self) -> None:
        if not getattr(self, "_session_ended", False):
            self._session_ended = True
            self.runner.db(partial(self.backend.logout, self.session), on_error=self.show_error)

    def adopt(self, session: StaffSession) -> None:
        """After an unlock: the same staff member goes on, or another one's role now applies."""
        if session != self.session:
            self._audit_logout()  # the one taken over from, if not already logged out
            self.session = session
            self.who.setText(QCoreApplication.translate("MainWindow", "Staff: %1 (%2)").replace("%1", session.name)
                             .replace("%2", ROLE_LABEL.get(session.role, session.role)))
            self.card.set_can_reveal(session.may("supervisor"))
            for w in (self.letters_btn, self.import_btn, self.letters_action, self.import_action):
                w.setVisible(session.may("supervisor"))
            self.roles_changed.emit(session)
        self._session_ended = False
        self.unlock()

    @property
    def locked(self) -> bool:
        return self.stack.currentWidget() is self.lock_panel

    def lock(self) -> None:
        if self.locked:
            return
        self.idle.stop()
        for dlg in (getattr(self, "record_dialog", None), getattr(self, "register_dialog", None),
                    getattr(self, "batch_dialog", None), getattr(self, "reveal_dialog", None),
                    getattr(self, "contact_details_dialog", None)):
            try:
                if dlg is not None and dlg.isVisible():
                    dlg.reject()
            except RuntimeError:  # already deleted
                pass
        self.card.show_match(None)  # no personal data on an unattended screen
        self.search.clear()
        self.lock_panel.lock_for(self.session.name)
        self.stack.setCurrentWidget(self.lock_panel)
        self._menus_enabled(False)

    def _menus_enabled(self, on: bool) -> None:
        """Locked: no menu and no shortcut reaches the work behind the lock panel."""
        self.menuBar().setVisible(on)
        if not on:
            self._enabled_before = {a: a.isEnabled() for a in self.menus.all_actions()}
            for a in self._enabled_before:
                a.setEnabled(False)
        else:
            for a, was in getattr(self, "_enabled_before", {}).items():
                a.setEnabled(was)

    def unlock(self) -> None:
        self._menus_enabled(True)
        self.stack.setCurrentIndex(0)
        self.search.box.setFocus()
        self.idle.start()

