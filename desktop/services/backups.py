"""Backup now, the automatic daily backup with retention, and restore (DESIGN §4), for the window
and the command line. The file format and the verify-before-replace live in desktop.store.backup.

File names say which counter and when: 续保台备份-<counter>-<YYYYMMDD-HHMM>.rdbak. Automatic
backups go to <data dir>/backups/auto/ and only those are ever pruned; a backup the admin made
is never deleted by the app.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from desktop.core.timeutil import CST
from desktop.store import audit, backup
from desktop.store.store import Store

from .auth import StaffSession, require
from .settings import CounterSettings

log = logging.getLogger(__name__)
SUFFIX = ".rdbak"
PREFIX = "续保台备份"
AUTO_DIR = Path("backups") / "auto"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')  # not allowed (or awkward) in Windows file names
_STAMP = re.compile(r"-(\d{8})-(\d{4})" + re.escape(SUFFIX) + "$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    made_at: datetime
    size: int


def file_name(counter_name: str, now: datetime) -> str:
    counter = _UNSAFE.sub("_", counter_name.strip()).strip("._") or "柜台"
    return f"{PREFIX}-{counter[:40]}-{now:%Y%m%d-%H%M}{SUFFIX}"


def backup_now(store: Store, session: StaffSession, target: Path, settings: CounterSettings,
               now: datetime | None = None) -> Path:
    """Admin: write a backup into the folder `target` (or to the file `target` when it ends .rdbak)."""
    require(session, "admin")
    now = now or datetime.now(CST)
    target = Path(target)
    out = target if target.suffix == SUFFIX else target / file_name(settings.counter_name, now)
    made = backup.write_backup(store, _unused(out), session.name)
    log.info("backup written (%d bytes)", made.stat().st_size)
    return made


def _unused(out: Path) -> Path:
    """Two backups in one minute get -2, -3… rather than one replacing the other."""
    if not out.exists():
        return out
    n = 2
    while (cand := out.with_name(f"{out.stem}-{n}{out.suffix}")).exists():
        n += 1
    return cand


def auto_dir(data_dir: Path) -> Path:
    return Path(data_dir) / AUTO_DIR


def list_backups(folder: Path) -> list[BackupInfo]:
    """Backups in `folder`, newest first (by the time in their name)."""
    out = []
    for p in Path(folder).glob(f"*{SUFFIX}") if Path(folder).is_dir() else []:
        m = _STAMP.search(p.name) or re.search(r"-(\d{8})-(\d{4})-\d+" + re.escape(SUFFIX) + "$", p.name)
        if not m:
            continue
        try:
            made = datetime.strptime(m.group(1) + m.group(2), "%Y%m%d%H%M").replace(tzinfo=CST)
        except ValueError:
            continue
        out.append(BackupInfo(p, made, p.stat().st_size))
    return sorted(out, key=lambda b: (b.made_at, b.path.name), reverse=True)


def auto_backup_if_due(store: Store, staff: str, settings: CounterSettings,
                       now: datetime | None = None) -> Path | None:
    """The first use of the day writes one automatic backup and prunes those past retention.
    Runs for whoever logs in first (it is the counter's safety net, not a staff action)."""
    if not settings.auto_backup:
        return None
    now = now or datetime.now(CST)
    folder = auto_dir(store.data_dir)
    existing = list_backups(folder)
    made = None
    if not any(b.made_at.date() == now.date() for b in existing):
        folder.mkdir(parents=True, exist_ok=True)
        made = backup.write_backup(store, _unused(folder / file_name(settings.counter_name, now)), staff)
        log.info("daily automatic backup written")
    cutoff = now - timedelta(days=settings.backup_keep_days)
    for b in existing:
        if b.made_at < cutoff:
            b.path.unlink(missing_ok=True)
            audit.record(store.engine, "backup_pruned", staff, b.path.name)
    return made


def restore(inp: Path, data_dir: Path, passphrase: Callable[[], str], session: StaffSession | None,
            store_exists: bool) -> Path | None:
    """Verify the backup (key, readability, audit chain) before anything is replaced; the files it
    replaces are moved to <data dir>/replaced/<time>/. An existing store needs an admin to do this;
    a PC with no store (first run, a new PC) needs only the backup and its passphrase."""
    if store_exists:
        if session is None:
            from .errors import NotAllowed

            raise NotAllowed("恢复备份会替换现有数据，需要管理员登录后在“管理”菜单中操作。")
        require(session, "admin")
    aside = backup.restore_backup(Path(inp), Path(data_dir), passphrase)
    log.info("backup restored%s", " (previous store kept aside)" if aside else "")
    return aside
