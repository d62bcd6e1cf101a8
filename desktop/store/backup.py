"""Backup and restore: one file holding the encrypted copy and key.wrapped (DESIGN §4).

A backup is a zip of: renewdesk.db (made with VACUUM INTO: consistent, includes the WAL, still
encrypted under the same key), key.wrapped and manifest.json. Restoring on a new PC needs this
file and the passphrase, nothing else; without the passphrase it is unreadable.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core.timeutil import CST

from . import audit, keys
from .audit_anchor import ANCHOR_FILE, Anchor
from .engine import check_integrity, make_engine, vacuum_into, verify_readable
from .errors import BadInput, DamagedStore
from .store import DB_FILE, Store, ensure_data_dir

MANIFEST = "manifest.json"


def write_backup(store: Store, out: Path, staff: str | None) -> Path:
    out = out.expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    # A backup of a damaged store would pass the damage on to the one copy meant to survive it.
    if check_integrity(store.engine):
        raise DamagedStore("数据库完整性检查失败，未做备份（损坏的库备份下来也无法使用）。请从上一次备份恢复。")
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        copy = Path(tmp) / DB_FILE
        vacuum_into(store.engine, copy)
        part = out.with_name(out.name + ".part")
        with zipfile.ZipFile(part, "w", compression=zipfile.ZIP_STORED) as z:
            z.write(copy, DB_FILE)
            z.write(store.data_dir / keys.KEY_FILE, keys.KEY_FILE)
            if store.anchor.path.exists():
                z.write(store.anchor.path, ANCHOR_FILE)
            z.writestr(MANIFEST, json.dumps({"format": 1, "store_id": store.store_id,
                                             "made_at": datetime.now().astimezone().isoformat()}))
        with open(part, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(part, out)
    audit.record(store.engine, "backup", staff, out.name)
    return out


def is_backup(path: Path) -> bool:
    """Whether `path` is a file this module wrote (a zip with its manifest): the only kind of
    existing file a new backup may replace."""
    try:
        with zipfile.ZipFile(path) as z:
            return MANIFEST in z.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def _extract(inp: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(inp) as z:
            names = set(z.namelist())
            if not {DB_FILE, keys.KEY_FILE} <= names:
                raise DamagedStore("备份文件不完整（缺少数据库或密钥文件）。")
            z.extract(DB_FILE, into)
            z.extract(keys.KEY_FILE, into)
            if ANCHOR_FILE in names:
                z.extract(ANCHOR_FILE, into)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DamagedStore("备份文件已损坏或不是续保台备份。") from exc


def verify_backup(inp: Path, passphrase: Callable[[], str], workdir: Path) -> bytes:
    """Unwrap the backup's key and check the copy reads and its audit chain holds. Returns the key."""
    _extract(inp, workdir)
    wrapped = keys.read_wrapped(workdir)
    key = keys.unwrap_key(wrapped, passphrase())
    engine: Engine = make_engine(workdir / DB_FILE, key)
    try:
        verify_readable(engine)
        anchor = Anchor(workdir / ANCHOR_FILE, key, wrapped.store_id)
        report = audit.verify(engine, anchor if anchor.path.exists() else None)
        if not report.ok:
            raise DamagedStore(f"备份中的审计链校验失败：{report.reason}")
    finally:
        engine.dispose()
    return key


def restore_backup(inp: Path, data_dir: Path, passphrase: Callable[[], str]) -> Path | None:
    """Verify first, then replace. Files being replaced are moved aside, never deleted."""
    inp = inp.expanduser().resolve()
    if not inp.exists():
        raise BadInput(f"找不到备份文件 {inp}。请检查路径。")
    ensure_data_dir(data_dir)
    with tempfile.TemporaryDirectory(dir=data_dir) as tmp:
        work = Path(tmp)
        verify_backup(inp, passphrase, work)
        aside = None
        existing = [p for p in (data_dir / DB_FILE, data_dir / (DB_FILE + "-wal"), data_dir / (DB_FILE + "-shm"),
                                data_dir / keys.KEY_FILE, data_dir / ANCHOR_FILE) if p.exists()]
        if existing:
            # China Standard Time like the backup names, whatever zone the PC is set to
            aside = data_dir / "replaced" / datetime.now(CST).strftime("%Y%m%d-%H%M%S")
            aside.mkdir(parents=True)
            for p in existing:
                shutil.move(str(p), aside / p.name)
        shutil.move(str(work / DB_FILE), data_dir / DB_FILE)
        shutil.move(str(work / keys.KEY_FILE), data_dir / keys.KEY_FILE)
        if (work / ANCHOR_FILE).exists():
            shutil.move(str(work / ANCHOR_FILE), data_dir / ANCHOR_FILE)
    return aside
