"""Head-office tables (SQLAlchemy Core; the same on SQLite and PostgreSQL).

`change` is the log of every change a device sent that was stored (applied or rejected): its
(device_id, device_seq) key makes device sequences gap-free and answers seq_conflict, its
(device_id, change_id) key answers duplicate, and `server_seq` (applied rows only) is the paged
pull feed. `state` is the materialised current row per entity, so a fresh counter can be served a
snapshot; `ord` gives each state row a stable, dense position for snapshot pages.
"""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

device = Table(
    "device", metadata,
    Column("id", String(36), primary_key=True),
    Column("branch", Text, nullable=False),
    Column("counter", Text, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("batch_key", String(64), nullable=False),
    Column("enrolled_at", Text, nullable=False),
    Column("revoked_at", Text),
    Column("next_seq", BigInteger, nullable=False, default=1),  # the device_seq expected next
    Column("last_push_at", Text),
    Column("last_pull_at", Text),
    Column("applied_count", BigInteger, nullable=False, default=0),
    Column("rejected_count", BigInteger, nullable=False, default=0),
    Column("deferred_count", Integer, nullable=False, default=0),  # held back in its last push
    Column("clock_ahead_ms", BigInteger),  # how far ahead its clock was at the last deferred:clock
    Column("clock_warned_at", Text),
    Column("audit_seq", BigInteger),  # the counter's audit chain head: an anchor a truncation cannot match
    Column("audit_hash", Text),
    Column("audit_at", Text),
    # Set once, when a push reports a chain head behind the anchor (a lower seq, or the same seq
    # with another hash): "<when> reported #<seq>, anchor #<seq>". The anchor is not moved back.
    Column("audit_alarm", Text),
)

enroll_code = Table(
    "enroll_code", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("branch", Text, nullable=False),
    Column("created_at", Text, nullable=False),
    Column("expires_at", Text, nullable=False),
    Column("used_at", Text),
    Column("device_id", String(36)),
)

change = Table(
    "change", metadata,
    Column("device_id", String(36), primary_key=True),
    Column("device_seq", BigInteger, primary_key=True),
    Column("change_id", String(36), nullable=False),
    Column("entity", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("op", Text, nullable=False),
    Column("payload", Text),  # JSON (ASCII-escaped); NULL once pruned past the retention
    Column("hlc", Text, nullable=False),
    Column("result", Text, nullable=False),
    Column("server_seq", BigInteger, unique=True),  # applied changes only: the pull feed
    Column("received_ms", BigInteger, nullable=False),
    UniqueConstraint("device_id", "change_id", name="uq_change_device_change_id"),
)
Index("ix_change_received_ms", change.c.received_ms)  # pruning by age
Index("ix_change_change_id", change.c.change_id)  # a duplicate sent under another device id

state = Table(
    "state", metadata,
    Column("entity", String(16), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("ord", BigInteger, nullable=False, unique=True),
    Column("payload", Text, nullable=False),
    Column("hlc", Text, nullable=False),
    Column("field_hlc", Text),  # customers: JSON {field: stamp} for last-writer-wins per field
    Column("ident", Text),  # vehicles and terms: the convergence identity (JSON)
    Column("deleted", Boolean, nullable=False, default=False),
    Column("updated_seq", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)
Index("ix_state_ident", state.c.entity, state.c.ident)

alias = Table(
    "alias", metadata,
    Column("entity", String(16), primary_key=True),
    Column("alias_id", String(36), primary_key=True),
    Column("canonical_id", String(36), nullable=False),
)

batch_applied = Table(
    "batch_applied", metadata,
    Column("device_id", String(36), primary_key=True),
    Column("n", BigInteger, primary_key=True),
    Column("digest", String(64), nullable=False),
    Column("applied_at", Text, nullable=False),
)

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text),
)
