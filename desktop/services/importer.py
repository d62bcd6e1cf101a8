"""Import one spreadsheet as one batch (DESIGN §7): every data row counts in exactly one of
rejected, imported, updated, duplicates (that precedence); the batch is atomic.

Identity: a vehicle by VIN, else plate; a term by (vehicle, kind, policy_no), else (vehicle, kind,
start, end); a customer by ID number, else (name, phone). A term overlapping a stored one with
another policy number is imported and listed in warnings for a person to resolve.
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core import collector
from desktop.core.ids import new_id
from desktop.core.timeutil import CST
from desktop.io.parse_process import Head
from desktop.io.rows import ParsedRow, RejectedRow
from desktop.store import audit, import_ledger
from desktop.store.import_ledger import DryLedger, StoreLedger, TermKey, with_changes
from desktop.store.records import CustomerRec, VehicleRec, iso

from .auth import StaffSession, require
from .errors import BadInput
from .import_source import Cancelled, open_source  # noqa: F401 - Cancelled is importer's too
from .import_source import records as source_records

# Page cache while a batch runs. The store keeps a large per-connection cache for look-ups, filled as
# pages are read; a 10⁶-row batch would fill all of it with pages it writes once and never reads
# again, and the import must stay within 400 MB (DESIGN §7). Restored when the batch ends.
IMPORT_CACHE_KIB = 64 * 1024


@dataclass
class ImportReport:
    file: str
    sheet: str
    header_row: int
    columns: dict[str, str]
    rows: int = 0
    imported: int = 0
    updated: int = 0
    duplicates: int = 0
    rejected: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    dry_run: bool = False
    batch: str | None = None
    source_headers: list[str | None] = field(default_factory=list)  # per column, for the reject report

    @classmethod
    def of(cls, head: Head, dry_run: bool, batch: str) -> ImportReport:
        """An empty report on the sheet `head` describes (a dry run records no batch)."""
        return cls(head.file, head.sheet, head.header_row, dict(head.columns), dry_run=dry_run,
                   batch=None if dry_run else batch, source_headers=head.source_headers)

    def to_json(self) -> dict:
        return {"file": self.file, "sheet": self.sheet, "header_row": self.header_row, "columns": self.columns,
                "rows": self.rows, "imported": self.imported, "updated": self.updated,
                "duplicates": self.duplicates, "rejected": self.rejected, "warnings": self.warnings}


def _term_key(t: TermKey) -> tuple:
    return (t.kind, t.policy_no) if t.policy_no else (t.kind, None, t.start_at, t.end_at)


class _RowImporter:
    def __init__(self, ledger: StoreLedger):
        self.ledger = ledger
        self._iso: dict[datetime, str] = {}  # a sheet holds a few hundred distinct dates

    def _text_of(self, at: datetime) -> str:
        text = self._iso.get(at)
        if text is None:
            if len(self._iso) > 4096:
                self._iso.clear()
            text = self._iso[at] = iso(at)
        return text

    def customer(self, rec) -> tuple[str | None, bool, bool]:
        """(customer id, added, changed)"""
        if rec is None or not (rec.id_number or (rec.name and rec.phone)):
            return None, False, False
        led = self.ledger
        found = led.customer_by_id_number(rec.id_number) if rec.id_number else None
        if found is None and rec.name and rec.phone:
            found = led.customer_by_name_phone(rec.name, rec.phone)
            # Same name and phone but another ID number is another person (a family sharing a
            # phone): overwriting the stored ID would flip it back and forth on every import.
            if found is not None and found.id_number and rec.id_number and found.id_number != rec.id_number:
                found = None
        if found is None:
            c = CustomerRec(self.ledger.new_id(), rec.name, rec.phone, rec.id_number, rec.address)
            led.add_customer(c)
            return c.id, True, False
        new, changed = with_changes(found, name=rec.name, phone=rec.phone, id_number=rec.id_number,
                                    address=rec.address)
        if changed:
            led.update_customer(new, changed)
            for v in led.vehicles_of(new.id):
                led.refresh_keys(v)
        return found.id, False, bool(changed)

    def vehicle(self, rec, owner_id: str | None, new_owner: bool) -> tuple[VehicleRec, bool, bool]:
        led = self.ledger
        found = led.vehicle_by_vin(rec.vin) if rec.vin else None
        if found is None and rec.plate:
            by_plate = led.vehicle_by_plate(rec.plate)
            # The same plate on a car with another VIN is another car (plates move between cars).
            if by_plate is not None and (not rec.vin or not by_plate.vin):
                found = by_plate
        reg = rec.registered.isoformat() if rec.registered else None
        if found is None:
            v = VehicleRec(self.ledger.new_id(), rec.plate, rec.vin, owner_id, rec.vehicle_class, rec.use, rec.seats,
                           registered_on=reg)
            led.add_vehicle(v)
            led.refresh_keys(v, new=True)
            return v, True, False
        # The owner moves only to a customer this row brought in (a sale), or onto an ownerless car:
        # otherwise two rows naming different known customers would flip it back and forth and the
        # same file imported twice would "update" every time.
        owner = owner_id if (new_owner or not found.owner_id) else None
        new, changed = with_changes(found, plate=rec.plate, vin=rec.vin, owner_id=owner, registered_on=reg)
        # 使用性质, 座位数 and the class they fix change together, as the card's dialog changes them:
        # a class or seats left over from another use would be wrong.
        if rec.use is not None and (new.use, new.seats, new.vehicle_class) != (rec.use, rec.seats, rec.vehicle_class):
            new = replace(new, use=rec.use, seats=rec.seats, vehicle_class=rec.vehicle_class)
            changed = [*changed, "use"]
        if changed:
            led.update_vehicle(new)
            led.refresh_keys(new)
        return new, False, bool(changed)

    def terms(self, vehicle: VehicleRec, terms, row: int, warnings: list[dict], new: bool = False) -> int:
        if not terms:
            return 0
        if new:  # a vehicle added by this row has none
            stored: list[TermKey] = []
            keys: set[tuple] = set()
        else:
            stored = self.ledger.terms(vehicle.id)
            keys = {_term_key(t) for t in stored} | {(t.kind, None, t.start_at, t.end_at) for t in stored}
        added = 0
        iso_of, text_of = self._iso.get, self._text_of
        for rec in terms:
            kind, policy_no = rec.kind, rec.policy_no
            start, end = iso_of(rec.start_at) or text_of(rec.start_at), iso_of(rec.end_at) or text_of(rec.end_at)
            key = (kind, policy_no) if policy_no else (kind, None, start, end)  # _term_key
            if key in keys:
                if policy_no and any(s.kind == kind and s.policy_no == policy_no and (s.start_at, s.end_at) != (start, end)
                                     for s in stored):
                    # The policy is stored with other dates (a corrected export, an endorsement):
                    # the stored term is kept, and said so rather than passed over as the same.
                    warnings.append({"row": row, "column": None,
                                     "message": f"{'交强险' if kind == 'CI' else '商业险'}保单 {policy_no} 已存在，"
                                                "但起止日期与已存的不同：未改动已存的保单，请人工核对"})
                continue
            t = TermKey(kind, policy_no, start, end)
            clash = stored and policy_no and [s for s in stored if s.kind == kind and s.policy_no and
                                              s.policy_no != policy_no and s.start_at < end and start < s.end_at]
            if clash:
                warnings.append({"row": row, "column": None,
                                 "message": f"{'交强险' if kind == 'CI' else '商业险'}保单 {policy_no} 与已有保单 "
                                            f"{clash[0].policy_no} 日期重叠，已导入，请人工核对"})
            self.ledger.add_term(vehicle.id, t, rec.insurer,
                                 str(rec.premium) if rec.premium is not None else None,
                                 str(rec.vehicle_tax) if rec.vehicle_tax is not None else None)
            stored.append(t)
            keys.add(key)
            added += 1
        return added

    def unidentified_owner(self, vehicle: VehicleRec, rec) -> tuple[VehicleRec, bool, bool]:
        """A row naming an owner without an ID number or a phone: not enough to find that person
        elsewhere in the store, but enough to know who owns THIS car (and where letters go).
        The same name on the car's owner fills in what is missing; another name is a new owner."""
        led = self.ledger
        owner = led.customer(vehicle.owner_id) if vehicle.owner_id else None
        if owner is not None and (not rec.name or owner.name == rec.name):
            new, changed = with_changes(owner, phone=rec.phone, address=rec.address)
            if changed:
                led.update_customer(new, changed)
                led.refresh_keys(vehicle)
            return vehicle, False, bool(changed)
        c = CustomerRec(self.ledger.new_id(), rec.name, rec.phone, None, rec.address)
        led.add_customer(c)
        moved = replace(vehicle, owner_id=c.id)
        led.update_vehicle(moved)
        led.refresh_keys(moved)
        return moved, True, False

    def row(self, rec: ParsedRow, warnings: list[dict]) -> str:
        cid, c_added, c_changed = self.customer(rec.customer)
        vehicle, v_added, v_changed = self.vehicle(rec.vehicle, cid, c_added)
        c = rec.customer
        if cid is None and c is not None and (c.name or c.phone or c.address):
            vehicle, c_added, c_changed = self.unidentified_owner(vehicle, c)
        t_added = self.terms(vehicle, rec.terms, rec.row, warnings, new=v_added)
        if c_added or v_added or t_added:
            return "imported"
        return "updated" if (c_changed or v_changed) else "duplicates"


def parse_map(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        header, sep, fld = item.partition("=")
        if not sep or not header.strip() or not fld.strip():
            raise BadInput(f"--map 应写成 '表头=字段'，例如 '车牌=plate'（收到：{item}）")
        out[header.strip()] = fld.strip()
    return out


_HERE = 1 << 62  # a child_min_bytes no file reaches: read in this process


def two_cores() -> bool:
    """Whether a child reader can parse while this process writes (the command line's choice)."""
    return (os.cpu_count() or 1) >= 2
CHUNK = 2000  # rows matched and written together: big enough for cheap IN queries and executemany
# The one-transaction batch (commit_import: the command line) holds no lock another reader waits
# for between chunks, so its chunks are larger: fewer executemany rounds, and each chunk's sorted
# search keys visit each index page once for 5x as many keys (~10 % less CPU at 10⁵ rows, a few MB).
# The window's SteppedImport keeps CHUNK: its transactions hold the write lock.
BATCH_CHUNK = 10_000


@dataclass
class PreparedImport:
    """A workbook read and validated, not yet stored: what `commit_import` writes.

    `prepare_import` makes one without touching the store (run it on the I/O lane); its records
    are every data row, parsed (ParsedRow) or rejected (RejectedRow), in sheet order; `head` is
    the sheet's file, header row, mapping and signature, as the source read them."""
    head: Head
    records: Iterable[ParsedRow | RejectedRow]
    overrides: dict[str, str] | None = None


def prepare_import(path: Path, sheet: str | None = None, overrides: dict[str, str] | None = None,
                   remembered: Callable[[str], dict[str, str] | None] | None = None,
                   cancel: Callable[[], bool] | None = None,
                   progress: Callable[[int], None] | None = None) -> PreparedImport:
    """Read, parse and validate the whole sheet into memory, outside any transaction (a large
    file in a child process: this thread only waits and unpickles). `progress(rows read)`."""
    source = open_source(Path(path), sheet, overrides, remembered)
    try:
        with collector.paused():
            rows = list(source_records(source, cancel, progress))
    finally:
        source.close()
    return PreparedImport(source.head, rows, overrides)


def run_import(engine: Engine, session: StaffSession, path: Path, dry_run: bool = False,
               sheet: str | None = None, overrides: dict[str, str] | None = None, at: datetime | None = None,
               progress: Callable[[int], None] | None = None, cancel: Callable[[], bool] | None = None,
               on_rejected: Callable[[RejectedRow], None] | None = None,
               remembered: Callable[[str], dict[str, str] | None] | None = None,
               in_process: bool = False) -> ImportReport:
    """Read and store in one pass, streaming (flat memory for a 10⁶-row sheet): the rows are parsed
    as they are written, a large file's by a child process at the same time as this one writes.
    `in_process`: parse here whatever the size (the command line on a one-core machine, where the
    child's pickling of every record and its second interpreter would only add CPU).
    The window uses prepare_import + SteppedImport instead."""
    require(session, "supervisor")
    source = open_source(Path(path), sheet, overrides, remembered, child_min_bytes=_HERE if in_process else None)
    prepared = PreparedImport(source.head, source_records(source, cancel), overrides)
    try:
        return commit_import(engine, session, prepared, dry_run, at, progress, cancel, on_rejected)
    finally:
        source.close()


def _chunked(records: Iterable, n: int) -> Iterable[list]:
    chunk: list = []
    for rec in records:
        chunk.append(rec)
        if len(chunk) >= n:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def commit_import(engine: Engine, session: StaffSession, prepared: PreparedImport, dry_run: bool = False,
                  at: datetime | None = None, progress: Callable[[int], None] | None = None,
                  cancel: Callable[[], bool] | None = None,
                  on_rejected: Callable[[RejectedRow], None] | None = None) -> ImportReport:
    """Match and store prepared rows as one batch: one BEGIN IMMEDIATE transaction holding every
    row, its outbox changes, the batch record and the audit entry (all or nothing)."""
    require(session, "supervisor")
    with collector.paused():  # ~10⁶ acyclic records: the collector's walks cost ~15 % (core.collector)
        return _commit(engine, session, prepared, dry_run, at, progress, cancel, on_rejected)


def _commit(engine: Engine, session: StaffSession, prepared: PreparedImport, dry_run: bool, at: datetime | None,
            progress: Callable[[int], None] | None, cancel: Callable[[], bool] | None,
            on_rejected: Callable[[RejectedRow], None] | None) -> ImportReport:
    now = at or datetime.now(CST)
    batch = new_id()
    report = ImportReport.of(prepared.head, dry_run, batch)
    raw = engine.raw_connection()
    db = raw.driver_connection
    (cache_size,) = db.execute("PRAGMA cache_size").fetchone()  # < 0: KiB, > 0: pages
    try:
        if cache_size > 0 or -cache_size > IMPORT_CACHE_KIB:
            db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        cls = DryLedger if dry_run else StoreLedger
        db.execute("BEGIN" if dry_run else "BEGIN IMMEDIATE")  # a dry run only reads
        try:
            # Made inside the transaction: the outbox's device_seq is read and advanced under its lock.
            ledger = cls(db, f"import:{batch}", iso(now), session.name, now)
            importer = _RowImporter(ledger)
            for chunk in _chunked(prepared.records, BATCH_CHUNK):
                ledger.prefetch([r for r in chunk if not isinstance(r, RejectedRow)])
                for rec in chunk:
                    if cancel and cancel():
                        raise Cancelled()
                    _count(report, importer, rec, on_rejected)
                    if progress and report.rows % 1000 == 0:
                        progress(report.rows)
                ledger.flush()
            if dry_run:
                db.execute("ROLLBACK")
            else:
                ledger.finish()
                _finish_batch(db, report, batch, prepared.head.signature, session, now, prepared.overrides)
                db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    finally:
        db.execute(f"PRAGMA cache_size = {int(cache_size)}")
        raw.close()
    return report


def _count(report: ImportReport, importer: _RowImporter, rec, on_rejected) -> None:
    report.rows += 1
    if isinstance(rec, RejectedRow):
        report.rejected.append({"row": rec.row, "column": rec.column, "value": rec.value, "reason": rec.reason})
        if on_rejected:
            on_rejected(rec)
        return
    report.warnings.extend({"row": w.row, "column": w.column, "message": w.message} for w in rec.warnings)
    outcome = importer.row(rec, report.warnings)
    setattr(report, outcome, getattr(report, outcome) + 1)


def _finish_batch(db, report: ImportReport, batch: str, signature: str, session: StaffSession, now: datetime,
                  overrides: dict[str, str] | None) -> None:
    summary = {k: v for k, v in report.to_json().items() if k in ("rows", "imported", "updated", "duplicates")}
    summary["rejected"] = len(report.rejected)
    import_ledger.record_batch(db, batch, Path(report.file).name, report.sheet, signature, session.name,
                               iso(now), iso(datetime.now(CST)), summary)
    if overrides:
        import_ledger.remember_mapping(db, signature, overrides, session.name)
    # The audit entry joins the batch's own transaction, so a killed import leaves neither.
    audit.append_raw(db, "import", session.name, Path(report.file).name, {"batch": batch, **summary})


def remembered_mapping(engine: Engine) -> Callable[[str], dict[str, str] | None]:
    def lookup(signature: str) -> dict[str, str] | None:
        with engine.connect() as conn:
            saved = import_ledger.remembered_mapping(conn, signature)
            conn.rollback()
        return saved

    return lookup
