"""The administration services the window uses (settings, staff, backup, restore, 诊断包), bound to
one open store. Each method ends in ``progress, cancel`` and runs on the task runner (database
lane for store work), like desktop.ui.backend.Backend; the services check the role again.
"""
from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop import logs
from desktop.core.timeutil import CST
from desktop.services import auth, backups, staff
from desktop.services import settings as settings_svc
from desktop.services.auth import StaffSession
from desktop.store import audit
from desktop.store.keyring_port import NoKeyring
from desktop.store.store import Store, open_store

from .tasks import Cancel, Progress


@dataclass
class AdminBackend:
    store: Store

    @property
    def data_dir(self) -> Path:
        return self.store.data_dir

    # -- settings -------------------------------------------------------------------------------
    def load_settings(self, progress: Progress, cancel: Cancel) -> settings_svc.CounterSettings:
        return settings_svc.load(self.store.engine)

    def save_settings(self, session: StaffSession, changes: dict, progress: Progress,
                      cancel: Cancel) -> settings_svc.CounterSettings:
        settings_svc.put_many(self.store.engine, session, changes)
        return settings_svc.load(self.store.engine)

    # -- staff ----------------------------------------------------------------------------------
    def list_staff(self, session: StaffSession, progress: Progress, cancel: Cancel) -> list[staff.StaffInfo]:
        return staff.list_staff(self.store.engine, session)

    def add_staff(self, session: StaffSession, name: str, role: str, password: str, progress: Progress,
                  cancel: Cancel) -> list[staff.StaffInfo]:
        auth.add_staff(self.store.engine, session, name, role, password)
        return staff.list_staff(self.store.engine, session)

    def set_active(self, session: StaffSession, name: str, active: bool, progress: Progress,
                   cancel: Cancel) -> list[staff.StaffInfo]:
        if active:
            staff.enable(self.store.engine, session, name)
        else:
            auth.disable_staff(self.store.engine, session, name)
        return staff.list_staff(self.store.engine, session)

    def reset_password(self, session: StaffSession, name: str, password: str, progress: Progress,
                       cancel: Cancel) -> list[staff.StaffInfo]:
        staff.reset_password(self.store.engine, session, name, password)
        return staff.list_staff(self.store.engine, session)

    def change_role(self, session: StaffSession, name: str, role: str, progress: Progress,
                    cancel: Cancel) -> list[staff.StaffInfo]:
        staff.change_role(self.store.engine, session, name, role)
        return staff.list_staff(self.store.engine, session)

    def change_own_password(self, session: StaffSession, old: str, new: str, progress: Progress,
                            cancel: Cancel) -> None:
        staff.change_own_password(self.store.engine, session, old, new)

    # -- backup ---------------------------------------------------------------------------------
    def backup_now(self, session: StaffSession, folder: Path, progress: Progress, cancel: Cancel) -> Path:
        return backups.backup_now(self.store, session, folder, settings_svc.load(self.store.engine))

    def auto_backup(self, staff_name: str, progress: Progress, cancel: Cancel) -> Path | None:
        return backups.auto_backup_if_due(self.store, staff_name, settings_svc.load(self.store.engine))

    def list_auto_backups(self, progress: Progress, cancel: Cancel) -> list[backups.BackupInfo]:
        return backups.list_backups(backups.auto_dir(self.data_dir))

    def restore(self, session: StaffSession | None, backup_file: Path, passphrase: str, progress: Progress,
                cancel: Cancel) -> Path | None:
        """Close this store (its files are about to move), verify the backup, then replace. On a
        failed verification the store is left exactly as it was and is simply opened again."""
        if session is not None:
            auth.require(session, "admin")
        self.store.close()
        aside = backups.restore(backup_file, self.data_dir, lambda: passphrase, session, store_exists=True)
        restored = open_store(self.data_dir, lambda: passphrase, NoKeyring())  # its own chain records it
        try:
            audit.record(restored.engine, "restore", session.name if session else None, Path(backup_file).name)
        finally:
            restored.close()
        return aside

    # -- support --------------------------------------------------------------------------------
    def diagnostics(self, session: StaffSession, out: Path, check: dict, progress: Progress,
                    cancel: Cancel) -> Path:
        """The 诊断包: the (masked) log files and the self-check JSON in one zip, for support.
        Log lines are scrubbed again on the way in, in case an older file predates the filter."""
        auth.require(session, "supervisor")
        out = Path(out)
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("self-check.json", json.dumps(check, ensure_ascii=False, indent=2))
            folder = logs.log_dir(self.data_dir)
            for p in sorted(folder.glob("renewdesk.log*")) if folder.is_dir() else []:
                z.writestr(f"logs/{p.name}", logs.scrub(p.read_text(encoding="utf-8", errors="replace")))
            z.writestr("made.txt", f"{datetime.now(CST).isoformat(timespec='seconds')}\n")
        audit.record(self.store.engine, "diagnostics_export", session.name, out.name)
        return out
