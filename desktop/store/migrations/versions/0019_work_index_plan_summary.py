"""work_index keeps what core.cadence.plan reads from a vehicle's case (desktop.store.work_triggers)

0016's summary left the tabs grouping the events of every vehicle with facts in its case or this
week (~30,000 at 1M with the bench's counter events, ~3 events each, their JSON parsed per tab).
Three more columns hold the latest of each sort of fact the plan reads: the last reached day
(reached_day), L, the latest fact that names a date or is reached (l_key), and the last contact
(v_key), each as "time + what it says" (desktop.store.work_facts). The case is a suffix in time,
so each is the case's when dated on or after its start: no setting is stored, and a new term that
moves the case needs no recompute. The tabs then read events only for this week's contact attempts
(the cap). ix_work_index_end covers the columns; the full refresh desktop.store.migrate runs after
every upgrade fills them.

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-02
"""
from alembic import op

revision = "0019"
down_revision = "0016"
branch_labels = None
depends_on = None

_COLUMNS = ("reached_day", "l_key", "v_key")
_OLD_END = ("CREATE INDEX ix_work_index_end ON work_index (contactable, tier, ci_end_at, ci_start_at, "
            "stopped, closing_dn, fact_dn, assignee)")
_NEW_END = ("CREATE INDEX ix_work_index_end ON work_index (contactable, tier, ci_end_at, ci_start_at, "
            "stopped, closing_dn, fact_dn, assignee, reached_day, l_key, v_key)")


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_work_index_end")
    for name in _COLUMNS:
        op.execute(f"ALTER TABLE work_index ADD COLUMN {name} TEXT")
    op.execute(_NEW_END)


def downgrade() -> None:
    from desktop.store import work_triggers  # they name the columns

    work_triggers.drop(op.get_bind())
    op.execute("DROP INDEX IF EXISTS ix_work_index_end")
    for name in reversed(_COLUMNS):
        op.execute(f"ALTER TABLE work_index DROP COLUMN {name}")
    op.execute(_OLD_END)
