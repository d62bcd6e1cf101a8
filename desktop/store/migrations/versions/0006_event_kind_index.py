"""index events by kind

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Complaints and insurer-directory corrections are events read by kind (open complaints, the
    # directory fold): without this index each list scans every event of every vehicle.
    op.create_index("ix_event_kind_at", "event", ["kind", "at"])


def downgrade() -> None:
    op.drop_index("ix_event_kind_at", table_name="event")
