"""what a counter needs to apply changes pulled from head office: stamps, aliases, parked changes

- sync_stamp: the HLC stamp of each field (customer contact fields) or row ("*") received from
  head office, and tombstones ("~deleted"), so last-writer-wins compares against what was seen.
- sync_alias: an id that turned out to name the same vehicle or term as a smaller id (one vehicle
  registered on two counters); changes naming the alias land on the canonical row.
- sync_parked: pulled changes whose parent row is not here yet, retried after every page.
- an index on outbox.entity_id: applying a page looks up this counter's own stamps by entity.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sync_stamp",
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("field", sa.Text(), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("entity", "entity_id", "field", name="pk_sync_stamp"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_sync_stamp_entity_id", "sync_stamp", ["entity_id"])
    op.create_table(
        "sync_alias",
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("alias_id", sa.String(36), nullable=False),
        sa.Column("canonical_id", sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint("entity", "alias_id", name="pk_sync_alias"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_sync_alias_alias_id", "sync_alias", ["alias_id"])
    op.create_table(
        "sync_parked",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("server_seq", sa.Integer(), nullable=False),
        sa.Column("change", sa.Text(), nullable=False),
    )
    op.create_index("ix_outbox_entity_id", "outbox", ["entity_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_entity_id", "outbox")
    op.drop_table("sync_parked")
    op.drop_index("ix_sync_alias_alias_id", "sync_alias")
    op.drop_table("sync_alias")
    op.drop_index("ix_sync_stamp_entity_id", "sync_stamp")
    op.drop_table("sync_stamp")
