"""Engines, migrations and the one write transaction of head office.

Every write (push, enrol, revoke, batch) runs in `write_tx`: on PostgreSQL it first takes a
transaction-level advisory lock, on SQLite the write lock (BEGIN IMMEDIATE). Writers are therefore
serialised for the whole transaction, so server_seq values are allocated in commit order and a
pull cursor never skips a change that commits later (DESIGN §6).
"""
from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from . import schema

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_ADVISORY_KEY = 0x52445350  # "RDSP": the one lock every head-office writer takes


class BadDatabaseURL(ValueError):
    pass


def make_engine(url: str) -> Engine:
    try:
        u = make_url(url)
    except ArgumentError:
        raise BadDatabaseURL("数据库地址无法识别 / database URL not understood "
                             "(sqlite:///FILE or postgresql+psycopg://USER@HOST/DB)") from None
    backend = u.get_backend_name()
    if backend == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": 60, "check_same_thread": False})
        _sqlite_events(engine)
        return engine
    if backend == "postgresql":
        if u.drivername != "postgresql+psycopg":
            u = u.set(drivername="postgresql+psycopg")
        return create_engine(u, pool_size=8, max_overflow=8, pool_pre_ping=True)
    raise BadDatabaseURL("只支持 SQLite 或 PostgreSQL / only sqlite:/// or postgresql+psycopg:// URLs")


def _sqlite_events(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):  # noqa: ANN001 - driver objects
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, so DDL is transactional too
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA cache_size=-65536")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):  # noqa: ANN001
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


def dialect(engine: Engine) -> str:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


@contextlib.contextmanager
def write_tx(engine: Engine) -> Iterator[Connection]:
    """One serialised write transaction; commits when the block ends without an exception."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _ADVISORY_KEY})
        yield conn


@contextlib.contextmanager
def read_tx(engine: Engine) -> Iterator[Connection]:
    """A consistent read (SQLite: a deferred transaction, so readers never wait on the write lock)."""
    eng = engine.execution_options(sqlite_begin="DEFERRED") if engine.dialect.name == "sqlite" else engine
    with eng.connect() as conn, conn.begin():
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield conn


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest schema in one transaction (both backends have transactional DDL)."""
    with engine.connect() as conn:
        current = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
    if current == head_revision():
        return
    known = {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}
    if current is not None and current not in known:
        raise BadDatabaseURL(f"数据库版本（{current}）比本程序新，请先升级 / the database is newer than this server")
    with write_tx(engine) as conn:
        command.upgrade(_config(conn), "head")
    log.info("head-office schema upgraded from %s to %s", current, head_revision())


def bulk_insert(conn: Connection, table, rows: list[dict]) -> None:  # noqa: ANN001
    """Insert many rows: COPY on PostgreSQL (several times faster than a multi-row INSERT), else executemany."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    cols = list(rows[0])
    raw = conn.connection.driver_connection
    quoted = ", ".join('"' + c + '"' for c in cols)
    with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for r in rows:
            copy.write_row(tuple(r[c] for c in cols))


def get_meta(conn: Connection, key: str) -> str | None:
    return conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == key)).scalar()


def set_meta(conn: Connection, key: str, value: str) -> None:
    updated = conn.execute(schema.meta.update().where(schema.meta.c.key == key).values(value=value)).rowcount
    if not updated:
        conn.execute(schema.meta.insert().values(key=key, value=value))
