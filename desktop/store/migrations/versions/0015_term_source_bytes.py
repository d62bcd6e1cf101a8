"""policy_term.source "import:<batch uuid>" as 17 bytes (declared TERMSOURCE)

Every imported term names its batch: "import:" and a 36-character UUID, 43 bytes a term (~3.3 terms
a vehicle: ~140 B a vehicle in a store filled by imports). A zero byte then the UUID's 16 bytes
take 17 (desktop.store.sourcecol: the driver reads the same text back). Only the canonical form
(lower-case, dashed) is converted, so every value reads back exactly as it was; any other source
(counter, hq, the demo's "import:demo") stays text.
policy_term is rebuilt (copy, drop, rename, indexes) in desktop.store.migrate's one transaction
with foreign keys off; work_index's triggers are dropped first and installed again after.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
import importlib

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_terms = importlib.import_module("desktop.store.migrations.versions.0012_term_times_epoch")

_UUID = "substr(source, 8)"
_CANONICAL = (f"(length(source) = 43 AND substr(source, 1, 7) = 'import:' AND {_UUID} = lower({_UUID}) "
              "AND substr(source, 16, 1) = '-' AND substr(source, 21, 1) = '-' AND substr(source, 26, 1) = '-' "
              f"AND substr(source, 31, 1) = '-' AND length(unhex(replace({_UUID}, '-', ''))) = 16 "
              f"AND length(replace({_UUID}, '-', '')) = 32)")
_TO_BYTES = f"CASE WHEN typeof(source) = 'text' AND {_CANONICAL} THEN CAST(x'00' || unhex(replace({_UUID}, '-', '')) " \
            "AS BLOB) ELSE source END"
_H = "lower(hex(source))"
_TO_TEXT = (f"CASE WHEN typeof(source) = 'blob' AND length(source) = 17 AND substr({_H}, 1, 2) = '00' THEN "
            f"'import:' || substr({_H}, 3, 8) || '-' || substr({_H}, 11, 4) || '-' || substr({_H}, 15, 4) || '-' "
            f"|| substr({_H}, 19, 4) || '-' || substr({_H}, 23, 12) ELSE source END")


def _rebuild(source_type: str, convert: str) -> None:
    from desktop.store import work_triggers  # they name policy_term: gone before the rebuild

    work_triggers.drop(op.get_bind())
    ddl = _terms._ddl("ISOTIME").replace("source TEXT NOT NULL", f"source {source_type} NOT NULL")
    assert f"source {source_type}" in ddl
    cols = _terms._COLS
    exprs = ", ".join(convert if c == "source" else c for c in cols)
    op.execute(f"CREATE TABLE policy_term__new ({ddl}) WITHOUT ROWID")
    op.execute(f"INSERT INTO policy_term__new ({', '.join(cols)}) SELECT {exprs} FROM policy_term "
               "ORDER BY vehicle_id, id")
    op.execute("DROP TABLE policy_term")
    op.execute("ALTER TABLE policy_term__new RENAME TO policy_term")
    for sql in _terms._INDEXES:
        op.execute(sql)


def upgrade() -> None:
    _rebuild("TERMSOURCE", _TO_BYTES)


def downgrade() -> None:
    _rebuild("TEXT", _TO_TEXT)
