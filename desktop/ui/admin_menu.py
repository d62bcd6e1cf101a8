"""The one hook for administration in the window: actions on the 管理 (admin) menu — settings,
staff, backup and restore — plus "change my password" for everyone and the 诊断包 export on the
help menu. Visibility follows the logged-in role (and roles_changed after a switch of user);
the services refuse anyway.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from . import workstation
from .admin_backend import AdminBackend
from .backup_dialog import BackupDialog
from .menus import make_action
from .settings_dialog import SettingsDialog
from .staff_dialog import OwnPasswordDialog, StaffDialog


class AdminMenu(QObject):
    def __init__(self, window, runner, admin: AdminBackend, on_restored: Callable[[object], None] | None = None):
        super().__init__(window)
        self.window, self.runner, self.admin, self.on_restored = window, runner, admin, on_restored
        self.dialog: QDialog | None = None
        self.settings_action = make_action(window, self.tr("Settings…"), self.open_settings, None, "settingsAction")
        self.staff_action = make_action(window, self.tr("Staff…"), self.open_staff, None, "staffAction")
        self.backup_action = make_action(window, self.tr("Backup and restore…"), self.open_backup, None,
                                         "backupAction")
        for a in (self.settings_action, self.staff_action, self.backup_action):
            window.add_menu_action("admin", a)
        self.password_action = make_action(window, self.tr("Change my password…"), self.open_password, None,
                                           "ownPasswordAction")
        window.add_menu_action("file", self.password_action)
        self.diag_action = make_action(window, self.tr("Export diagnostics for support…"), self.export_diagnostics,
                                       None, "diagnosticsAction")
        window.add_menu_action("help", self.diag_action)
        if hasattr(window, "roles_changed"):
            window.roles_changed.connect(lambda _s: self.regate())
        self.regate()

    @property
    def session(self):
        return self.window.session

    def regate(self) -> None:
        is_admin = self.session.may("admin")
        for a in (self.settings_action, self.staff_action, self.backup_action):
            a.setVisible(is_admin)
        self.diag_action.setVisible(self.session.may("supervisor"))

    def _open(self, cls) -> QDialog | None:
        if cls is not OwnPasswordDialog and not self.session.may("admin"):
            return None
        dlg = cls(self.runner, self.admin, self.session, self.window)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        self.dialog = dlg
        return dlg

    def open_settings(self) -> SettingsDialog | None:
        dlg = self._open(SettingsDialog)
        if dlg is not None:
            dlg.accepted.connect(lambda: self._settings_saved(dlg.saved))
        return dlg

    def _settings_saved(self, values) -> None:
        # The window's own services read the settings again (counter name on slips, lead days…).
        backend = getattr(self.window, "backend", None)
        if values is not None and backend is not None and hasattr(backend, "settings"):
            backend.settings = values
        ws = getattr(self.window, "ws", None)
        if values is not None and ws is not None:  # the slip prints on this paper and printer from now on
            new_ws = replace(ws, paper=values.default_paper, printer=values.printer_slip)
            self.window.ws = new_ws
            folder = self.admin.data_dir
            self.runner.io(lambda p, c: workstation.save(folder, new_ws))
        idle = getattr(self.window, "idle", None)
        if values is not None and idle is not None:  # a new lock time counts from now
            idle.set_timeout(values.idle_lock_minutes * 60_000)

    def open_staff(self) -> StaffDialog | None:
        return self._open(StaffDialog)

    def open_password(self) -> OwnPasswordDialog | None:
        return self._open(OwnPasswordDialog)

    def open_backup(self) -> BackupDialog | None:
        dlg = self._open(BackupDialog)
        if dlg is not None:
            dlg.restored.connect(self._restored)
        return dlg

    def _restored(self, aside) -> None:
        text = self.tr("The backup was restored. Log in again with a staff account of the backup.")
        if aside:
            text += "\n" + self.tr("The previous data was kept in: %1").replace("%1", str(aside))
        QMessageBox.information(self.window, self.tr("Restored"), text)
        if self.on_restored is not None:
            self.on_restored(aside)

    def export_diagnostics(self, out: Path | None = None) -> None:
        if not self.session.may("supervisor"):
            return
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self.window, self.tr("Save the diagnostics file"),
                                                  str(Path.home() / "续保台诊断包.zip"), "Zip (*.zip)")
            if not name:
                return
            out = Path(name)
        from desktop.commands.self_check import collect

        def build(progress, cancel):
            return collect(None)

        def write(check: dict) -> None:
            self.runner.db(partial(self.admin.diagnostics, self.session, out, check), on_done=self._diag_done,
                           on_error=self.window.show_error)

        self.runner.io(build, on_done=write, on_error=self.window.show_error)

    def _diag_done(self, path: Path) -> None:
        self.last_diagnostics = path
        self.window.statusBar().showMessage(self.tr("Diagnostics saved: %1").replace("%1", str(path)), 10000)


def install(window, runner, admin: AdminBackend, on_restored=None) -> AdminMenu:
    return AdminMenu(window, runner, admin, on_restored)
