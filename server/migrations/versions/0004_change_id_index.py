"""index the change log by change_id alone: a change is a duplicate when its change_id is stored
under any device (a counter enrolled again, or its store copied, sends the same changes again)

Revision ID: s0004
Revises: s0003
"""
from alembic import op

revision = "s0004"
down_revision = "s0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_change_change_id", "change", ["change_id"])


def downgrade() -> None:
    op.drop_index("ix_change_change_id", table_name="change")
