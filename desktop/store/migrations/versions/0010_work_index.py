"""work_index: each vehicle's latest 交强险 term and whether its work-list rows can be decided in SQL

The work tabs (今日工作) looked at every vehicle with a 交强险 end in the last three years: on a
million-vehicle store nearly every vehicle went through the Python status engine (~50 µs each).
A vehicle is on a tab only while its status is live, and that is decided by its latest-ending
valid 交强险 term alone (desktop.store.work_repo says why). This table keeps that term per
vehicle; desktop.store.work_triggers keeps it exact and is installed (with a full fill) by
desktop.store.migrate after the steps run, so a later table rebuild cannot leave it stale.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

FACT_KINDS = "'contact', 'contact_stop', 'contact_close', 'assign', 'loss_confirmed', 'outcome'"


def upgrade() -> None:
    # vehicle_id as the 16 stored bytes (desktop.store.uuidcol), like vehicle.id it copies.
    op.execute("CREATE TABLE work_index (vehicle_id UUIDBLOB NOT NULL, ci_end_at TEXT, ci_start_at TEXT, "
               "end_day TEXT, contactable INTEGER, tier INTEGER, PRIMARY KEY (vehicle_id)) WITHOUT ROWID")
    # Range scans by latest end; the columns the tab queries read ride along (covering index).
    op.create_index("ix_work_index_end", "work_index", ["contactable", "ci_end_at", "ci_start_at", "tier", "end_day"])
    # The monthly report's 断保回流 candidates: a latest cover that starts after the month began.
    op.create_index("ix_work_index_start", "work_index", ["ci_start_at"])
    # A vehicle's renewal events in one seek, without visiting the event rows (only these kinds).
    op.create_index("ix_event_facts", "event", ["vehicle_id", "kind", "outcome", "at"],
                    sqlite_where=sa.text(f"kind IN ({FACT_KINDS})"))


def downgrade() -> None:
    from desktop.store import work_triggers  # the triggers must go before an older step rebuilds a table

    work_triggers.drop(op.get_bind())
    op.drop_index("ix_event_facts", table_name="event")
    op.drop_index("ix_work_index_start", table_name="work_index")
    op.drop_index("ix_work_index_end", table_name="work_index")
    op.drop_table("work_index")
