"""policy_term start_at / end_at / as_of as INTEGER epoch seconds (declared ISOTIME)

Three 25-character ISO texts a term were ~75 B of its ~182 (3.27 terms a vehicle), and end_at
again in the due index. As epoch seconds they take 4 bytes each (desktop.store.timecol: the
driver hands back the same ISO text). records.iso's shape converts exactly; another offset
becomes the same instant (read back in "+08:00"), a fraction of a second is dropped; only text
naming no instant (the app never wrote one) stays text, and its vehicle stays with the Python
engine (work_index tier 3).
policy_term is rebuilt (copy, drop, rename, indexes) in desktop.store.migrate's one transaction
with foreign keys off; work_index's triggers are installed again after, with a full refresh.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_TIMES = ("start_at", "end_at", "as_of")
_INDEXES = ["CREATE UNIQUE INDEX ix_policy_term_id ON policy_term (id)",
            "CREATE INDEX ix_policy_term_ci_end ON policy_term (end_at) WHERE kind = 'CI'"]
_ISO = "'%Y-%m-%dT%H:%M:%S+08:00'"


def _ddl(t: str) -> str:
    return ("id UUIDBLOB NOT NULL, vehicle_id UUIDBLOB NOT NULL, kind VARCHAR(2) NOT NULL, insurer TEXT, "
            f"policy_no TEXT, start_at {t} NOT NULL, end_at {t} NOT NULL, premium TEXT, float_coef TEXT, "
            f"vehicle_tax TEXT, source TEXT NOT NULL, as_of {t} NOT NULL, verified_by TEXT, "
            "FOREIGN KEY(vehicle_id) REFERENCES vehicle (id), CONSTRAINT pk_policy_term PRIMARY KEY (vehicle_id, id)")


_COLS = ("id", "vehicle_id", "kind", "insurer", "policy_no", "start_at", "end_at", "premium", "float_coef",
         "vehicle_tax", "source", "as_of", "verified_by")


def _to_seconds(c: str) -> str:
    """timecol.stored in SQL: records.iso's shape exactly (the wall time read as UTC, less 8 hours,
    kept when it prints back as the same text); any other ISO time with an offset as the instant
    it names (SQLite applies the offset; %s drops a fraction); bare digits, epoch seconds this
    version bound into the old TEXT column (tests filling an old schema); else the text as is."""
    secs = f"(CAST(strftime('%s', substr({c}, 1, 19)) AS INTEGER) - 28800)"
    offset = (f"(substr({c}, -1) = 'Z' OR (substr({c}, -6, 1) IN ('+', '-') AND substr({c}, -3, 1) = ':'))")
    return (f"CASE WHEN typeof({c}) != 'text' THEN {c} "
            f"WHEN length({c}) = 25 AND substr({c}, 20) = '+08:00' "
            f"AND strftime({_ISO}, {secs}, 'unixepoch', '+8 hours') = {c} THEN {secs} "
            f"WHEN length({c}) >= 16 AND {offset} AND strftime('%s', {c}) IS NOT NULL "
            f"THEN CAST(strftime('%s', {c}) AS INTEGER) "
            f"WHEN {c} <> '' AND ltrim({c}, '-0123456789') = '' AND CAST(CAST({c} AS INTEGER) AS TEXT) = {c} "
            f"THEN CAST({c} AS INTEGER) ELSE {c} END")


def _to_text(c: str) -> str:
    return f"CASE WHEN typeof({c}) = 'integer' THEN strftime({_ISO}, {c}, 'unixepoch', '+8 hours') ELSE {c} END"


def _rebuild(time_type: str, convert) -> None:
    exprs = ", ".join(convert(c) if c in _TIMES else c for c in _COLS)
    op.execute(f"CREATE TABLE policy_term__new ({_ddl(time_type)}) WITHOUT ROWID")
    op.execute(f"INSERT INTO policy_term__new ({', '.join(_COLS)}) SELECT {exprs} FROM policy_term")
    op.execute("DROP TABLE policy_term")
    op.execute("ALTER TABLE policy_term__new RENAME TO policy_term")
    for ddl in _INDEXES:
        op.execute(ddl)


def upgrade() -> None:
    _rebuild("ISOTIME", _to_seconds)


def downgrade() -> None:
    from desktop.store import (
        work_triggers,  # they name policy_term: gone before the rebuild (see work_triggers)
    )

    work_triggers.drop(op.get_bind())
    _rebuild("TEXT", _to_text)
