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
from .errors import BadInput, NotAllowed
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


def destination(target: Path, counter_name: str, now: datetime) -> Path:
    """Where `backup OUT` writes. An existing folder, or a new path without a suffix (a folder to
    make, e.g. on a USB stick), gets a file named for the counter and time; any other path is the
    file itself, whatever its suffix — so `restore OUT` finds what `backup OUT` wrote (a path like
    backup.bak used to become a folder, and restoring it then failed as a damaged backup)."""
    target = Path(target).expanduser()
    if _is_folder(target):
        return _unused(target / file_name(counter_name, now))
    if target.exists() and not backup.is_backup(target):
        raise BadInput(f"无法把备份写到 {target}：这个文件已存在，且不是续保台备份，不会覆盖它。"
                       "请给一个文件夹（例如 U 盘）或新的备份文件名（例如 续保台.rdbak）。")
    return target


def destination_folder(target: Path) -> Path:
    """The folder `destination(target)` writes into."""
    target = Path(target).expanduser()
    return target if _is_folder(target) else target.parent


def _is_folder(target: Path) -> bool:
    return target.is_dir() or (not target.exists() and not target.suffix)


def backup_file(inp: Path) -> Path:
    """The backup `restore IN` reads: IN itself, or in a folder the newest backup there (what
    `backup FOLDER` wrote)."""
    inp = Path(inp).expanduser()
    if not inp.is_dir():
        return inp
    found = list_backups(inp)
    if not found:
        raise BadInput(f"文件夹 {inp} 里没有续保台备份（{PREFIX}-….rdbak）。请给出备份文件本身或存放它的文件夹。")
    return found[0].path


def backup_now(store: Store, session: StaffSession, target: Path, settings: CounterSettings,
               now: datetime | None = None) -> Path:
    """Admin: write a backup to `destination(target)`; a file named explicitly is replaced whole
    (written aside, then moved over it), never left half-written."""
    require(session, "admin")
    now = now or datetime.now(CST)
    made = backup.write_backup(store, destination(target, settings.counter_name, now), session.name)
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
            raise NotAllowed("恢复备份会替换现有数据，需要管理员登录后在“管理”菜单中操作。")
        require(session, "admin")
    aside = backup.restore_backup(backup_file(inp), Path(data_dir), passphrase)
    log.info("backup restored%s", " (previous store kept aside)" if aside else "")
    return aside
