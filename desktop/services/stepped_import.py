"""The window's import (issue 10 item 5): the matching and writes of importer.commit_import, one
transaction per `step()`, holding the write lock only while a step is written: the counter's
searches read beside it (WAL) and its writes take the lock between two steps. The file is parsed before, on the I/O pool
(`importer.prepare_import`), never under the lock.

A step is sized by time: as many rows as the steps so far wrote in `budget_s`, commit included
(the commit writes every index page the rows touched, most of a small step's cost). The store's
per-connection settings that suit a batch (a bounded page cache, a wider WAL checkpoint interval)
are set once for the whole job and put back when it ends: set and reset around every step, the
cache was emptied each time and every step read its index pages again (~2x the CLI's time).

The price is the batch's atomicity: a stopped import keeps the steps already committed. `stop()`
records them as a batch (audit entry marked stopped), and importing the same file again adds
only the rest (identity matching makes the repeated rows duplicates). A dry run steps the same
way with read-only transactions and one DryLedger that remembers its 'writes' across steps.
All steps and stop() must run on one thread (the window's batch lane): the job keeps settings on
that thread's connection and puts them back there.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core.ids import new_id
from desktop.core.timeutil import CST
from desktop.io.rows import RejectedRow
from desktop.store import audit, import_ledger
from desktop.store.import_ledger import DryLedger, StoreLedger
from desktop.store.records import iso

from .auth import StaffSession, require
from .importer import (
    CHUNK,
    IMPORT_CACHE_KIB,
    ImportReport,
    PreparedImport,
    _count,
    _finish_batch,
    _RowImporter,
)

STEP_ROWS = 50  # the fewest rows a timed step writes, and the first step's size (before any is timed)
# WAL pages between two automatic checkpoints while the job runs (SQLite's default is 1000). A step
# of ~100 rows dirties ~1,000 index pages, so at the default every commit also copied its pages
# into the database file and synced it; at 8,192 (32 MiB) that happens every few steps, and a page
# written by several steps is copied once. The job's end checkpoints what is left.
CHECKPOINT_PAGES = 8192


class SteppedImport:
    def __init__(self, engine: Engine, session: StaffSession, prepared: PreparedImport, dry_run: bool = False,
                 at: datetime | None = None, on_rejected: Callable[[RejectedRow], None] | None = None,
                 chunk: int | None = None):
        require(session, "supervisor")
        self.engine, self.session, self.prepared, self.dry_run = engine, session, prepared, dry_run
        self.now = at or datetime.now(CST)
        self.batch = new_id()
        # The job takes the records over (prepared.records is left empty) and lets go of each one
        # once written: a 10⁵-row sheet's objects are freed a step at a time on the database lane,
        # not all at once on whichever thread drops the last reference (the GUI thread, a stall).
        self.records = prepared.records if isinstance(prepared.records, list) else list(prepared.records)
        prepared.records = []
        self.total = len(self.records)
        self.report = ImportReport.of(prepared.head, dry_run, self.batch)
        self.on_rejected, self.chunk = on_rejected, chunk or CHUNK
        self.done = 0          # records consumed
        self.steps = 0         # transactions committed (or, in a dry run, rolled back)
        self.finished = False  # the batch is recorded (or the dry run complete)
        self.stopped = False   # stop() recorded the steps done before the end of the sheet
        self._dry: DryLedger | None = None
        self._rate: float | None = None  # rows a second of the steps so far, commit included
        self._tuned: tuple | None = None  # (connection, its cache_size, its wal_autocheckpoint)
        self._synchronous = 2  # the connection's own level (FULL), put back after each relaxed step

    def step_rows(self, budget_s: float | None) -> int:
        """How many rows the next step takes: `chunk` untimed; timed, what fits in the budget at the
        rate measured so far (at least STEP_ROWS, at most `chunk`)."""
        if budget_s is None:
            return self.chunk
        if self._rate is None:
            return STEP_ROWS
        return max(STEP_ROWS, min(self.chunk, int(self._rate * budget_s)))

    def step(self, budget_s: float | None = None) -> bool:
        """Match and write the next rows in their own transaction; True once the batch is complete
        (the last transaction also records the batch and its audit entry). With `budget_s`, the step
        takes about that long, commit included (a search typed meanwhile waits at most about that
        long); without it, one chunk of `chunk` rows."""
        if self.finished:
            return True
        size = self.step_rows(budget_s)
        started = time.perf_counter()
        try:
            with self._transaction(durable=self.done + size >= self.total) as db:
                if self.dry_run:
                    if self._dry is None:
                        self._dry = DryLedger(db, f"import:{self.batch}", iso(self.now), self.session.name, self.now)
                    # This step's connection: the pool may have replaced the thread's connection since.
                    self._dry.db = db
                    ledger = self._dry
                else:  # a fresh ledger per transaction: its outbox sequence is read under this step's lock
                    ledger = StoreLedger(db, f"import:{self.batch}", iso(self.now), self.session.name, self.now)
                importer = _RowImporter(ledger)
                start = self.done
                part = self.records[start:start + size]
                ledger.prefetch([r for r in part if not isinstance(r, RejectedRow)])
                for rec in part:
                    _count(self.report, importer, rec, self.on_rejected)
                ledger.flush() if self.dry_run else ledger.finish()
                self.done += len(part)
                self.records[start:self.done] = [None] * len(part)
                del part
                last = self.done >= self.total
                if last and not self.dry_run:
                    _finish_batch(db, self.report, self.batch, self.prepared.head.signature, self.session,
                                  self.now, self.prepared.overrides)
        except BaseException:
            self.close()
            raise
        self.steps += 1
        rate = (self.done - start) / max(time.perf_counter() - started, 1e-4)
        # Smoothed: one step slowed by a checkpoint or another process must not halve the next.
        self._rate = rate if self._rate is None else (self._rate + rate) / 2
        self.finished = last
        if last:
            self.close()
        return last

    def stop(self) -> ImportReport | None:
        """Give up after the steps already done: they are recorded as a stopped batch (with its
        audit entry). None when nothing was written (a dry run, or no step done yet)."""
        if self.finished or self.dry_run or self.done == 0:
            self.close()
            return None
        try:
            with self._transaction() as db:
                summary = {k: v for k, v in self.report.to_json().items() if k in ("rows", "imported", "updated",
                                                                                    "duplicates")}
                summary.update(rejected=len(self.report.rejected), stopped=True, of_rows=self.total)
                name = Path(self.report.file).name
                import_ledger.record_batch(db, self.batch, name, self.report.sheet, self.prepared.head.signature,
                                           self.session.name, iso(self.now), iso(datetime.now(CST)), summary)
                audit.append_raw(db, "import", self.session.name, name, {"batch": self.batch, **summary})
        finally:
            self.close()
        self.finished = self.stopped = True
        return self.report

    def close(self) -> None:
        """Put the connection's settings back and checkpoint what the job left in the WAL (else the
        next small write on this connection would copy it all). On the lane's thread; idempotent."""
        if self._tuned is None:
            return
        db, cache_size, checkpoint = self._tuned
        self._tuned = None
        try:
            db.execute(f"PRAGMA cache_size = {int(cache_size)}")
            db.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint)}")
            if not self.dry_run and not db.in_transaction:
                db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except Exception:  # noqa: BLE001 - a connection the pool closed since has nothing to put back
            pass

    def _tune(self, db) -> None:
        if self._tuned is not None and self._tuned[0] is db:
            return
        self.close()  # the pool gave this thread another connection: the old one gets its settings back
        (cache_size,) = db.execute("PRAGMA cache_size").fetchone()  # < 0: KiB, > 0: pages
        (checkpoint,) = db.execute("PRAGMA wal_autocheckpoint").fetchone()
        (self._synchronous,) = db.execute("PRAGMA synchronous").fetchone()  # the store's: FULL (2)
        self._tuned = (db, cache_size, checkpoint)
        if cache_size > 0 or -cache_size > IMPORT_CACHE_KIB:
            db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        if not self.dry_run and 0 < checkpoint < CHECKPOINT_PAGES:
            db.execute(f"PRAGMA wal_autocheckpoint = {CHECKPOINT_PAGES}")

    @contextmanager
    def _transaction(self, durable: bool = True):
        """One step's transaction. Not `durable`: committed without syncing the WAL (synchronous =
        NORMAL, ~20 ms a step on this machine's disk). A power cut may then lose the latest such
        steps, never corrupt the store, and loses nothing anyone was told is stored: the batch is
        recorded only by the closing step, committed with FULL, whose sync covers every WAL frame
        before it; the counter's own writes between two steps run with FULL as always."""
        raw = self.engine.raw_connection()
        db = raw.driver_connection
        try:
            self._tune(db)
            relaxed = not durable and not self.dry_run
            if relaxed:
                db.execute("PRAGMA synchronous = NORMAL")
            try:
                db.execute("BEGIN" if self.dry_run else "BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("ROLLBACK" if self.dry_run else "COMMIT")
            finally:
                if relaxed:
                    db.execute(f"PRAGMA synchronous = {self._synchronous}")
        finally:
            raw.close()
