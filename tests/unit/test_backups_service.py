"""Backup file names, the automatic daily backup (once a day, retention) and restore's audit chain."""
from __future__ import annotations

from datetime import timedelta

from desktop.services import backups
from desktop.services import settings as settings_svc
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
