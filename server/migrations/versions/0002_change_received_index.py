"""index the change log by arrival time, so hourly pruning does not scan the whole log

Revision ID: s0002
Revises: s0001
"""
from alembic import op

revision = "s0002"
down_revision = "s0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_change_received_ms", "change", ["received_ms"])


def downgrade() -> None:
    op.drop_index("ix_change_received_ms", table_name="change")
