"""A smaller store: one access path per lookup, a 交强险-only due index

Measured on a 20,000-vehicle demo store (dbstat on a packed plain copy): 2,048 B a vehicle.
- ix_policy_term_kind_end (kind, end_at) held every term (221 B a vehicle); its readers (due
  lists, letters, the monthly report) all ask for 交强险 ends only, so it becomes a partial index
  on end_at WHERE kind = 'CI' (the kind column and the 商业险 terms leave it).
- Full-VIN ("V") and full-ID ("I") search keys repeated vehicle.vin and customer.id_number, whose
  indexes import matching needs anyway: the keys go, lookups and the register duplicate check
  use the column indexes (desktop.store.vehicles_repo).
Index changes only: no table is rebuilt, every row stays as it is.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_policy_term_kind_end")
    op.execute("CREATE INDEX ix_policy_term_ci_end ON policy_term (end_at) WHERE kind = 'CI'")
    op.execute("DELETE FROM search_key WHERE substr(\"key\", 1, 1) IN ('V', 'I')")


def _add_column_keys(bind) -> None:
    from desktop.core.search_keys import column_keys  # the same derivation 0010's app wrote

    db = bind.connection.driver_connection
    rows = db.execute("SELECT v.id, v.vin, c.id_number FROM vehicle v LEFT JOIN customer c ON c.id = v.owner_id "
                      "WHERE v.deleted = 0 AND (v.vin IS NOT NULL OR c.id_number IS NOT NULL)")
    while batch := rows.fetchmany(20000):
        keys = sorted((k, vid) for vid, vin, idn in batch for k in column_keys(vin, idn))
        # The driver reads UUIDBLOB ids back as text: bind them as the bytes they are stored as.
        db.executemany("INSERT OR IGNORE INTO search_key(\"key\", vehicle_id) VALUES (?, ?)",
                       [(k, bytes.fromhex(v.replace("-", ""))) for k, v in keys])


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_policy_term_ci_end")
    op.execute("CREATE INDEX ix_policy_term_kind_end ON policy_term (kind, end_at)")
    _add_column_keys(op.get_bind())
