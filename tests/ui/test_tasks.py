"""The task runner: one database thread, results on the GUI thread, cancel, stale results dropped."""
from __future__ import annotations

import gc
import threading
import time
import weakref

from PySide6.QtCore import QThread

from desktop.ui.search_panel import SearchPanel
from desktop.ui.tasks import TaskRunner, UnexpectedError
from tests.ui.conftest import type_keys


def test_db_lane_is_one_thread_and_results_arrive_on_gui_thread(runner, qtbot):
    seen, delivered_on = [], []
    for _ in range(6):
        runner.db(lambda p, c: threading.get_ident(),
                  on_done=lambda r: (seen.append(r), delivered_on.append(QThread.currentThread())))
    qtbot.waitUntil(lambda: len(seen) == 6)
    assert len(set(seen)) == 1 and seen[0] != threading.get_ident()
    assert all(t is QThread.currentThread() for t in delivered_on)
    assert runner.pending == 0


def test_errors_and_progress_come_back(runner, qtbot):
    errors, progress, unhandled = [], [], []
    runner.error.connect(unhandled.append)

    def work(p, c):
        p(1, 2)
        p(2, 2)
        raise ValueError("boom")

    runner.io(work, on_error=errors.append, on_progress=lambda d, t: progress.append((d, t)))
    runner.db(lambda p, c: 1 / 0)  # no on_error: goes to the runner's error signal
    qtbot.waitUntil(lambda: bool(errors and unhandled))
    # A library's exception reaches widgets as a Chinese sentence with a log reference, never its
    # own text (which may hold personal data or SQL); the original stays its cause.
    assert isinstance(errors[0], UnexpectedError) and isinstance(errors[0].__cause__, ValueError)
    assert "boom" not in errors[0].message and errors[0].ref in errors[0].message
    assert progress == [(1, 2), (2, 2)]
    assert isinstance(unhandled[0].__cause__, ZeroDivisionError)


def test_cancelled_queued_task_never_runs_and_shutdown_waits(qtbot, ui_env):
    r = TaskRunner()
    gate, ran, results = threading.Event(), [], []
    r.db(lambda p, c: gate.wait(5))
    queued = r.db(lambda p, c: ran.append("queued"), on_done=results.append)
    r.cancel(queued)
    assert queued.done  # taken off the queue at once
    gate.set()
    r.wait_idle()
    qtbot.wait(20)
    assert ran == [] and results == []

    started = threading.Event()

    def slow(p, c):
        started.set()
        while not c():  # a cooperative task: stops when told
            time.sleep(0.01)
        ran.append("stopped")

    h = r.io(slow)
    assert started.wait(5)
    r.shutdown()  # cancels and waits: the task has finished when shutdown returns
    assert ran == ["stopped"] and h.cancelled


def test_search_drops_stale_results(runner, qtbot, by_status):
    """A slow query for the first keystrokes finishes AFTER the newer one was typed: never applied."""
    calls, applied = [], []
    old, new = by_status["ACTIVE"][0], by_status["LAPSED"][0]

    def find(query, progress, cancel):
        calls.append(query)
        time.sleep(0.3 if query == "a" else 0.01)
        return [old] if query == "a" else [new]

    panel = SearchPanel(runner, find, coalesce_ms=10)
    qtbot.addWidget(panel)
    panel.model.updated.connect(lambda gen: applied.append(list(panel.model.matches())))
    type_keys(panel.box, "a")
    qtbot.waitUntil(lambda: calls == ["a"])          # the slow query is running
    type_keys(panel.box, "bc")                        # two more keys while it runs
    qtbot.waitUntil(lambda: panel.model.matches() == [new], timeout=5000)
    runner.wait_idle()
    qtbot.wait(50)
    assert applied == [[new]]                       # "a" came back late and was dropped
    assert calls[0] == "a" and calls[-1] == "abc"


def test_coalescing_and_cancel_take_queued_queries_off_the_lane(runner, qtbot):
    gate, calls = threading.Event(), []

    def find(query, progress, cancel):
        calls.append(query)
        return []

    panel = SearchPanel(runner, find, coalesce_ms=5)
    qtbot.addWidget(panel)
    runner.db(lambda p, c: gate.wait(5))              # the lane is busy (a long write, say)
    for ch in "abcd":
        type_keys(panel.box, ch)
        qtbot.wait(20)                                # each keystroke's query gets queued…
    gate.set()
    qtbot.waitUntil(lambda: panel.model.generation == panel.generation and panel._inflight is None)
    assert calls == ["abcd"]                          # …and cancelled off the queue by the next one


def test_a_task_on_a_lane_sees_the_tasks_waiting_behind_it(runner, qtbot):
    """What lets the window's import give way to a search: a long task on the database lane can
    see that another task waits for the lane (queued, not started; cancelled ones do not count)."""
    gate, seen = threading.Event(), []

    def long_task(p, c):
        seen.append(runner.queued("db"))
        gate.wait(5)
        seen.append(runner.queued("db"))
        return True

    first = runner.db(long_task)
    qtbot.waitUntil(lambda: seen == [0])
    second = runner.db(lambda p, c: seen.append("second"))
    stale = runner.db(lambda p, c: seen.append("stale"))
    assert runner.queued("db") == 2 and runner.queued("io") == 0
    runner.cancel(stale)
    assert runner.queued("db") == 1
    gate.set()
    qtbot.waitUntil(lambda: seen == [0, 1, "second"] and first.done and second.done)
    assert runner.queued("db") == 0


def test_every_task_on_a_lane_uses_the_lane_s_one_connection(runner, qtbot, tmp_path):
    """A lane thread is a QThreadPool thread, whose threading.local values are gone after each
    task: the pool opened a new connection (and its page cache) per task and never closed one,
    ~3 MB more memory per search until the counter's PC ran out."""
    from desktop.store.engine import make_engine

    engine = make_engine(tmp_path / "lane.db", b"\x07" * 32)
    conns = []

    def read(p, c):
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1").scalar()
            conn.rollback()
            return conn.connection.driver_connection

    try:
        for _ in range(12):
            runner.db(read, on_done=conns.append)
        qtbot.waitUntil(lambda: len(conns) == 12)
        assert all(c is conns[0] for c in conns)
        assert len(list(engine.pool._all_conns)) == 1  # no connection left open beside it
    finally:
        runner.wait_idle()
        engine.dispose()


def test_a_delivered_task_keeps_nothing_alive(runner, qtbot):
    """The thread pool keeps every started job's Python object: the task's function and the
    callbacks (a widget's bound methods, their arguments) must not stay reachable from it."""
    class Work:
        def __call__(self, p, c):
            return 1

    class Receiver:
        def __init__(self):
            self.got = []

        def take(self, r):
            self.got.append(r)

    work, receiver = Work(), Receiver()
    work_ref, receiver_ref = weakref.ref(work), weakref.ref(receiver)
    h = runner.db(work, on_done=receiver.take)
    got = receiver.got
    qtbot.waitUntil(lambda: got == [1])
    runner.wait_idle()
    del work, receiver, h
    gc.collect()
    assert work_ref() is None and receiver_ref() is None
