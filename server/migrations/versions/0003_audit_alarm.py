"""device.audit_alarm: head office keeps a counter's highest audit anchor and says when a push
reports a chain behind it (truncated, or a restored older backup) instead of taking the lower head

Revision ID: s0003
Revises: s0002
"""
import sqlalchemy as sa
from alembic import op

revision = "s0003"
down_revision = "s0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("device") as b:
        b.add_column(sa.Column("audit_alarm", sa.Text()))


def downgrade() -> None:
    with op.batch_alter_table("device") as b:
        b.drop_column("audit_alarm")
