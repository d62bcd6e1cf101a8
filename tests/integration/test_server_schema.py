"""The head-office migrations build exactly the tables server/schema.py describes, on both backends."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.db import head_revision, make_engine, upgrade
from server.schema import metadata


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return f"sqlite:///{tmp_path / 'hq.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")


def test_migrations_match_the_schema_and_run_once(url):
    engine = make_engine(url)
    upgrade(engine)
    upgrade(engine)  # a second start finds the schema current and changes nothing
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert ctx.get_current_revision() == head_revision()
        assert compare_metadata(ctx, metadata) == []
    engine.dispose()


def test_an_older_head_office_database_upgrades_keeping_its_rows(tmp_path):
    from alembic import command

    from server import devices
    from server.db import _config, write_tx

    engine = make_engine(f"sqlite:///{tmp_path / 'hq.db'}")
    with write_tx(engine) as conn:
        command.upgrade(_config(conn), "s0001")
    devices.enroll(engine, devices.create_code(engine, "示例店"), "1号柜台")
    upgrade(engine)
    assert [d["counter"] for d in devices.list_devices(engine)] == ["1号柜台"]
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    engine.dispose()
