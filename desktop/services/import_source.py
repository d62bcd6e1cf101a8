"""Where an import's records come from: this process for a small file, a child process for a large one.

desktop.io.parse_process reads a large sheet in a child process (the parse overlaps the writes and
stays off this process's GIL); a small one is read here, where starting an interpreter would cost
more than the parse. Either way the caller gets the same header facts, the same records in sheet
order and the same refusals (BadInput with the readers' Chinese message).
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from desktop.io import parse_process
from desktop.io.headers import HeaderError
from desktop.io.parse_process import Head
from desktop.io.reading import read_import
from desktop.io.table_reader import SheetError

from .errors import BadInput

Remembered = Callable[[str], dict[str, str] | None]


class Cancelled(Exception):
    pass


def _open(path: Path, sheet: str | None, overrides: dict[str, str] | None):
    try:
        return read_import(path, sheet, overrides)
    except (SheetError, HeaderError) as exc:
        raise BadInput(exc.message) from None


class _HereSource:
    """The sheet read in this process, streaming."""

    def __init__(self, path: Path, sheet: str | None, overrides: dict[str, str] | None,
                 remembered: Remembered | None):
        self._reading = _open(path, sheet, overrides)
        self.head = Head.of(self._reading)
        if not overrides and remembered is not None:
            saved = remembered(self.head.signature)
            if saved:
                self._reading.close()
                self._reading = _open(path, sheet, saved)
                self.head = Head.of(self._reading)

    def rows(self) -> Iterator:
        try:
            yield from self._reading.records()
        except SheetError as exc:  # a large .xlsx is read as it streams: damage can show mid-file
            raise BadInput(exc.message) from None

    def close(self) -> None:
        self._reading.close()


class _ChildSource:
    """The sheet read by a child process (parse_process.SheetInChild)."""

    def __init__(self, path: Path, sheet: str | None, overrides: dict[str, str] | None,
                 remembered: Remembered | None):
        self._child = parse_process.SheetInChild(path, sheet, overrides, remembered)
        self.head = self._child.head

    def rows(self) -> Iterator:
        return self._child.records()

    def close(self) -> None:
        self._child.close()


SheetSource = _HereSource | _ChildSource


def open_source(path: Path, sheet: str | None = None, overrides: dict[str, str] | None = None,
                remembered: Remembered | None = None, child_min_bytes: int | None = None) -> SheetSource:
    """The sheet's header facts now (`.head`), its records from `records(source)`; `close()` it after."""
    path = Path(path)
    if not path.exists():
        raise BadInput(f"找不到文件 {path}。")
    limit = parse_process.CHILD_MIN_BYTES if child_min_bytes is None else child_min_bytes
    cls = _ChildSource if path.stat().st_size >= limit else _HereSource
    return cls(path, sheet, overrides, remembered)


def records(source: SheetSource, cancel: Callable[[], bool] | None = None,
            progress: Callable[[int], None] | None = None, every: int = 2000) -> Iterator:
    """Every record in sheet order; Cancelled as soon as `cancel()` says so."""
    n = 0
    for rec in source.rows():
        if cancel and cancel():
            raise Cancelled()
        n += 1
        if progress and n % every == 0:
            progress(n)
        yield rec
