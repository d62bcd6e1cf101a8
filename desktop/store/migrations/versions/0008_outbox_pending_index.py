"""a partial index over the outbox's pending rows

Each push asks for the oldest pending change. Without an index that is a scan of the whole outbox
(every change ever made, payloads included, each page decrypted): pushing a 100,000-change import
scanned it 200 times. The index holds only pending rows, so it stays small and costs a sent row
nothing.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_pending", "outbox", ["device_seq"], sqlite_where=sa.text("state = 'pending'"))


def downgrade() -> None:
    op.drop_index("ix_outbox_pending", "outbox")
