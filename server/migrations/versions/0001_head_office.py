"""head office: devices, enrolment codes, the change log and feed, materialised state

Revision ID: s0001
Revises: (none)
"""
import sqlalchemy as sa
from alembic import op

revision = "s0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "device",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("branch", sa.Text(), nullable=False),
        sa.Column("counter", sa.Text(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("batch_key", sa.String(64), nullable=False),
        sa.Column("enrolled_at", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.Text()),
        sa.Column("next_seq", sa.BigInteger(), nullable=False),
        sa.Column("last_push_at", sa.Text()),
        sa.Column("last_pull_at", sa.Text()),
        sa.Column("applied_count", sa.BigInteger(), nullable=False),
        sa.Column("rejected_count", sa.BigInteger(), nullable=False),
        sa.Column("deferred_count", sa.Integer(), nullable=False),
        sa.Column("clock_ahead_ms", sa.BigInteger()),
        sa.Column("clock_warned_at", sa.Text()),
        sa.Column("audit_seq", sa.BigInteger()),
        sa.Column("audit_hash", sa.Text()),
        sa.Column("audit_at", sa.Text()),
    )
    op.create_table(
        "enroll_code",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("branch", sa.Text(), nullable=False),
        sa.Column("created_at", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.Text(), nullable=False),
        sa.Column("used_at", sa.Text()),
        sa.Column("device_id", sa.String(36)),
    )
    op.create_table(
        "change",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("device_seq", sa.BigInteger(), primary_key=True),
        sa.Column("change_id", sa.String(36), nullable=False),
        sa.Column("entity", sa.Text(), nullable=False),
        sa.Column("entity_id", sa.Text(), nullable=False),
        sa.Column("op", sa.Text(), nullable=False),
        sa.Column("payload", sa.Text()),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("server_seq", sa.BigInteger(), unique=True),
        sa.Column("received_ms", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint("device_id", "change_id", name="uq_change_device_change_id"),
    )
    op.create_table(
        "state",
        sa.Column("entity", sa.String(16), primary_key=True),
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("ord", sa.BigInteger(), nullable=False, unique=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("hlc", sa.Text(), nullable=False),
        sa.Column("field_hlc", sa.Text()),
        sa.Column("ident", sa.Text()),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("updated_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_state_ident", "state", ["entity", "ident"])
    op.create_table(
        "alias",
        sa.Column("entity", sa.String(16), primary_key=True),
        sa.Column("alias_id", sa.String(36), primary_key=True),
        sa.Column("canonical_id", sa.String(36), nullable=False),
    )
    op.create_table(
        "batch_applied",
        sa.Column("device_id", sa.String(36), primary_key=True),
        sa.Column("n", sa.BigInteger(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("applied_at", sa.Text(), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text()),
    )


def downgrade() -> None:
    for name in ("meta", "batch_applied", "alias", "state", "change", "enroll_code", "device"):
        op.drop_table(name)
