"""The migrations build exactly the schema the models describe (a model change needs a migration)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from desktop.store.models import Base


def test_migrated_store_matches_the_models(app_ctx):
    with app_ctx.store().engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        conn.rollback()
    assert diffs == []
