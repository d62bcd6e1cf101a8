"""index search keys by vehicle

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Replacing a vehicle's keys (a new phone, a corrected plate) deletes by vehicle_id: without this
    # index that delete scans every key of every vehicle (~10 per vehicle).
    op.create_index("ix_search_key_vehicle", "search_key", ["vehicle_id"])


def downgrade() -> None:
    op.drop_index("ix_search_key_vehicle", table_name="search_key")
