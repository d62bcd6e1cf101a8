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

    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(self.data_dir, self.passphrase, self.keyring)
        return self._store

    def settings(self) -> settings_svc.CounterSettings:
        return settings_svc.load(self.store().engine)

    def login(self, name: str, password: str, record_success: bool = True) -> auth.StaffSession:
        return auth.login(self.store().engine, name, password, record_success=record_success)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
