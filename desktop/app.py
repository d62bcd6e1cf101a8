"""Composition root: builds the store and services from paths and secrets, and hands them out.

The command line and the window both start here; nothing below reaches back up.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop import credentials
from desktop.services import auth
from desktop.services import settings as settings_svc
from desktop.store.keyring_port import KeyringPort, OsKeyring
from desktop.store.store import Store, create_store, open_store, store_exists

ADMIN_KEY = "init_admin"  # settings key: the admin made at set-up, the CLI's default --as


@dataclass
class AppContext:
    data_dir: Path
    keyring: KeyringPort = field(default_factory=OsKeyring)
    passphrase: Callable[[], str] = credentials.passphrase
    _store: Store | None = None

    def exists(self) -> bool:
        return store_exists(self.data_dir)

    def create(self, passphrase: str) -> Store:
        self._store = create_store(self.data_dir, passphrase, self.keyring)
        return self._store

    def initialise(self, passphrase: str, admin: str, password: str, org: str | None = None,
                   counter: str | None = None) -> Store:
        """What `init` and the window's first-run set-up do: check every input first (nothing is
        written when one is bad), then create the encrypted store with its admin and names."""
        from desktop.services.errors import BadInput
        from desktop.store import audit, settings_repo

        if len(passphrase) < 6:
            raise BadInput("数据库口令太短：至少 6 个字符。")
        auth.check_new_password(password)
        if not admin.strip():
            raise BadInput("管理员账号名不能为空。")
        auth.check_staff_name(admin)
        names = {k: settings_svc.parse(k, v) for k, v in (("org", org), ("counter_name", counter)) if v}
        store = self.create(passphrase)
        auth.add_staff(store.engine, None, admin.strip(), "admin", password)
        with store.engine.begin() as conn:
            settings_repo.put(conn, ADMIN_KEY, admin.strip())
            for k, v in names.items():
                settings_repo.put(conn, k, str(v))
            audit.append(conn, "init", admin.strip(), None, {"org": org, "counter": counter})
        return store

    def store(self, run_migrations: bool = True) -> Store:
        """The open store. run_migrations=False leaves a pending upgrade to the caller (the window
        runs it off the GUI thread behind a dialog); the CLI upgrades inline."""
        if self._store is None:
            self._store = open_store(self.data_dir, self.passphrase, self.keyring, run_migrations)
        return self._store

    def settings(self) -> settings_svc.CounterSettings:
        return settings_svc.load(self.store().engine)

    def login(self, name: str, password: str, record_success: bool = True) -> auth.StaffSession:
        return auth.login(self.store().engine, name, password, record_success=record_success)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
