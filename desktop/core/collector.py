"""Pause Python's cyclic garbage collector while a bulk job makes millions of short-lived objects.

An import of 10⁵ rows makes ~10⁶ records, tuples and dicts while the ledger's maps of the batch
stay alive. Each time enough objects have been allocated the collector runs, and its oldest
generation walks every live object: measured on bench/import.py, 1.5-2.4 s of the import's
~13 s CPU, and 2.4 s of the 2.9 s it takes to unpickle the child reader's records. The records
hold no reference cycles, so reference counting frees them anyway; the collector only finds the
rare cycle, which it still does once the pause ends.

Objects made during a pause and kept after it all sit in the youngest generation, so the first
collection after the pause walks every one of them: a job that keeps 10⁶ records (the window's
prepared import) calls gc.freeze() before its pause ends.

The switch is process-wide and jobs run on several threads (the window's I/O pool and database
lane): pauses nest and count, and the collector comes back as it was when the last one ends.
"""
from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_was_enabled = False


@contextmanager
def paused() -> Iterator[None]:
    """No cyclic collection inside the block (reference counting still frees objects)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
