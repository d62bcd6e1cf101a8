"""The services the window uses, bound to one open store and a clock.

Each method is a plain function ending in ``progress`` and ``cancel`` so it runs as a task on the
runner's database lane (``runner.db(partial(backend.find, "京A1"), on_done)``); no widget calls
these directly on the GUI thread. Built by the composition root (desktop.ui.main) or a test.
"""
from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from desktop.core import collector
from desktop.core.timeutil import CST
from desktop.services import auth, documents, importer, stepped_import
from desktop.services import export as export_svc
from desktop.services import letters as letters_svc
from desktop.services import lookup as lookup_svc
from desktop.services import record as record_svc
from desktop.services import register as register_svc
from desktop.services import reveal as reveal_svc
from desktop.services import settings as settings_svc
from desktop.services.errors import BadInput
from desktop.services.lookup import LookupMatch

from .tasks import Cancel, Cancelled, Progress

# One import step's time, commit included. Searches do not wait for it (the import writes on the
# batch lane, beside the database lane); a clerk's write does, at most this long. Each step is a
# transaction whose commit writes every index page its rows touched: short steps cost dearly.
IMPORT_STEP_S = 0.4
# The longest the import waits between two steps for the window to take another task's result.
IMPORT_GIVE_WAY_S = 0.25
# While the import runs, a thread waiting for the interpreter (the GUI thread) gets it within 1 ms
# instead of Python's 5 ms: the import's Python work otherwise held it 5 ms at a time against every
# key press and every result drawn.
IMPORT_SWITCH_S = 0.001


def _now() -> datetime:
    return datetime.now(CST)


@dataclass
class Backend:
    engine: Engine
    now: Callable[[], datetime] = _now
    settings: settings_svc.CounterSettings = field(default_factory=settings_svc.CounterSettings)
    resources: documents.Resources = field(default_factory=documents.default_resources)

    # -- staff ----------------------------------------------------------------------------------
    def login(self, name: str, password: str, progress: Progress, cancel: Cancel) -> auth.StaffSession:
        session = auth.login(self.engine, name, password, now=self.now())
        self.settings = settings_svc.load(self.engine)
        return session

    def logout(self, session: auth.StaffSession, progress: Progress, cancel: Cancel) -> None:
        auth.logout(self.engine, session)

    # -- lookup ---------------------------------------------------------------------------------
    def find(self, query: str, progress: Progress, cancel: Cancel) -> list[LookupMatch]:
        if cancel():
            raise Cancelled()
        return lookup_svc.find(self.engine, query, self.now(), self.settings.lead_days)

    def lookup(self, session: auth.StaffSession, query: str, progress: Progress, cancel: Cancel) -> list[LookupMatch]:
        return lookup_svc.lookup(self.engine, session, query, self.now(), self.settings.lead_days)

    def get(self, vehicle_id: str, progress: Progress, cancel: Cancel) -> LookupMatch:
        match = lookup_svc.get(self.engine, vehicle_id, self.now(), self.settings.lead_days)
        if match is None:
            raise BadInput("找不到这辆车（可能已被删除）。")
        return match

    def log_slip(self, session: auth.StaffSession, match: LookupMatch, paper: str, progress: Progress,
                 cancel: Cancel) -> None:
        documents.log_slip(self.engine, session, match.vehicle_id, match.plate, paper)

    # -- writes ---------------------------------------------------------------------------------
    def record(self, session: auth.StaffSession, vehicle_id: str, outcome: str,
               new_term: record_svc.NewTerm | None, note: str | None, corrects: str | None,
               detail: dict | None, progress: Progress, cancel: Cancel, next_date: date | None = None) -> LookupMatch:
        record_svc.record_outcome(self.engine, session, vehicle_id, outcome, new_term=new_term, note=note,
                                  corrects=corrects, detail=detail, now=self.now(), next_date=next_date)
        return self.get(vehicle_id, progress, cancel)

    def reveal(self, session: auth.StaffSession, vehicle_id: str, reason: str, progress: Progress,
               cancel: Cancel) -> reveal_svc.Revealed:
        return reveal_svc.reveal(self.engine, session, vehicle_id, reason)

    def register(self, session: auth.StaffSession, reg: register_svc.NewRegistration, progress: Progress,
                 cancel: Cancel) -> LookupMatch:
        done = register_svc.register(self.engine, session, reg, now=self.now())
        return self.get(done.vehicle_id, progress, cancel)

    # -- batches (letters, import, export) ------------------------------------------------------
    def select_letters(self, due_within: int, include_lapsed: bool, order: str, progress: Progress,
                       cancel: Cancel) -> letters_svc.Selection:
        return letters_svc.select(self.engine, due_within, include_lapsed, order, self.now(),
                                  self.settings.lead_days, cancel)

    def write_letters(self, session: auth.StaffSession, out: Path, due_within: int, include_lapsed: bool,
                      order: str, progress: Progress, cancel: Cancel) -> documents.LettersResult:
        return documents.write_letters(self.engine, session, self.settings, out, due_within, include_lapsed,
                                       order, self.now(), self.resources, progress=progress, cancel=cancel)

    def render_letters(self, session: auth.StaffSession, out: Path, selection: letters_svc.Selection,
                       progress: Progress, cancel: Cancel) -> int:
        """I/O pool: the PDF of a selection made on the database lane; its page count."""
        auth.require(session, "supervisor")
        pages = documents.render_letters(selection, self.settings, out, self.now(), self.resources,
                                         progress=progress, cancel=cancel)
        if pages is None:
            raise Cancelled()
        return pages

    def log_letters(self, session: auth.StaffSession, selection: letters_svc.Selection, pages: int, target: str,
                    progress: Progress, cancel: Cancel) -> str:
        return letters_svc.log_printed(self.engine, session, selection, None, self.now(), pages, target)

    def run_import(self, session: auth.StaffSession, path: Path, sheet: str | None, overrides: dict[str, str] | None,
                   dry_run: bool, on_rejected, progress: Progress, cancel: Cancel) -> importer.ImportReport:
        """The importer on this lane; its own Cancelled (after the rollback) becomes the runner's."""
        try:
            return importer.run_import(self.engine, session, path, dry_run=dry_run, sheet=sheet,
                                       overrides=overrides or None, progress=lambda n: progress(n, 0),
                                       cancel=cancel, on_rejected=on_rejected,
                                       remembered=importer.remembered_mapping(self.engine))
        except importer.Cancelled:
            raise Cancelled() from None

    # The window's import in steps (desktop.ui.steps): parse on the I/O pool, write step by step
    # on the database lane, each step its own short transaction.
    def prepare_import(self, path: Path, sheet: str | None, overrides: dict[str, str] | None, progress: Progress,
                       cancel: Cancel) -> importer.PreparedImport:
        """I/O pool: read and validate the whole sheet, no store and no lock (the wizard's overrides
        already hold a remembered mapping). A large file is parsed by a child process: this thread
        waits on its pipe, so the GUI thread keeps the GIL; the bar counts the rows read."""
        # 10⁵ records are ~10⁶ objects: a collection walks them all, holding the GIL against the
        # GUI thread (desktop.ui.tasks.freeze_startup_heap). None runs while they arrive, and they
        # are moved out of its reach before it runs again: made while it was paused they all sit in
        # the youngest generation, whose first collection after the pause would walk them (a
        # 400 ms stall of the search box, bench/search_typing.py --during import). They hold no
        # reference cycles, so reference counting frees them as the steps let go of them.
        with collector.paused():
            try:
                prepared = importer.prepare_import(path, sheet, overrides or None, cancel=cancel,
                                                   progress=lambda n: progress(n, 0))
            except importer.Cancelled:
                raise Cancelled() from None
            gc.freeze()
        return prepared

    def new_import(self, session: auth.StaffSession, prepared: importer.PreparedImport, dry_run: bool,
                   on_rejected) -> stepped_import.SteppedImport:
        return stepped_import.SteppedImport(self.engine, session, prepared, dry_run, on_rejected=on_rejected)

    def import_step(self, job: stepped_import.SteppedImport, progress: Progress, cancel: Cancel) -> bool:
        """One step (one transaction) of the job; True once the batch is complete."""
        if cancel():
            raise Cancelled()
        done = job.step(budget_s=IMPORT_STEP_S)
        progress(job.done, job.total)
        return done

    def import_steps(self, job: stepped_import.SteppedImport, lane: Callable[[], tuple[int, int]],
                     progress: Progress, cancel: Cancel) -> bool:
        """The runner's batch lane: the job's steps one after another, each its own transaction on
        this lane's connection, while searches run on the database lane beside it (WAL: a reader
        never waits for a writer). `lane()` is the database lane's (tasks waiting, tasks not yet
        delivered to the window); before each step the import waits until both are 0, up to
        IMPORT_GIVE_WAY_S: a clerk's write there takes the write lock between two steps instead of
        waiting on SQLite's busy handler, and a search's result is drawn without the import taking
        turns with the GUI thread for the interpreter. True once the batch is complete."""
        previous = sys.getswitchinterval()
        sys.setswitchinterval(min(previous, IMPORT_SWITCH_S))
        try:
            while True:
                given_until = time.monotonic() + IMPORT_GIVE_WAY_S
                while any(lane()) and time.monotonic() < given_until:
                    if cancel():
                        return False
                    time.sleep(0.002)
                if self.import_step(job, progress, cancel) or cancel():
                    return job.finished
        finally:
            sys.setswitchinterval(previous)

    def stop_import(self, job: stepped_import.SteppedImport, progress: Progress,
                    cancel: Cancel) -> stepped_import.SteppedImport:
        job.stop()
        return job

    def remembered_mapping(self, signature: str, progress: Progress, cancel: Cancel) -> dict[str, str] | None:
        return importer.remembered_mapping(self.engine)(signature)

    def export(self, session: auth.StaffSession, what: str, out: Path, within: int, full: bool,
               progress: Progress, cancel: Cancel) -> int:
        n = export_svc.export_xlsx(self.engine, session, what, out, self.now(), self.settings.lead_days,
                                   within=within, full=full, cancel=cancel)
        if cancel():
            raise Cancelled()
        return n
