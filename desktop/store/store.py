"""Opening and creating the encrypted store in a data dir.

data dir layout: renewdesk.db (+ -wal, -shm), key.wrapped, backups/.
Key resolution: a cached raw key from a real OS keyring (checked against key.wrapped's check
value), else the operator passphrase (asked only then) unwraps key.wrapped and refills the cache.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from . import audit, keys, migrate
from .audit_anchor import ANCHOR_FILE, Anchor, attach
from .engine import make_engine, set_wal, verify_opens
from .errors import BadInput, DamagedStore, StoreExists, StoreMissing
from .keyring_port import KeyringPort

DB_FILE = "renewdesk.db"


@dataclass
class Store:
    data_dir: Path
    engine: Engine
    store_id: str
    key_source: str  # "keyring" | "passphrase" — shown by self-check, never the key itself
    key: bytes = field(repr=False, default=b"")  # in memory only; for rehearsal copies and backups

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_FILE

    @property
    def anchor(self) -> Anchor:
        return Anchor(self.data_dir / ANCHOR_FILE, self.key, self.store_id)

    def close(self) -> None:
        self.engine.dispose()


def store_exists(data_dir: Path) -> bool:
    return (data_dir / DB_FILE).exists() or (data_dir / keys.KEY_FILE).exists()


def ensure_data_dir(data_dir: Path) -> None:
    """Create the data dir, or say in Chinese why it cannot be used (exit 2, nothing written)."""
    hint = "请用 --data-dir（或 RENEWDESK_DATA_DIR）指定一个可以写入的文件夹。"
    try:
        for parent in (data_dir, *data_dir.parents):
            if parent.exists() and not parent.is_dir():
                what = "本身是一个文件" if parent == data_dir else f"上级路径 {parent} 是一个文件"
                raise BadInput(f"数据目录 {data_dir} 无法使用：{what}，不是文件夹。{hint}")
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = "没有写入权限" if isinstance(exc, PermissionError) else f"无法创建或写入（{type(exc).__name__}）"
        raise BadInput(f"数据目录 {data_dir} 无法使用：{reason}。{hint}") from None


def _keyring_name(store_id: str) -> str:
    return f"store-key-{store_id}"


def create_store(data_dir: Path, passphrase: str, keyring: KeyringPort) -> Store:
    if store_exists(data_dir):
        raise StoreExists(f"数据目录 {data_dir} 中已有数据库，不会覆盖。如需新库请换一个 --data-dir。")
    if len(passphrase) < 6:
        raise BadInput("数据库口令太短：至少 6 个字符。请换一个更长的口令。")
    ensure_data_dir(data_dir)
    store_id = str(uuid.uuid4())
    key = keys.new_key()
    keys.write_wrapped(data_dir, keys.wrap_key(key, passphrase, store_id))
    engine = make_engine(data_dir / DB_FILE, key)
    set_wal(engine)
    migrate.upgrade(engine, backup_dir=None)
    keyring.set(_keyring_name(store_id), key.hex())
    store = Store(data_dir, engine, store_id, "passphrase", key)
    attach(engine, store.anchor)
    return store


def unlock_key(data_dir: Path, passphrase: Callable[[], str], keyring: KeyringPort) -> tuple[str, bytes, str]:
    if not (data_dir / keys.KEY_FILE).exists():
        if (data_dir / DB_FILE).exists():
            raise DamagedStore(f"缺少密钥文件 {keys.KEY_FILE}，无法打开数据库。请从备份恢复（renewdesk restore）。")
        raise StoreMissing(f"数据目录 {data_dir} 中没有数据库。请先运行 renewdesk init（或 renewdesk demo）。")
    wrapped = keys.read_wrapped(data_dir)
    cached = keyring.get(_keyring_name(wrapped.store_id))
    if cached:
        try:
            key = bytes.fromhex(cached)
        except ValueError:
            key = b""
        if key and keys.key_matches(wrapped, key):
            return wrapped.store_id, key, "keyring"
        keyring.delete(_keyring_name(wrapped.store_id))  # stale cache: fall back to the passphrase
    key = keys.unwrap_key(wrapped, passphrase())
    keyring.set(_keyring_name(wrapped.store_id), key.hex())
    return wrapped.store_id, key, "passphrase"


def open_store(data_dir: Path, passphrase: Callable[[], str], keyring: KeyringPort,
               run_migrations: bool = True) -> Store:
    store_id, key, source = unlock_key(data_dir, passphrase, keyring)
    if not (data_dir / DB_FILE).exists():
        raise DamagedStore(f"密钥文件在，但数据库文件 {DB_FILE} 不见了。请从备份恢复（renewdesk restore）。")
    engine = make_engine(data_dir / DB_FILE, key)
    try:
        verify_opens(engine)
        if run_migrations:
            migrate.upgrade(engine, backup_dir=data_dir / "backups")
    except Exception:
        engine.dispose()
        raise
    store = Store(data_dir, engine, store_id, source, key)
    attach(engine, store.anchor)
    _ensure_anchor(store)
    return store


def _ensure_anchor(store: Store) -> None:
    """A store made before the anchor existed (or whose anchor file was removed) gets one now, and
    the chain itself records that it was (re)started at this head: a removed anchor leaves a trace."""
    if store.anchor.path.exists():
        return
    current = audit.head(store.engine)
    if current is None:
        return  # an empty chain: the first entry writes the anchor
    audit.record(store.engine, "audit_anchor_reset", None, None, {"after_seq": current.seq})
    # Ordinary writes never recreate a missing anchor (that would hide a deleted tail without a
    # trace); this one may, because the reset entry it anchors is the trace.
    store.anchor.write(audit.head(store.engine), may_create=True)
