"""work_index summarises each vehicle's renewal events (desktop.store.work_triggers, issue 13)

The tabs grouped every event of every vehicle with one (172,602 of 1M demo vehicles are tier 1,
most only for an outcome from an earlier case): 0.8–1.2 s a tab at 1M with a counter's events.
Five columns let a tab place a vehicle whose facts all predate its case and this week the way it
places one without events, and drop a stopped or closed one, from the index alone: fact_dn and
closing_dn (the UTC+8 day numbers of the latest fact and the latest closing fact), stopped, and
the latest assignment's assignee and time. ix_work_index_end covers them (the tabs count per day
without visiting the table). The columns are added in place (no table rebuild); desktop.store.migrate
fills them with the full refresh it runs after every upgrade (work_triggers.install).

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-02
"""
from alembic import op

revision = "0016"
down_revision = "0017"
branch_labels = None
depends_on = None

# assignee has no declared type: it holds json_extract's value as the clerk's view compares it
_COLUMNS = {"fact_dn": "INTEGER", "closing_dn": "INTEGER", "stopped": "INTEGER NOT NULL DEFAULT 0",
            "assignee": "", "assign_at": "TEXT"}
_OLD_END = "CREATE INDEX ix_work_index_end ON work_index (contactable, tier, ci_end_at, ci_start_at)"
_NEW_END = ("CREATE INDEX ix_work_index_end ON work_index (contactable, tier, ci_end_at, ci_start_at, "
            "stopped, closing_dn, fact_dn, assignee)")


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_work_index_end")
    for name, decl in _COLUMNS.items():
        op.execute(f"ALTER TABLE work_index ADD COLUMN {name} {decl}".rstrip())
    op.execute(_NEW_END)


def downgrade() -> None:
    from desktop.store import work_triggers  # they name the columns

    work_triggers.drop(op.get_bind())
    op.execute("DROP INDEX IF EXISTS ix_work_index_end")
    for name in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE work_index DROP COLUMN {name}")
    op.execute(_OLD_END)
