"""outbox rows name their entity id; the device sequence and HLC clock live in sync_state;
customer.name_initials dropped

A change on the wire carries `entity_id` (DESIGN §6), and the sender must not parse it back out of
the payload. `device_seq` was allocated as MAX(device_seq) + 1, which scans the outbox index on every
write and cannot survive pruning sent rows; it is now a counter row in sync_state, seeded here from
the outbox. The HLC clock's last stamp is persisted beside it so stamps never go backwards across
restarts. `name_initials` was written but never read (the py: search keys carry the initials) and
went stale when an import renamed someone.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite >= 3.35): a batch rebuild would drop customer's WITHOUT ROWID.
    op.execute("ALTER TABLE outbox ADD COLUMN entity_id VARCHAR(36)")
    op.execute("UPDATE outbox SET entity_id = json_extract(payload, '$.id') WHERE entity_id IS NULL")
    op.execute("INSERT OR REPLACE INTO sync_state(key, value) "
               "SELECT 'device_seq', CAST(COALESCE(MAX(device_seq), 0) AS TEXT) FROM outbox")
    op.execute("INSERT OR REPLACE INTO sync_state(key, value) SELECT 'hlc', MAX(hlc) FROM outbox "
               "WHERE EXISTS (SELECT 1 FROM outbox)")
    op.execute("ALTER TABLE customer DROP COLUMN name_initials")


def downgrade() -> None:
    op.execute("ALTER TABLE customer ADD COLUMN name_initials TEXT")
    op.execute("ALTER TABLE outbox DROP COLUMN entity_id")
    op.execute("DELETE FROM sync_state WHERE key IN ('device_seq', 'hlc')")
