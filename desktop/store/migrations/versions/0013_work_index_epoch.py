"""work_index times as INTEGER epoch seconds (declared ISOTIME), end_day dropped, and an index of the
vehicles only the Python engine decides

ci_end_at / ci_start_at were 25-character ISO texts in the table and again in both indexes
(~110 B a vehicle of the store's ~1,660); as epoch seconds they take 4 bytes each, like
policy_term's since 0012 (desktop.store.timecol: the driver hands back the same ISO text).
end_day (the last covered day, 10 more characters in the table and the covering index) is
(ci_end_at − 1 s) as a UTC+8 day: desktop.store.work_repo computes it as an integer day number,
which also makes "days left" integer arithmetic instead of two julianday() calls a row.
ix_work_index_end now leads with the tier after contactable: the tabs count the vehicles without
renewal events (tier 0, most of a store) per day and read the few with events (tier 1) by a seek,
instead of evaluating every row of the range. ix_work_index_python holds the few vehicles the
Python engine decides (tier 2/3): the tabs found them by walking every contactable vehicle.

The table is only rebuilt empty here: desktop.store.migrate installs the triggers again after the
steps, with a full refresh from policy_term, vehicle, customer and event.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ISO = "'%Y-%m-%dT%H:%M:%S+08:00'"


def _drop_indexes() -> None:
    for name in ("ix_work_index_end", "ix_work_index_start", "ix_work_index_python"):
        op.execute(f"DROP INDEX IF EXISTS {name}")


def upgrade() -> None:
    _drop_indexes()
    op.execute("DROP TABLE work_index")
    op.execute("CREATE TABLE work_index (vehicle_id UUIDBLOB NOT NULL, ci_end_at ISOTIME, ci_start_at ISOTIME, "
               "contactable INTEGER, tier INTEGER, PRIMARY KEY (vehicle_id)) WITHOUT ROWID")
    op.execute("CREATE INDEX ix_work_index_end ON work_index (contactable, tier, ci_end_at, ci_start_at)")
    op.execute("CREATE INDEX ix_work_index_start ON work_index (ci_start_at)")
    op.execute("CREATE INDEX ix_work_index_python ON work_index (tier, ci_end_at) WHERE coalesce(tier, 3) >= 2")


def _text(c: str) -> str:
    return f"CASE WHEN typeof({c}) = 'integer' THEN strftime({_ISO}, {c}, 'unixepoch', '+8 hours') ELSE {c} END"


def downgrade() -> None:
    from desktop.store import work_triggers  # they name work_index: gone before the rebuild

    work_triggers.drop(op.get_bind())
    _drop_indexes()
    op.execute("CREATE TABLE work_index__old (vehicle_id UUIDBLOB NOT NULL, ci_end_at TEXT, ci_start_at TEXT, "
               "end_day TEXT, contactable INTEGER, tier INTEGER, PRIMARY KEY (vehicle_id)) WITHOUT ROWID")
    e, s = _text("ci_end_at"), _text("ci_start_at")
    op.execute(f"INSERT INTO work_index__old SELECT vehicle_id, {e}, {s}, "
               f"CASE WHEN ci_end_at IS NOT NULL THEN date(substr({e}, 1, 19), '-1 seconds') END, contactable, tier "
               "FROM work_index")
    op.execute("DROP TABLE work_index")
    op.execute("ALTER TABLE work_index__old RENAME TO work_index")
    op.execute("CREATE INDEX ix_work_index_end ON work_index (contactable, ci_end_at, ci_start_at, tier, end_day)")
    op.execute("CREATE INDEX ix_work_index_start ON work_index (ci_start_at)")
