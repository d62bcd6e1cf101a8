"""Drop ix_policy_term_ci_end: the store is back under #10.2's 1,500 bytes a vehicle

0011's partial index on policy_term(end_at) WHERE kind = 'CI' cost ~110 bytes a vehicle at the
1M demo; 0017's ix_policy_term_ci_vehicle (vehicle_id, start_at, end_at) WHERE kind = 'CI' holds
every column its two readers need (vehicles_repo.vehicles_with_ci_end_between and the report's
due candidates in renewal_repo), so they now read that covering index whole — the same rows by
the same predicate, so the same answers — and the file loses the second copy of every 交强险 end.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_policy_term_ci_end")


def downgrade() -> None:
    op.execute("CREATE INDEX ix_policy_term_ci_end ON policy_term (end_at) WHERE kind = 'CI'")
