"""SQLCipher under SQLAlchemy: a raw 32-byte key, transactional DDL, one long-lived connection per thread.

Reads and writes begin differently (WAL): a plain `engine.connect()` block that executes is a
read and begins DEFERRED (no lock: a long read never holds up a writer or the backup); an
explicit begin (`engine.begin()`, `conn.begin()`) is a write and begins IMMEDIATE (the write lock
up front: two writers never deadlock upgrading a read lock). Nothing commits a connect() block.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine
from sqlalchemy.pool import SingletonThreadPool

from . import sourcecol  # noqa: F401 - registers the TERMSOURCE converter (policy_term.source, 0015)
from .errors import DamagedStore
from .timecol import register_converters as register_time_converters
from .uuidcol import register_converters

register_converters()
register_time_converters()  # policy-term instants read back as ISO text (migration 0012)
# UUIDBLOB columns read back as UUID strings through every connection, raw driver SQL included.
_CONNECT_ARGS = {"detect_types": 1}  # sqlite3/sqlcipher3 PARSE_DECLTYPES

# SQLite's page cache per connection (KiB), filled only as pages are read: a decrypted page kept is
# a page not decrypted again. Connections live as long as their lane's thread, so a cache once
# filled stays filled: at 256 MiB on every lane (db, read, two io, the GUI thread) a 1M-vehicle
# store's typing bench peaked at ~2 GB, the I/O lane's whole-file reads (integrity check, backup)
# filling theirs for nothing. Bounded: every connection gets CACHE_KIB, and only the one that
# answers lookups (use_search_cache: vehicles_repo.find_ids) SEARCH_CACHE_KIB, where a typical
# counter store (≤ 100k vehicles, ~150 MB) fits whole. Total ≤ 256 + 5 × 48 MiB.
CACHE_KIB = 48 * 1024
SEARCH_CACHE_KIB = 256 * 1024


def use_search_cache(conn: Connection) -> None:
    """Give this connection (a SQLAlchemy Connection) the lookup's page cache, once: the
    keystroke-by-keystroke reads are the ones a kept page speeds up."""
    info = conn.connection.info  # the pooled DBAPI connection's, as long-lived as it
    if info.get("cache_kib") != SEARCH_CACHE_KIB:
        conn.connection.driver_connection.execute(f"PRAGMA cache_size = -{SEARCH_CACHE_KIB}")
        info["cache_kib"] = SEARCH_CACHE_KIB


class _Connection(Connection):
    """Marks the transaction SQLAlchemy begins by itself (autobegin: the first execute in a
    connect() block) so the "begin" listener can tell a read from an explicit begin()."""

    _autobegun = False

    def _autobegin(self) -> None:
        self._autobegun = True
        try:
            super()._autobegin()
        finally:
            self._autobegun = False


def begin_read(conn: Connection) -> None:
    """Begin the connect() block's read transaction now, as its first execute would (autobegin:
    BEGIN DEFERRED via the "begin" listener), for a caller about to read from the driver directly.
    An explicit conn.begin() would take the write lock (BEGIN IMMEDIATE)."""
    if not conn.in_transaction():
        conn._autobegin()


class _LockedSet(set):
    """The pool's set of connections, changed and iterated under one lock: a lane thread opening
    its connection while the store closes no longer breaks dispose() ("Set changed size during
    iteration")."""

    def __init__(self, *a):
        super().__init__(*a)
        self.lock = threading.RLock()

    def add(self, item) -> None:
        with self.lock:
            super().add(item)

    def pop(self):
        with self.lock:
            return super().pop()

    def discard(self, item) -> None:
        with self.lock:
            super().discard(item)

    def take_all(self) -> list:
        with self.lock:
            items = list(super().__iter__())
            self.difference_update(items)
            return items

    def __iter__(self):
        with self.lock:
            return iter(list(super().__iter__()))


class LanePool(SingletonThreadPool):
    """One long-lived connection per thread (the task runner's lanes), safe to dispose while
    another thread is opening one: dispose closes the connections that exist when it starts;
    one opened meanwhile stays open for its thread."""

    def __init__(self, creator, pool_size: int = 5, **kw):
        super().__init__(creator, pool_size=pool_size, **kw)
        self._all_conns = _LockedSet()
        self._by_thread: dict[int, object] = {}  # thread ident -> its connection record

    def _do_get(self):
        # SingletonThreadPool finds a thread's connection through threading.local, but the task
        # runner's lanes are QThreadPool threads, not Python threads: their Python thread state,
        # and every threading.local value with it, is dropped after each task. Every task opened
        # a NEW connection, and none was ever closed (a QThread's dummy Thread never ends): two
        # connections and their page caches per search, ~3 MB a search, gigabytes in a day.
        # Keyed by thread ident, a lane keeps one connection for good.
        ident, me = threading.get_ident(), threading.current_thread()
        rec = self._by_thread.get(ident)
        if rec is not None and rec.info.get("thread") is me and rec in self._all_conns:
            return rec
        rec = self._create_connection()
        rec.info.setdefault("thread", me)  # the connect event sets it (first use); a reuse keeps it
        if len(self._all_conns) >= self.size:
            self._cleanup()
        self._all_conns.add(rec)
        self._by_thread[ident] = rec
        return rec

    def _cleanup(self) -> None:
        # SingletonThreadPool closes ARBITRARY connections once there are pool_size of them: the
        # I/O pool's threads expire when idle and new ones open new connections, so the read or
        # db lane's connection was closed under a running query ("Cannot operate on a closed
        # database", seen counting letters at 1M). Close only those of threads that have ended.
        for rec in list(self._all_conns):
            owner = rec.info.get("thread")
            if owner is not None and not owner.is_alive():
                self._all_conns.discard(rec)
                self._forget(rec)
                try:
                    rec.close()
                except Exception:  # noqa: BLE001 - a connection of a thread that is gone
                    pass

    def _forget(self, rec) -> None:
        for ident, mine in list(self._by_thread.items()):
            if mine is rec:
                self._by_thread.pop(ident, None)

    def dispose(self) -> None:
        for conn in self._all_conns.take_all():
            self._forget(conn)
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - as SingletonThreadPool: another thread's connection
                pass


def _url(db_path: Path, key: bytes) -> URL:
    # A raw key (x'…') skips SQLCipher's KDF at open: under a millisecond instead of ~240 ms.
    return URL.create("sqlite+pysqlcipher", password=f"x'{key.hex()}'", database=str(db_path))


def _configure(engine: Engine, encrypted: bool) -> Engine:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, record):
        record.info["thread"] = threading.current_thread()  # LanePool closes only ended threads' ones
        # Driver-level autocommit so that SQLAlchemy's BEGIN below is the only transaction control,
        # which makes DDL transactional (pysqlite otherwise commits implicitly before DDL).
        dbapi_conn.isolation_level = None
        if encrypted:
            dbapi_conn.execute("PRAGMA cipher_log_level = NONE")
        dbapi_conn.execute("PRAGMA synchronous = FULL")
        dbapi_conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        dbapi_conn.execute("PRAGMA busy_timeout = 10000")
        dbapi_conn.execute("PRAGMA temp_store = MEMORY")
        # SQLite leaves foreign keys off per connection unless asked; migrate turns them off only
        # around a schema change.
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A read (autobegin) takes no lock; an explicit begin() is a write and takes the write
        # lock up front: no deadlock between two writers upgrading (see the module docstring).
        conn.exec_driver_sql("BEGIN DEFERRED" if getattr(conn, "_autobegun", False) else "BEGIN IMMEDIATE")

    engine._connection_cls = _Connection
    return engine


def make_engine(db_path: Path, key: bytes) -> Engine:
    # One long-lived connection per thread.
    return _configure(create_engine(_url(db_path, key), poolclass=LanePool, pool_size=8,
                                     connect_args=_CONNECT_ARGS), True)


def make_plain_engine(db_path: Path) -> Engine:
    """The same settings on an UNENCRYPTED file: only for benchmarks that measure what SQLCipher costs."""
    return _configure(create_engine(f"sqlite:///{db_path}", poolclass=LanePool, pool_size=8,
                                     connect_args=_CONNECT_ARGS), False)


_DAMAGED = "数据库文件已损坏或不是本店的数据库，无法打开。请从备份恢复（renewdesk restore）。"


def verify_opens(engine: Engine) -> None:
    """The open-path check: the key reads the schema and a sample of pages (each table's root and
    first leaf). Costs milliseconds at any size; the whole-file check is check_integrity.

    A right key (its check value passed) that cannot read these pages means a damaged file.
    Reads only (no PRAGMA that writes), so a damaged file stays byte-identical.
    """
    try:
        raw = engine.raw_connection()
        try:
            db = raw.driver_connection
            tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            for name in tables:
                db.execute(f'SELECT * FROM "{name}" LIMIT 1').fetchall()
        finally:
            raw.close()
    except Exception as exc:  # sqlcipher3 errors before SQLAlchemy wraps them, and DatabaseError
        raise DamagedStore(_DAMAGED) from exc


def check_integrity(engine: Engine, cancel: Callable[[], bool] | None = None) -> list[str] | None:
    """The whole-file check (self-check, before a backup, after a restore, in the window's
    background): every page's HMAC (SQLCipher) and the b-tree structure. [] means sound; None
    means `cancel()` said stop (the window is closing) before it finished.

    Minutes-long on a million-vehicle store on a slow disk, so never on the open path."""
    try:
        raw = engine.raw_connection()
        db = raw.driver_connection
        if cancel is not None:
            db.set_progress_handler(lambda: 1 if cancel() else 0, 20000)  # non-zero interrupts
        try:
            problems = [str(r[0]) for r in db.execute("PRAGMA cipher_integrity_check")] \
                if _is_encrypted(db) else []
            problems += [str(r[0]) for r in db.execute("PRAGMA quick_check(20)") if r[0] != "ok"]
        finally:
            if cancel is not None:
                db.set_progress_handler(None, 0)
            raw.close()
    except Exception as exc:
        if cancel is not None and cancel():
            return None
        raise DamagedStore(_DAMAGED) from exc
    return problems


def _is_encrypted(db) -> bool:
    try:
        return bool(db.execute("PRAGMA cipher_version").fetchone())
    except Exception:  # plain sqlite3 (benchmarks) has no cipher pragmas
        return False


def verify_readable(engine: Engine) -> None:
    """Opens and is sound throughout: for copies about to replace the live store (restore)."""
    verify_opens(engine)
    problems = check_integrity(engine)
    if problems:
        raise DamagedStore("数据库完整性检查失败，文件已损坏。请从备份恢复（renewdesk restore）。")


def set_wal(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.connection.driver_connection.execute("PRAGMA journal_mode = WAL")


def vacuum_into(engine: Engine, target: Path) -> None:
    """An encrypted, consistent copy (same key) that includes what is still in the WAL."""
    with engine.connect() as conn:
        conn.connection.driver_connection.execute("VACUUM INTO ?", (str(target),))


def scalar(engine: Engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar()
