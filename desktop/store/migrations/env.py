"""Alembic environment: always runs on the app's own keyed connection, inside its transaction.

The caller (desktop.store.migrate) disables foreign keys before BEGIN, runs this inside one
BEGIN IMMEDIATE transaction, checks foreign keys and commits; a failure rolls everything back.
"""
from alembic import context

from desktop.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - offline/CLI use is not supported: the store is encrypted
    raise RuntimeError("RenewDesk migrations run only through desktop.store.migrate")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    transactional_ddl=True,
    render_as_batch=True,  # SQLite alters tables by copy-and-rename
    compare_type=True,
)
context.run_migrations()
