"""Alembic environment of head office: runs on the caller's connection inside its transaction
(server.db.upgrade), on SQLite and PostgreSQL alike."""
from alembic import context

from server.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - migrations run through server.db.upgrade only
    raise RuntimeError("head-office migrations run only through server.db.upgrade")

context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,
    render_as_batch=True,
    compare_type=True,
)
context.run_migrations()
