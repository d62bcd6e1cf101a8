"""ix_policy_term_ci_vehicle: a vehicle's 交强险 terms in the report's order (issue 13)

The monthly renewal report (desktop.store.renewal_repo) needs, per candidate vehicle, a few of its
交强险 terms in core.segments.classify's order — start, end, then id — and their neighbours. A
partial index on (vehicle_id, start_at, end_at) WHERE kind = 'CI' holds exactly that order (the
key's id follows the columns) and covers every column the report reads, so each term it names is
one probe into ~50-byte entries instead of a window pass over the candidates' whole rows (~110
bytes each, every kind: at 1M those rows span nearly every page of policy_term). An index, not a
summary table: SQLite keeps it on every write path (counter, import, demo, sync pull) with no
trigger, and a term inserted out of order lands in its place.

A later migration that rebuilds policy_term must create this index again after the rename (as
0015's rebuild re-creates 0012's).

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-02
"""
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

INDEX = "CREATE INDEX ix_policy_term_ci_vehicle ON policy_term (vehicle_id, start_at, end_at) WHERE kind = 'CI'"


def upgrade() -> None:
    op.execute(INDEX)


def downgrade() -> None:
    op.execute("DROP INDEX ix_policy_term_ci_vehicle")
