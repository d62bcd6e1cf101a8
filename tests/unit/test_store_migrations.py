"""Migrations at start-up (DESIGN §4): all or nothing, a pre-migration copy first, a newer store refused."""
from __future__ import annotations

import hashlib
import shutil
import textwrap
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, text

from desktop.cli import exit_code_for
from desktop.core.timeutil import CST
from desktop.services import auth
from desktop.store import audit, migrate
from desktop.store.engine import make_engine
from desktop.store.errors import SchemaTooNew
from desktop.store.keyring_port import MemoryKeyring
from desktop.store.store import DB_FILE, open_store
from tests.conftest import ADMIN_PASSWORD, PASSPHRASE
from tests.unit.migration_helpers import store_at

FAILING_STEP = '''
"""a step that fails half-way"""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "HEAD"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("doomed", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("INSERT INTO doomed(id) VALUES (1)")
    op.execute("UPDATE staff SET role = 'clerk'")
    raise RuntimeError("migration step failed")


def downgrade() -> None:
    pass
'''

REBUILD_STEP = '''
"""add a column to customer by rebuilding the table (batch mode, as SQLite needs for most changes)"""
import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "HEAD"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("customer", recreate="always") as b:
        b.add_column(sa.Column("wechat", sa.Text(), nullable=True))


def downgrade() -> None:
    pass
'''


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _snapshot(d: Path) -> dict[str, str]:
    return {p.relative_to(d).as_posix(): _sha(p) for p in sorted(d.rglob("*")) if p.is_file()}


def _migrations_with(tmp_path: Path, script: str) -> Path:
    src = migrate.MIGRATIONS_DIR
    dst = tmp_path / "migrations"
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__"))
    script = script.replace('"HEAD"', repr(migrate.head_revision()))  # on top of the real head
    (dst / "versions" / "9001_test_step.py").write_text(textwrap.dedent(script), "utf-8")
    return dst


def _tables(engine) -> set[str]:
    with engine.connect() as c:
        out = set(c.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
        c.rollback()
    return out


def _one(engine, sql: str):
    with engine.connect() as c:
        v = c.execute(text(sql)).scalar()
        c.rollback()
    return v


def test_store_is_created_at_head(app_ctx):
    engine = app_ctx.store().engine
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert {"vehicle", "customer", "policy_term", "search_key", "audit", "staff"} <= _tables(engine)


def test_failing_migration_leaves_the_store_as_it_was(demo_ctx, fake_keyring, tmp_path, monkeypatch):
    d = demo_ctx.data_dir
    engine = demo_ctx.store().engine
    vehicles = _one(engine, "SELECT count(*) FROM vehicle")
    head = migrate.current_revision(engine)
    demo_ctx.close()
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", _migrations_with(tmp_path, FAILING_STEP))
    assert migrate.head_revision() == "9001"

    with pytest.raises(RuntimeError, match="migration step failed"):
        open_store(d, lambda: PASSPHRASE, fake_keyring)

    monkeypatch.undo()  # back to the real scripts: the store opens as before
    s = open_store(d, lambda: PASSPHRASE, fake_keyring, run_migrations=False)
    try:
        assert "doomed" not in _tables(s.engine)
        assert migrate.current_revision(s.engine) == head
        assert _one(s.engine, "SELECT role FROM staff WHERE name = 'admin'") == "admin"
        assert _one(s.engine, "SELECT count(*) FROM vehicle") == vehicles
        assert audit.verify(s.engine).ok
        assert _one(s.engine, "PRAGMA foreign_keys") == 1  # switched back on after the attempt
    finally:
        s.close()
    copies = sorted((d / "backups").glob(f"pre-migration-{head}-*.db"))
    assert len(copies) == 1
    assert not copies[0].read_bytes().startswith(b"SQLite format 3")  # encrypted, like the store
    e = make_engine(copies[0], s.key)  # the copy is encrypted under the same key and complete
    try:
        assert migrate.current_revision(e) == head
        assert _one(e, "SELECT count(*) FROM vehicle") == vehicles
    finally:
        e.dispose()


def test_rebuilding_a_parent_table_keeps_every_row(demo_ctx, fake_keyring, tmp_path, monkeypatch):
    d = demo_ctx.data_dir
    engine = demo_ctx.store().engine
    counts = {t: _one(engine, f"SELECT count(*) FROM {t}") for t in ("customer", "vehicle", "policy_term")}
    demo_ctx.close()
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", _migrations_with(tmp_path, REBUILD_STEP))

    s = open_store(d, lambda: PASSPHRASE, fake_keyring)
    try:
        assert migrate.current_revision(s.engine) == "9001"
        assert {t: _one(s.engine, f"SELECT count(*) FROM {t}") for t in counts} == counts
        orphans = _one(s.engine, "SELECT count(*) FROM vehicle v LEFT JOIN customer c ON c.id = v.owner_id "
                                 "WHERE v.owner_id IS NOT NULL AND c.id IS NULL")
        assert orphans == 0
        with s.engine.connect() as c:
            assert "wechat" in [r[1] for r in c.exec_driver_sql("PRAGMA table_info(customer)")]
        assert auth.login(s.engine, "admin", ADMIN_PASSWORD).role == "admin"
    finally:
        s.close()
    assert len(list((d / "backups").glob("pre-migration-*.db"))) == 1


def test_store_from_a_newer_app_is_refused_unchanged(app_ctx, fake_keyring):
    d = app_ctx.data_dir
    with app_ctx.store().engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    app_ctx.close()
    before = _snapshot(d)
    with pytest.raises(SchemaTooNew) as exc:
        open_store(d, lambda: PASSPHRASE, fake_keyring)
    assert exit_code_for(exc.value) == 5
    assert "0099_future" in exc.value.message
    assert _snapshot(d) == before
    assert not (d / "backups").exists()


def test_up_to_date_store_makes_no_copy(app_ctx, fake_keyring):
    d = app_ctx.data_dir
    app_ctx.close()
    s = open_store(d, lambda: PASSPHRASE, fake_keyring)
    s.close()
    assert not (d / "backups").exists()


def _statements(engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _grab(conn, cursor, statement, *_a):
        seen.append(statement.strip().upper())

    return seen


def test_ddl_is_transactional(tmp_path):
    engine = make_engine(tmp_path / DB_FILE, b"\x01" * 32)
    try:
        seen = _statements(engine)
        with engine.begin() as c:
            c.exec_driver_sql("CREATE TABLE kept(x)")
        with pytest.raises(ZeroDivisionError):
            with engine.begin() as c:
                c.exec_driver_sql("CREATE TABLE rolled_back(x)")
                c.exec_driver_sql("INSERT INTO kept VALUES (1)")
                c.exec_driver_sql("ALTER TABLE kept ADD COLUMN y")
                1 / 0  # noqa: B018
        assert seen.count("BEGIN IMMEDIATE") == 2
        assert _tables(engine) == {"kept"}
        assert _one(engine, "SELECT count(*) FROM kept") == 0
        with engine.connect() as c:
            assert [r[1] for r in c.exec_driver_sql("PRAGMA table_info(kept)")] == ["x"]
    finally:
        engine.dispose()


def test_wrong_raw_key_cannot_read_the_file(app_ctx):
    """The engine really encrypts: another key sees no tables (the driver refuses the file)."""
    d = app_ctx.data_dir
    app_ctx.close()
    e = make_engine(d / DB_FILE, b"\x02" * 32)
    try:
        with pytest.raises(Exception, match="not a database"):
            _tables(e)
    finally:
        e.dispose()
    s = open_store(d, lambda: PASSPHRASE, MemoryKeyring())
    s.close()


def test_foreign_keys_are_enforced_after_a_plain_reopen(app_ctx, fake_keyring):
    from sqlalchemy.exc import IntegrityError

    d = app_ctx.data_dir
    app_ctx.close()
    s = open_store(d, lambda: PASSPHRASE, fake_keyring)  # at head: no migration runs
    try:
        with pytest.raises(IntegrityError):
            with s.engine.begin() as c:
                c.execute(text("INSERT INTO event(id, vehicle_id, kind, at) VALUES ('e1', 'no-such', 'visit', 'x')"))
        assert _one(s.engine, "SELECT count(*) FROM event") == 0
    finally:
        s.close()


@pytest.fixture
def new_york_clock(monkeypatch):
    """The process's local zone set to New York (13 hours behind China in winter), put back after."""
    if not hasattr(time, "tzset"):  # Windows: the zone cannot be switched inside the process
        pytest.skip("time.tzset is POSIX only")
    monkeypatch.setenv("TZ", "EST5EDT,M3.2.0,M11.1.0")  # a POSIX rule: needs no tz database
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_pre_migration_copy_is_named_in_china_time_like_the_backups(tmp_path, new_york_clock):
    """The PC's own zone does not leak into the copy's name: it tells the China Standard Time clock
    the backups' names tell (services.backups.file_name), not New York's, hours apart."""
    assert datetime.now().astimezone().utcoffset() != timedelta(hours=8)  # the zone really is another
    engine = store_at(tmp_path, "0019")
    try:
        before = datetime.now(CST).replace(tzinfo=None, microsecond=0)
        copy = migrate.upgrade(engine, backup_dir=tmp_path / "backups")
        after = datetime.now(CST).replace(tzinfo=None)
    finally:
        engine.dispose()
    assert copy is not None and copy.name.startswith("pre-migration-0019-")
    stamp = datetime.strptime(copy.stem.removeprefix("pre-migration-0019-"), "%Y%m%d-%H%M%S")
    assert before <= stamp <= after
