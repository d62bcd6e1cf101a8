"""The task runner: every database call and every slow file/network call runs off the GUI thread.

Lanes (DESIGN §5):
- ``db``: ONE thread for all database work. The store's engine keeps one SQLite connection per
  thread (SingletonThreadPool), so the lane is a QThreadPool with maxThreadCount 1 whose thread
  never expires: every query and write runs on the same thread and the same connection.
- ``io``: a small pool for Excel, files and the network.
- ``read``: ONE thread for long reads nobody is waiting on keystroke by keystroke (the 今日工作
  counts, seconds on a million vehicles). Its own long-lived connection reads a WAL snapshot
  (DEFERRED: no lock), so a search on the db lane never queues behind it.
- ``batch``: ONE thread for the window's import, written in steps of one transaction each on its
  own connection: a search on the db lane reads the WAL snapshot beside it instead of queuing
  behind a step. Before each transaction the import waits for the db lane to be idle (``queued``,
  ``unsettled``), so the counter's own writes get the write lock between two steps.

A task is a plain callable ``fn(progress, cancel)``: ``progress(done, total)`` reports, and
``cancel()`` says whether the caller gave up. Results and errors come back to the GUI thread
through the signals of ONE relay object; the runner keeps every in-flight task alive until its
result is delivered. A task cancelled before it starts is taken off the queue and never runs.
"""
from __future__ import annotations

import gc
import itertools
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]
TaskFn = Callable[[Progress, Cancel], Any]

DB, IO, READ, BATCH = "db", "io", "read", "batch"


class Cancelled(Exception):
    """A task may raise this when it sees cancel(); it is dropped silently."""


@dataclass
class TaskHandle:
    id: int
    lane: str
    on_done: Callable[[Any], None] | None = None
    on_error: Callable[[BaseException], None] | None = None
    on_progress: Callable[[int, int], None] | None = None
    _cancel: threading.Event = field(default_factory=threading.Event)
    done: bool = False

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()


class _Relay(QObject):
    # The ONE place results, errors and progress cross from worker threads to the GUI thread.
    finished = Signal(int, object)
    failed = Signal(int, object)
    progressed = Signal(int, int, int)
    skipped = Signal(int)


class _Job(QRunnable):
    def __init__(self, handle: TaskHandle, fn: TaskFn, relay: _Relay, started: Callable[[str], None]):
        super().__init__()
        self.setAutoDelete(False)  # the runner owns it until the result is delivered
        self.handle, self.fn, self.relay, self.started = handle, fn, relay, started

    def release(self) -> None:
        """Once its result is delivered (or it was taken off the queue): PySide hands a started
        QRunnable to C++ and, autoDelete being off, its Python object lives on for good; what it
        holds (the task's function and the handle's callbacks, a widget's bound methods among
        them) must not live on with it."""
        self.handle = self.fn = self.started = None

    def run(self) -> None:
        h = self.handle
        self.started(h.lane)
        if h.cancelled:
            self.relay.skipped.emit(h.id)
            return

        def progress(done: int, total: int) -> None:
            self.relay.progressed.emit(h.id, int(done), int(total))

        try:
            result = self.fn(progress, h._cancel.is_set)
        except Cancelled:
            self.relay.skipped.emit(h.id)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, none kills the lane
            self.relay.failed.emit(h.id, exc)
        else:
            self.relay.finished.emit(h.id, result)


class TaskRunner(QObject):
    """Runs tasks on the db and io lanes; callbacks run on the GUI thread."""

    error = Signal(object)  # a failure whose submitter gave no on_error
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, io_threads: int = 2):
        super().__init__(parent)
        self._pools = {lane: QThreadPool(self) for lane in (DB, IO, READ, BATCH)}
        for lane in (DB, READ, BATCH):
            self._pools[lane].setMaxThreadCount(1)
            self._pools[lane].setExpiryTimeout(-1)  # the same thread, hence the same connection, for good
        self._pools[IO].setMaxThreadCount(max(1, io_threads))
        self._relay = _Relay()
        self._relay.finished.connect(self._on_finished)
        self._relay.failed.connect(self._on_failed)
        self._relay.progressed.connect(self._on_progress)
        self._relay.skipped.connect(self._on_skipped)
        self._ids = itertools.count(1)
        self._inflight: dict[int, tuple[TaskHandle, _Job]] = {}
        # Per lane, tasks submitted and not yet started, and tasks whose result is not yet
        # delivered (queued, running or waiting for the GUI thread): read by a long task on a lane
        # thread to give way (the window's import), written by the GUI thread and the lane threads.
        self._queued = dict.fromkeys(self._pools, 0)
        self._unsettled = dict.fromkeys(self._pools, 0)
        self._queued_lock = threading.Lock()
        self._closed = False

    # -- submitting --------------------------------------------------------------------------
    def submit(self, lane: str, fn: TaskFn, on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[BaseException], None] | None = None,
               on_progress: Callable[[int, int], None] | None = None) -> TaskHandle:
        if self._closed:
            raise RuntimeError("task runner is shut down")
        h = TaskHandle(next(self._ids), lane, on_done, on_error, on_progress)
        job = _Job(h, fn, self._relay, self._started)
        was_idle = not self._inflight
        self._inflight[h.id] = (h, job)
        self._count_queued(lane, 1)
        self._count(self._unsettled, lane, 1)
        self._pools[lane].start(job)
        if was_idle:
            self.busy_changed.emit(True)
        return h

    def db(self, fn: TaskFn, on_done=None, on_error=None, on_progress=None) -> TaskHandle:
        return self.submit(DB, fn, on_done, on_error, on_progress)

    def io(self, fn: TaskFn, on_done=None, on_error=None, on_progress=None) -> TaskHandle:
        return self.submit(IO, fn, on_done, on_error, on_progress)

    def read(self, fn: TaskFn, on_done=None, on_error=None, on_progress=None) -> TaskHandle:
        """A long read-only task (it must not write): beside the db lane, never ahead of a search."""
        return self.submit(READ, fn, on_done, on_error, on_progress)

    def batch(self, fn: TaskFn, on_done=None, on_error=None, on_progress=None) -> TaskHandle:
        """A step of a long batch of writes (the window's import): beside the db lane, giving way
        to it (see the module docstring)."""
        return self.submit(BATCH, fn, on_done, on_error, on_progress)

    def background(self, fn: TaskFn, on_done=None, on_error=None) -> TaskHandle:
        """Low-priority work nobody waits for (the integrity check after log-in): on the I/O pool,
        so the database lane stays free for the counter, at the lowest thread priority."""
        def low(progress: Progress, cancel: Cancel):
            thread = QThread.currentThread()
            before = thread.priority()
            if before == QThread.Priority.InheritPriority:  # not a priority one can set back
                before = QThread.Priority.NormalPriority
            thread.setPriority(QThread.Priority.LowestPriority)
            try:
                return fn(progress, cancel)
            finally:
                thread.setPriority(before)

        return self.submit(IO, low, on_done, on_error)

    def cancel(self, handle: TaskHandle | None) -> None:
        """Cancel; a task still queued is taken off the queue and never runs."""
        if handle is None or handle.done:
            return
        handle.cancel()
        entry = self._inflight.get(handle.id)
        if entry and self._pools[handle.lane].tryTake(entry[1]):
            self._count_queued(handle.lane, -1)
            self._settle(self._finish(handle.id))

    # -- state -------------------------------------------------------------------------------
    @property
    def pending(self) -> int:
        return len(self._inflight)

    def queued(self, lane: str) -> int:
        """Tasks waiting for `lane` (submitted, not started): safe to call from any thread. A long
        task on that lane that polls it can end early so that they run (a search typed meanwhile)."""
        with self._queued_lock:
            return self._queued[lane]

    def unsettled(self, lane: str) -> int:
        """Tasks of `lane` whose result is not yet delivered on the GUI thread (queued, running, or
        done and waiting for the GUI thread to take the result): safe to call from any thread."""
        with self._queued_lock:
            return self._unsettled[lane]

    def _count(self, counts: dict[str, int], lane: str, delta: int) -> None:
        with self._queued_lock:
            counts[lane] += delta

    def _count_queued(self, lane: str, delta: int) -> None:
        self._count(self._queued, lane, delta)

    def _settle(self, h: TaskHandle | None) -> None:
        if h is not None:
            self._count(self._unsettled, h.lane, -1)

    def _started(self, lane: str) -> None:  # on the lane's thread, as a job begins
        self._count_queued(lane, -1)

    def wait_idle(self, msecs: int = 30000) -> bool:
        """Block until both lanes are empty (tests, shutdown); results are delivered later by the
        event loop."""
        return all(p.waitForDone(msecs) for p in self._pools.values())

    def shutdown(self, msecs: int = 10000) -> None:
        """On quit: cancel everything, take queued jobs off, wait for the running ones."""
        self._closed = True
        self.drain(msecs)

    def drain(self, msecs: int = 10000) -> None:
        """Before the store closes (log-out, restore, quit): cancel everything, take queued jobs
        off and wait for the running ones, so no lane thread opens a connection while the engine
        is disposed. The runner stays usable for the next session."""
        for h, job in list(self._inflight.values()):
            h.cancel()
            if self._pools[h.lane].tryTake(job):
                self._count_queued(h.lane, -1)
                self._settle(self._finish(h.id))
        for p in self._pools.values():
            p.waitForDone(msecs)

    # -- delivery (GUI thread) ---------------------------------------------------------------
    def _finish(self, task_id: int) -> TaskHandle | None:
        entry = self._inflight.pop(task_id, None)
        if entry is None:
            return None
        entry[1].release()  # the job's run() has emitted its last signal, or never started
        entry[0].done = True
        if not self._inflight:
            self.busy_changed.emit(False)
        return entry[0]

    def _on_finished(self, task_id: int, result: object) -> None:
        h = self._finish(task_id)
        try:
            if h is not None and not h.cancelled and h.on_done is not None:
                h.on_done(result)
        finally:
            self._settle(h)  # after the callback: drawing a search's result is part of answering it

    def _on_failed(self, task_id: int, exc: object) -> None:
        h = self._finish(task_id)
        try:
            self._report(h, exc)
        finally:
            self._settle(h)

    def _report(self, h: TaskHandle | None, exc: object) -> None:
        if h is None or h.cancelled:
            return
        exc = _for_screen(exc)
        if h.on_error is not None:
            h.on_error(exc)  # type: ignore[arg-type]
        else:
            if not hasattr(exc, "message"):  # the type only: a message may quote personal data
                log.error("task failed: %s", type(exc).__name__)
            self.error.emit(exc)

    def _on_progress(self, task_id: int, done: int, total: int) -> None:
        entry = self._inflight.get(task_id)
        if entry and entry[0].on_progress and not entry[0].cancelled:
            entry[0].on_progress(done, total)

    def _on_skipped(self, task_id: int) -> None:
        self._settle(self._finish(task_id))


def freeze_startup_heap() -> None:
    """Call once the window is built. Python's oldest-generation collection walks every object
    alive (Qt wrappers, SQLAlchemy, pypinyin's dictionaries: ~10^6 objects) and stalls whichever
    thread triggers it, holding the GIL: a 100-190 ms freeze of the search box every few seconds
    of typing (bench/search_typing.py, profiled with gc.callbacks). Collect once now, then move
    the survivors out of the collector's reach (gc.freeze): later collections see only new objects."""
    gc.collect()
    gc.freeze()


class UnexpectedError(Exception):
    """What a widget receives instead of a library's exception: a Chinese sentence with the
    reference of the masked traceback in the log (never the library's own text, which may hold
    personal data or SQL)."""

    def __init__(self, message: str, ref: str):
        super().__init__(message)
        self.message, self.ref = message, ref


def _for_screen(exc: object) -> object:
    """Our own errors (desktop.*) carry a message meant for the screen and pass as they are;
    anything else is logged with a reference (desktop.logs masks it) and replaced."""
    if not isinstance(exc, BaseException) or type(exc).__module__.startswith("desktop."):
        return exc
    from . import crash

    ref = crash.handle(type(exc), exc, exc.__traceback__, show=False)
    wrapped = UnexpectedError(crash.user_message(exc, ref), ref)
    wrapped.__cause__ = exc
    return wrapped
