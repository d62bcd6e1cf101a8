"""customer identity indexes for import (ID number; name + phone)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Import identifies a customer by ID number, else by (name, phone): both must be index lookups.
    op.create_index("ix_customer_id_number", "customer", ["id_number"])
    op.create_index("ix_customer_name_phone", "customer", ["name", "phone"])


def downgrade() -> None:
    op.drop_index("ix_customer_name_phone", table_name="customer")
    op.drop_index("ix_customer_id_number", table_name="customer")
