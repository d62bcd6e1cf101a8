"""Schema migrations at start-up, on the app's own keyed connection (DESIGN §4).

Order: refuse a store newer than this app; if behind, make a timestamped encrypted copy with
VACUUM INTO (a file copy misses the WAL); then PRAGMA foreign_keys=OFF (outside the transaction,
where it takes effect, so a batch table rebuild does not cascade deletes), BEGIN IMMEDIATE, run
every step, PRAGMA foreign_key_check, COMMIT. Any failure rolls the whole upgrade back.
A step that rebuilt a big table leaves its old pages free (0012 at 1M: 180k pages, +11 % file):
then one VACUUM packs the file (about 90 s at 1M, seconds at a counter's 100k).
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from desktop.core.timeutil import CST

from . import work_triggers
from .engine import vacuum_into
from .errors import DamagedStore, SchemaTooNew

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        rev = MigrationContext.configure(conn).get_current_revision()
        conn.rollback()
    return rev


def _known_revisions() -> set[str]:
    return {s.revision for s in ScriptDirectory.from_config(_config()).walk_revisions()}


FREE_PAGES_TO_PACK = 0.2  # share of the file's pages left free by the steps that makes a VACUUM worth it


def pending(engine: Engine) -> bool:
    """The store is not at this app's head: start-up will upgrade it (possibly minutes on a big
    store) or, for a store newer than this app, upgrade() refuses it (SchemaTooNew)."""
    current = current_revision(engine)
    return current is not None and current != head_revision()


def upgrade(engine: Engine, backup_dir: Path | None, target: str = "head") -> Path | None:
    """Bring the store to `target`. Returns the path of the pre-migration copy, if one was made."""
    current = current_revision(engine)
    head = head_revision()
    if current is not None and current not in _known_revisions():
        raise SchemaTooNew(
            f"数据库版本（{current}）比本程序新，请先升级续保台程序再打开。数据未做任何改动。"
        )
    if current == head and target == "head":
        return None
    copy: Path | None = None
    if current is not None and backup_dir is not None:
        backup_dir.mkdir(parents=True, exist_ok=True)
        # China Standard Time like the backup names, whatever zone the PC is set to
        stamp = datetime.now(CST).strftime("%Y%m%d-%H%M%S")
        copy = backup_dir / f"pre-migration-{current}-{stamp}.db"
        vacuum_into(engine, copy)
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with conn.begin():
                cfg = _config()
                cfg.attributes["connection"] = conn
                work_triggers.drop(conn)  # a batch rebuild would trip over them (see work_triggers)
                command.upgrade(cfg, target)
                work_triggers.install(conn)
                problems = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if problems:
                    raise DamagedStore(f"迁移后外键检查失败（{len(problems)} 处），已回滚，数据未改动。")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")
        _pack_if_sparse(raw)
    return copy


def _pack_if_sparse(raw) -> None:
    pages = raw.execute("PRAGMA page_count").fetchone()[0]
    free = raw.execute("PRAGMA freelist_count").fetchone()[0]
    if pages and free / pages > FREE_PAGES_TO_PACK:
        raw.execute("VACUUM")
