"""Read and validate a large sheet in a child process, while the caller writes (issue 10 items 5, 7).

Parsing and validating 10⁵ rows is several seconds of pure Python. In the process that writes the
store it takes turns with the writer (the CLI) or holds the GIL against the window's GUI thread
(typing froze ~1 s during an import). A child process does it instead and sends the records in
chunks through a pipe, so reading overlaps writing and the GUI thread only unpickles.

Spawn-safe: the "spawn" start method (the only one on Windows, and the one PyInstaller supports
once the entry point has called multiprocessing.freeze_support()); the child runs a module-level
function of this module, which imports no Qt and no store.

Pipe messages, child → parent: ("head", Head) once the header is found; the parent answers with
the overrides to read with instead (None: keep these), and the child then sends ("head", Head)
again if it re-read, ("rows", [record, …]) per chunk, and ("end", None). A file the readers refuse
is ("error", its Chinese message), anything else ("failed", the exception's type name: an
exception text could hold a cell's value, which is personal data).
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.core.errors import BadInput
from desktop.io.headers import HeaderError, header_signature

# Below this size a file is read in-process: starting an interpreter (~0.3 s) costs more than
# parsing ~10⁴ rows, and small files are what the tests' monkeypatched readers see.
CHILD_MIN_BYTES = 1 << 20
# Records per message. Unpickling one holds the GIL without a break (~8 ms for 500 rows on a
# counter PC): small enough that the window's GUI thread never waits long for it.
CHUNK_ROWS = 500
_AHEAD = 16  # messages received before the caller takes them (bounds the parent's memory)

MSG_CHILD_DIED = ("读取表格的后台进程意外退出（可能内存不足），本次没有导入任何数据：请关闭其他程序后重新导入")


@dataclass(frozen=True)
class Head:
    """What the importer needs to know about the sheet before its rows, however it is read (here or
    by the child): the sources hand it on, PreparedImport keeps it, ImportReport is made from it."""
    file: str
    sheet: str
    header_row: int
    columns: dict[str, str]
    source_headers: list[str | None]
    signature: str

    @classmethod
    def of(cls, reading) -> Head:
        """The head of an opened desktop.io.reading.ImportReading."""
        return cls(reading.file, reading.sheet, reading.header_row, dict(reading.columns), reading.source_headers,
                   header_signature(reading.source_headers))


def _send(conn, kind: str, value) -> None:
    conn.send_bytes(pickle.dumps((kind, value), protocol=pickle.HIGHEST_PROTOCOL))


def _serve(conn, path: str, sheet: str | None, overrides: dict[str, str] | None) -> None:
    """The child: read the sheet, wait for the parent's mapping, stream the records."""
    import gc

    from desktop.io.reading import read_import
    from desktop.io.table_reader import SheetError

    # This process only makes acyclic records and exits when the sheet is read: the cyclic
    # collector's walks over them would be ~15 % of its CPU for nothing (desktop.core.collector).
    gc.disable()
    _stdout_to_stderr()
    reading = None
    try:
        reading = read_import(path, sheet, overrides)
        _send(conn, "head", Head.of(reading))
        other = pickle.loads(conn.recv_bytes())
        if other is not None:  # a mapping remembered for these headers
            reading.close()
            reading = read_import(path, sheet, other)
            _send(conn, "head", Head.of(reading))
        chunk: list = []
        for rec in _with_search_keys(reading.records()):
            chunk.append(rec)
            if len(chunk) >= CHUNK_ROWS:
                _send(conn, "rows", chunk)
                chunk = []
        if chunk:
            _send(conn, "rows", chunk)
        _send(conn, "end", None)
    except (SheetError, HeaderError) as exc:
        _send(conn, "error", exc.message)
    except (BrokenPipeError, EOFError, ConnectionError):
        pass  # the parent went away (cancelled): nothing to tell
    except Exception as exc:  # noqa: BLE001 - reported by type only (no cell values)
        _send(conn, "failed", type(exc).__name__)
    finally:
        if reading is not None:
            reading.close()
        conn.close()


def _stdout_to_stderr() -> None:
    """Anything a reader library prints goes to stderr: the child shares the parent's stdout, which
    for `renewdesk import --json` must hold only the JSON."""
    sys.stdout = sys.stderr
    try:
        os.dup2(2, 1)  # what native code writes to its stdout too
    except OSError:
        pass  # no usable stderr (a windowed app on Windows): nothing is shown either way


def _with_search_keys(records: Iterator) -> Iterator:
    """Each parsed row with the search keys its own identifiers give (ParsedRow.search_keys): the
    writer uses them when the vehicle and owner it stores are exactly these, which for a new car
    is always. Made here, they cost the writer nothing; the rows of one car share one tuple."""
    from desktop.core.search_keys import search_keys_for
    from desktop.io.rows import ParsedRow

    last = None
    for rec in records:
        if rec.__class__ is ParsedRow:
            c = rec.customer
            who = (rec.vehicle.plate, rec.vehicle.vin, c.name if c else None, c.phone if c else None,
                   c.id_number if c else None)
            if last is None or last[0] != who:
                last = (who, tuple(search_keys_for(*who, checked=True)))
            rec.search_keys = last
        yield rec


class SheetInChild:
    """One sheet read by a child process. `head` first, then `records()` (once), then `close()`."""

    def __init__(self, path: Path, sheet: str | None, overrides: dict[str, str] | None,
                 remembered: Callable[[str], dict[str, str] | None] | None = None):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_end = ctx.Pipe(duplex=True)
        self._proc = ctx.Process(target=_serve, args=(child_end, str(path), sheet, overrides), daemon=True,
                                 name="renewdesk-read-sheet")
        self._proc.start()
        child_end.close()  # the child holds its own copy: EOF here once it exits
        self._chunks: queue.Queue = queue.Queue(maxsize=_AHEAD)
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        try:
            self.head = self._expect_head()
            saved = remembered(self.head.signature) if not overrides and remembered is not None else None
            try:
                self._conn.send_bytes(pickle.dumps(saved or None))
            except OSError:  # the child is gone (killed, out of memory)
                raise BadInput(MSG_CHILD_DIED) from None
            if saved:
                self.head = self._expect_head()
        except BaseException:
            self.close()
            raise

    def _message(self):
        try:
            return pickle.loads(self._conn.recv_bytes())
        except (EOFError, OSError):
            return "died", None

    def _expect_head(self) -> Head:
        kind, value = self._message()
        if kind == "head":
            return value
        self._raise(kind, value)
        raise AssertionError(kind)

    @staticmethod
    def _raise(kind: str, value) -> None:
        if kind == "error":
            raise BadInput(value)
        if kind == "failed":
            raise RuntimeError(f"读取表格时出错（{value}）")
        raise BadInput(MSG_CHILD_DIED)

    def _receive(self) -> None:
        """Reader thread: unpickling holds the GIL, but the caller's SQLite statements release it,
        so the next chunk is mostly decoded while the last one is written."""
        while not self._stop.is_set():
            msg = self._message()
            while not self._stop.is_set():
                try:
                    self._chunks.put(msg, timeout=0.2)
                    break
                except queue.Full:
                    continue
            if msg[0] != "rows":
                return

    def records(self) -> Iterator:
        self._reader = threading.Thread(target=self._receive, name="renewdesk-sheet-rows", daemon=True)
        self._reader.start()
        while True:
            kind, value = self._chunks.get()
            if kind == "end":
                return
            if kind != "rows":
                self._raise(kind, value)
            yield from value

    def close(self) -> None:
        """Stop the child if it still runs (cancelled, or the caller failed) and release the pipe."""
        self._stop.set()
        if self._proc.is_alive():
            self._proc.terminate()
        self._proc.join(5)  # its end of the pipe closes with it: the reader thread sees EOF
        if self._reader is not None:
            self._reader.join(5)
        self._conn.close()
