"""Tables of DESIGN §2. Primary keys are UUIDv7 strings made where the record is born; customer,
vehicle, policy_term, event, search_key and letter_log keep them as 16-byte BLOBs
(desktop.store.uuidcol: str in Python, bytes at rest; migration 0009).

Times are ISO-8601 text in UTC+8 ("2026-12-01T00:00:00+08:00"): one fixed offset keeps text
order equal to time order, so indexes on start/end serve range queries. policy_term's instants
are that text in Python and epoch seconds at rest (desktop.store.timecol, migration 0012).
Repositories read and write through these tables with Core statements and hand out dataclasses.
"""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, PrimaryKeyConstraint, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .sourcecol import TermSource
from .timecol import IsoTime
from .uuidcol import UuidBlob


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customer"
    id: Mapped[str] = mapped_column(UuidBlob, primary_key=True)
    name: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    id_number: Mapped[str | None] = mapped_column(Text)  # sensitive: masked everywhere unless revealed
    address: Mapped[str | None] = mapped_column(Text)
    consent_contact: Mapped[int] = mapped_column(Integer, default=1)
    consent_mail: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str | None] = mapped_column(Text)
    hlc: Mapped[str | None] = mapped_column(Text)  # last-writer-wins stamp of the contact fields
    updated_at: Mapped[str | None] = mapped_column(IsoTime)  # epoch seconds at rest (migration 0014)
    deleted: Mapped[int] = mapped_column(Integer, default=0)  # tombstone, never a hard delete
    __table_args__ = (Index("ix_customer_id_number", "id_number"), Index("ix_customer_name_phone", "name", "phone"),
                      {"sqlite_with_rowid": False})


class Vehicle(Base):
    __tablename__ = "vehicle"
    id: Mapped[str] = mapped_column(UuidBlob, primary_key=True)
    plate: Mapped[str | None] = mapped_column(Text)
    vin: Mapped[str | None] = mapped_column(Text, index=True)
    vehicle_class: Mapped[str | None] = mapped_column(Text)
    use: Mapped[str | None] = mapped_column(Text)
    seats: Mapped[int | None] = mapped_column(Integer)
    energy: Mapped[str | None] = mapped_column(Text)
    registered_on: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[str | None] = mapped_column(UuidBlob, ForeignKey("customer.id"), index=True)
    created_at: Mapped[str | None] = mapped_column(IsoTime)  # epoch seconds at rest (migration 0014)
    deleted: Mapped[int] = mapped_column(Integer, default=0)
    # Without a rowid the primary-key lookup lands on the row itself: one page read (and one
    # SQLCipher page decryption) fewer per vehicle shown.
    # Live vehicles' plates: lookups find plates here (no P search keys, migration 0014) and import
    # matching asks for live vehicles only.
    __table_args__ = (Index("ix_vehicle_plate", "plate", sqlite_where=text("deleted = 0")),
                      {"sqlite_with_rowid": False})


class PolicyTerm(Base):
    __tablename__ = "policy_term"
    id: Mapped[str] = mapped_column(UuidBlob, primary_key=True)
    vehicle_id: Mapped[str] = mapped_column(UuidBlob, ForeignKey("vehicle.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(2))  # CI 交强险 | BI 商业险
    insurer: Mapped[str | None] = mapped_column(Text)
    policy_no: Mapped[str | None] = mapped_column(Text)
    # Epoch seconds at rest, the ISO text above in Python (desktop.store.timecol, migration 0012).
    start_at: Mapped[str] = mapped_column(IsoTime)
    end_at: Mapped[str] = mapped_column(IsoTime)
    premium: Mapped[str | None] = mapped_column(Text)  # Decimal as text
    float_coef: Mapped[str | None] = mapped_column(Text)
    vehicle_tax: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(TermSource)  # counter | import:<batch> (17 bytes at rest, 0015) | hq
    as_of: Mapped[str] = mapped_column(IsoTime)
    verified_by: Mapped[str | None] = mapped_column(Text)
    # (No created_at: it was always a copy of as_of, 25 bytes a term.)
    # Clustered by vehicle: all terms of a vehicle sit together in the primary-key B-tree, so a
    # vehicle's terms cost one page read, not an index probe plus a row fetch per term.
    __table_args__ = (PrimaryKeyConstraint("vehicle_id", "id", name="pk_policy_term"),
                      Index("ix_policy_term_id", "id", unique=True),
                      # The monthly report's per-vehicle order of 交强险 terms (migration 0017); due
                      # lists read it whole for their ends (0020 dropped 0011's end_at index).
                      Index("ix_policy_term_ci_vehicle", "vehicle_id", "start_at", "end_at",
                            sqlite_where=text("kind = 'CI'")),
                      {"sqlite_with_rowid": False})


class Event(Base):
    """Append-only: a correction is a new event naming the one it corrects."""

    __tablename__ = "event"
    id: Mapped[str] = mapped_column(UuidBlob, primary_key=True)
    vehicle_id: Mapped[str | None] = mapped_column(UuidBlob, ForeignKey("vehicle.id"))
    kind: Mapped[str] = mapped_column(Text)  # outcome | visit | slip_printed | letter_printed | letter_returned
    outcome: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON
    note: Mapped[str | None] = mapped_column(Text)
    staff: Mapped[str | None] = mapped_column(Text)
    at: Mapped[str] = mapped_column(Text)
    corrects: Mapped[str | None] = mapped_column(UuidBlob)
    __table_args__ = (Index("ix_event_vehicle_at", "vehicle_id", "at"), Index("ix_event_kind_at", "kind", "at"),
                      # A vehicle's renewal events in one seek, without visiting the rows (work tabs).
                      Index("ix_event_facts", "vehicle_id", "kind", "outcome", "at", sqlite_where=text(
                          "kind IN ('contact', 'contact_stop', 'contact_close', 'assign', 'loss_confirmed', 'outcome')")))


class WorkIndex(Base):
    """Each vehicle's latest-ending valid 交强险 term and how its work-list rows are decided; kept
    by triggers (migration 0010; times as epoch seconds since 0013), read by desktop.store.work_repo.
    Never written by code."""

    __tablename__ = "work_index"
    vehicle_id: Mapped[str] = mapped_column(UuidBlob, primary_key=True)
    ci_end_at: Mapped[str | None] = mapped_column(IsoTime)
    ci_start_at: Mapped[str | None] = mapped_column(IsoTime)
    contactable: Mapped[int | None] = mapped_column(Integer)  # not deleted and the owner consents
    tier: Mapped[int | None] = mapped_column(Integer)  # 0 no renewal event, 1 decided in SQL, 2/3 by the Python engine
    # the event summary (0016, desktop.store.work_triggers): UTC+8 day numbers of the latest fact and
    # closing fact, 停止联系 ever, the latest assignment's assignee and time
    fact_dn: Mapped[int | None] = mapped_column(Integer)
    closing_dn: Mapped[int | None] = mapped_column(Integer)
    stopped: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    assignee: Mapped[str | None] = mapped_column(Text)  # declared without a type by 0016 (json_extract's value as is)
    assign_at: Mapped[str | None] = mapped_column(Text)
    reached_day: Mapped[str | None] = mapped_column(Text)  # the plan's R, L and last contact (work_facts)
    l_key: Mapped[str | None] = mapped_column(Text)
    v_key: Mapped[str | None] = mapped_column(Text)
    __table_args__ = (Index("ix_work_index_end", "contactable", "tier", "ci_end_at", "ci_start_at",
                            "stopped", "closing_dn", "fact_dn", "assignee", "reached_day", "l_key", "v_key"),
                      Index("ix_work_index_start", "ci_start_at"),
                      # the few vehicles the Python engine decides (the tabs' python_candidates)
                      Index("ix_work_index_python", "tier", "ci_end_at", sqlite_where=text("coalesce(tier, 3) >= 2")),
                      {"sqlite_with_rowid": False})


class SearchKey(Base):
    """Every way a vehicle can be found: a one-character kind then the value ("P京A12345", "45678",
    "YZS"; desktop.core.search_keys): one index serves all kinds."""

    __tablename__ = "search_key"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    vehicle_id: Mapped[str] = mapped_column(UuidBlob, primary_key=True)
    # No index by vehicle_id (it doubled the table): a vehicle's keys are derived again from its
    # rows to delete them (desktop.store.search_index).
    __table_args__ = ({"sqlite_with_rowid": False},)


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    role: Mapped[str] = mapped_column(Text)  # clerk | supervisor | admin
    pw_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[int] = mapped_column(Integer, default=1)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[str | None] = mapped_column(Text)


class Audit(Base):
    __tablename__ = "audit"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(Text)
    staff: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    target: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(Text)
    hash: Mapped[str] = mapped_column(Text)


class Outbox(Base):
    __tablename__ = "outbox"
    change_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    device_seq: Mapped[int] = mapped_column(Integer, unique=True)
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str | None] = mapped_column(String(36), index=True)  # sync_apply finds own stamps by it
    op: Mapped[str] = mapped_column(Text)
    payload: Mapped[str] = mapped_column(Text)
    hlc: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(Text, default="pending")  # pending | sent | rejected:<why>
    # The oldest pending change, for every push, without scanning every change ever made.
    __table_args__ = (Index("ix_outbox_pending", "device_seq", sqlite_where=text("state = 'pending'")),)


class SyncState(Base):
    __tablename__ = "sync_state"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class ImportBatch(Base):
    __tablename__ = "import_batch"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    file: Mapped[str] = mapped_column(Text)
    sheet: Mapped[str | None] = mapped_column(Text)
    signature: Mapped[str | None] = mapped_column(Text)
    staff: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[str] = mapped_column(Text)
    finished_at: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)  # JSON counts


class HeaderMapping(Base):
    __tablename__ = "header_mapping"
    signature: Mapped[str] = mapped_column(Text, primary_key=True)
    mapping: Mapped[str] = mapped_column(Text)  # JSON {header: field}
    confirmed_by: Mapped[str | None] = mapped_column(Text)


class LetterLog(Base):
    __tablename__ = "letter_log"
    id: Mapped[str] = mapped_column(UuidBlob, primary_key=True)
    vehicle_id: Mapped[str] = mapped_column(UuidBlob, ForeignKey("vehicle.id"), index=True)
    batch: Mapped[str | None] = mapped_column(Text)
    printed_at: Mapped[str] = mapped_column(Text)
    staff: Mapped[str | None] = mapped_column(Text)
    ci_end_date: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[str | None] = mapped_column(Text)
    return_reason: Mapped[str | None] = mapped_column(Text)


class Setting(Base):
    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(Text, primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)


class SyncStamp(Base):
    """HLC stamp per received field ("*" = the whole row, "~deleted" = tombstone) (desktop.store.sync_apply)."""

    __tablename__ = "sync_stamp"
    entity: Mapped[str] = mapped_column(Text)
    entity_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(Text)
    hlc: Mapped[str] = mapped_column(Text)
    __table_args__ = (PrimaryKeyConstraint("entity", "entity_id", "field", name="pk_sync_stamp"),
                      {"sqlite_with_rowid": False})


class SyncAlias(Base):
    """A vehicle or term id that names the same row as a smaller (canonical) id."""

    __tablename__ = "sync_alias"
    entity: Mapped[str] = mapped_column(Text)
    alias_id: Mapped[str] = mapped_column(String(36), index=True)
    canonical_id: Mapped[str] = mapped_column(String(36))
    __table_args__ = (PrimaryKeyConstraint("entity", "alias_id", name="pk_sync_alias"),
                      {"sqlite_with_rowid": False})


class SyncParked(Base):
    """A pulled change waiting for its parent row."""

    __tablename__ = "sync_parked"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    server_seq: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(Text)
