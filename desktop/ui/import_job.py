"""How the wizard's dry run and import run on the task runner (desktop.ui.steps drives the chain).

The sheet is parsed and validated on the runner's I/O pool (prepare_import, no lock held), then
written on the runner's batch lane in timed steps of one transaction each
(stepped_import.SteppedImport), beside the database lane: a search typed meanwhile reads the store
there without waiting for a step, and the import gives way to the database lane's tasks before
each step. 取消 while parsing stores nothing; later it keeps the steps written, recorded as a batch.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

from desktop.services.auth import StaffSession

from .backend import Backend
from .steps import DB, IO, Stop
from .tasks import BATCH, TaskRunner


def import_chain(runner: TaskRunner, backend: Backend, session: StaffSession, path: Path, sheet: str,
                 overrides: dict[str, str], dry_run: bool, collect):
    """The step chain for StepProgress.start_chain: its result is the finished (or stopped) job."""
    b = backend

    def lane() -> tuple[int, int]:  # the database lane's tasks: waiting, not yet delivered
        return runner.queued(DB), runner.unsettled(DB)

    prepared = yield IO, partial(b.prepare_import, path, sheet, overrides)
    job = b.new_import(session, prepared, dry_run, collect)
    try:
        while not (yield BATCH, partial(b.import_steps, job, lane)):
            pass
    except Stop:
        job = yield BATCH, partial(b.stop_import, job)
        if not job.stopped:  # nothing was written yet
            raise
    return job
