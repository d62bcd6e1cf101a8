"""A batch cut into steps across both lanes (issue 10 item 5), behind one progress bar and 取消.

An import or a batch of letters used to be ONE task on the database lane: the counter's searches
queued behind it for its whole length. Now the file work (parsing a workbook, rendering a PDF)
runs on the I/O pool and the store's work runs on the database lane in short steps, each its own
task, so a search typed meanwhile is answered between two steps.

A chain is a generator run on the GUI thread: it yields ``(lane, fn)`` where ``fn(progress,
cancel)`` is a task, receives that task's result, and returns the batch's result::

    def chain():
        prepared = yield IO, partial(backend.prepare_import, path, sheet, overrides)
        job = backend.new_import(session, prepared, dry_run, rejected.append)
        while not (yield DB, partial(backend.import_step, job)):
            pass
        return job

Cancelling sets the flag every task polls; once the running task has returned (a task that saw
the flag raises Cancelled), ``Stop`` is thrown into the chain: a chain that catches it may yield
more tasks to put things in order (record what was kept) and return; otherwise ``cancelled``
fires, only after the running task stopped, as with BatchProgress.
"""
from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

from .tasks import DB, IO, Cancelled, TaskRunner
from .widgets import BatchProgress

__all__ = ["DB", "IO", "StepProgress", "Stop"]

Chain = Generator[tuple[str, Callable], Any, Any]
_STOPPED = object()  # what a task that saw the cancel flag "returns" to the driver


class Stop(Exception):
    """Thrown into a chain when the clerk pressed 取消 (after the running task returned)."""


class StepProgress(BatchProgress):
    def __init__(self, runner: TaskRunner, parent=None):
        super().__init__(runner, parent)
        self._chain: Chain | None = None
        self._stopping = False
        self._stop_thrown = False

    def start_chain(self, chain: Chain, on_done: Callable[[Any], None],
                    on_error: Callable[[BaseException], None]) -> None:
        self._chain, self._on_done, self._on_error = chain, on_done, on_error
        self._stopping = self._stop_thrown = False
        self.bar.setRange(0, 0)
        self.text.setText("")
        self.cancel_btn.setEnabled(True)
        self.show()
        self._advance(lambda: next(chain))

    def cancel(self) -> None:
        if self.handle is None or self._stopping:
            return
        self._stopping = True
        self.cancel_btn.setEnabled(False)
        self.text.setText(self.tr("Stopping…"))

    # -- driving (GUI thread) ---------------------------------------------------------------------
    def _advance(self, resume: Callable[[], tuple[str, Callable]]) -> None:
        try:
            lane, fn = resume()
        except StopIteration as end:
            self._end()
            self._on_done(end.value)
            return
        except Stop:
            self._end()
            self.cancelled.emit()
            return
        except BaseException as exc:  # noqa: BLE001 - the chain's own failure goes to the dialog
            self._end()
            self._on_error(exc)
            return
        self.handle = self.runner.submit(lane, self._task(fn), on_done=self._delivered, on_error=self._failed,
                                         on_progress=self._progress)

    def _task(self, fn: Callable) -> Callable:
        def task(progress, cancel):
            try:
                return fn(progress, lambda: self._stopping or cancel())
            except Cancelled:
                return _STOPPED
        return task

    def _delivered(self, result: Any) -> None:
        chain = self._chain
        if chain is None:
            return
        if (result is _STOPPED or self._stopping) and not self._stop_thrown:
            self._stop_thrown = True  # once: the chain's clean-up tasks then run to their end
            self._advance(lambda: chain.throw(Stop()))
        elif result is _STOPPED:
            self._advance(lambda: chain.throw(Stop()))
        else:
            self._advance(lambda: chain.send(result))

    def _failed(self, exc: BaseException) -> None:
        chain = self._chain
        self._end()
        if chain is not None:
            chain.close()
        self._on_error(exc)

    def _end(self) -> None:
        self._chain = None
        self._stop()
