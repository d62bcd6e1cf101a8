"""Backup file names, the automatic daily backup (once a day, retention) and restore's audit chain."""
from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.services import backups
from desktop.services import settings as settings_svc
from desktop.services.errors import BadInput
from desktop.store import audit
from desktop.store.keyring_port import NoKeyring
from desktop.store.store import open_store
from tests.conftest import AT, PASSPHRASE


def test_file_name_says_counter_and_date():
    assert backups.file_name("1号柜台", AT) == "续保台备份-1号柜台-20261201-1000.rdbak"
    assert backups.file_name('a/b:c*?"<>| d', AT) == "续保台备份-a_b_c_d-20261201-1000.rdbak"  # Windows-safe


def test_daily_backup_once_a_day_and_pruned_after_retention(app_ctx, admin):
    store = app_ctx.store()
    settings_svc.put(store.engine, admin, "backup_keep_days", "3")
    s = settings_svc.load(store.engine)
    first = backups.auto_backup_if_due(store, "admin", s, now=AT)
    assert first is not None and first.parent == backups.auto_dir(app_ctx.data_dir)
    assert backups.auto_backup_if_due(store, "clerk", s, now=AT + timedelta(hours=5)) is None  # same day
    for d in range(1, 6):
        backups.auto_backup_if_due(store, "admin", s, now=AT + timedelta(days=d))
    kept = backups.list_backups(backups.auto_dir(app_ctx.data_dir))
    assert [b.made_at.date() for b in kept] == [(AT + timedelta(days=d)).date() for d in (5, 4, 3, 2)]
    assert not first.exists()
    off = settings_svc.CounterSettings(auto_backup=False)
    assert backups.auto_backup_if_due(store, "admin", off, now=AT + timedelta(days=9)) is None


def test_a_made_backup_is_never_pruned_and_restores_with_a_good_chain(app_ctx, admin, tmp_path):
    store = app_ctx.store()
    mine = backups.backup_now(store, admin, tmp_path, app_ctx.settings(), now=AT - timedelta(days=400))
    again = backups.backup_now(store, admin, tmp_path, app_ctx.settings(), now=AT - timedelta(days=400))
    assert mine != again and mine.exists() and again.exists()  # same minute: -2, not overwritten
    backups.auto_backup_if_due(store, "admin", app_ctx.settings(), now=AT)
    assert mine.exists()
    new_pc = tmp_path / "new-pc"
    assert backups.restore(mine, new_pc, lambda: PASSPHRASE, None, store_exists=False) is None
    restored = open_store(new_pc, lambda: PASSPHRASE, NoKeyring())
    try:
        assert audit.verify(restored.engine, restored.anchor).ok
    finally:
        restored.close()


def test_a_named_backup_file_is_replaced_and_another_file_is_never_overwritten(app_ctx, admin, tmp_path):
    store = app_ctx.store()
    named = tmp_path / "shop.bak"
    first = backups.backup_now(store, admin, named, app_ctx.settings(), now=AT)
    second = backups.backup_now(store, admin, named, app_ctx.settings(), now=AT)
    assert first == second == named and named.is_file()  # the name given, not shop-2.bak
    assert backups.backup_file(named) == named
    precious = tmp_path / "notes.txt"
    precious.write_text("mine")
    with pytest.raises(BadInput, match="不会覆盖"):
        backups.backup_now(store, admin, precious, app_ctx.settings(), now=AT)
    assert precious.read_text() == "mine"


def test_restore_from_a_folder_takes_its_newest_backup(app_ctx, admin, tmp_path):
    store = app_ctx.store()
    old = backups.backup_now(store, admin, tmp_path / "usb", app_ctx.settings(), now=AT - timedelta(days=2))
    new = backups.backup_now(store, admin, tmp_path / "usb", app_ctx.settings(), now=AT)
    assert old.parent == new.parent == tmp_path / "usb" and old != new
    assert backups.backup_file(tmp_path / "usb") == new
