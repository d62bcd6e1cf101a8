"""The oversized-grid guard: would python-calamine's dense grid of an .xlsx worksheet be too large?

Calamine allocates the rectangle from the first to the last used cell, so the cell references are
read from the sheet XML first (desktop.io.table_reader sends such a file to the streaming reader).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path

# Calamine allocates the whole rectangle from the first to the last used cell: one cell at XFD1048576
# beside A1 asks for 512 GiB and aborts the process. Above this many cells the streaming reader
# (constant memory) reads the file instead.
MAX_CALAMINE_CELLS = 20_000_000
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
_SCAN_LIMIT = 256 << 20  # inflated XML scanned at most (a zip bomb is streamed, not scanned)


# Nearly every writer puts the reference first in a plain <c r="A1" ...>: those columns are found by
# a literal-prefix search (about 5x faster than _CELL_REF). A chunk holding any other r="…" attribute
# (a prefixed <x:c>, r after another attribute) is read again with _CELL_REF.
_FAST_COL = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
_ROW_ELEMENT = re.compile(rb'<row r="([0-9]{1,7})"')


def _row_bound(high: int) -> int:
    """The largest number with as many digits as `high` and the same leading digit: 1523 -> 1999."""
    digits = len(str(high))
    return (int(str(high)[0]) + 1) * 10 ** (digits - 1) - 1


def _beyond(bound: int) -> re.Pattern[bytes]:
    """A plain cell reference naming a row past `bound` (a _row_bound: more digits, or as many
    with a larger leading digit)."""
    digits, lead = len(str(bound)), int(str(bound)[0])
    longer = rb"[0-9]{%d,}" % (digits + 1)
    if lead == 9:
        return re.compile(rb'<c r="[A-Z]{1,3}' + longer)
    return re.compile(rb'<c r="[A-Z]{1,3}(?:' + longer + rb'|[%d-9][0-9]{%d}")' % (lead + 1, digits - 1))


@lru_cache(maxsize=64)
def _unseen(known: frozenset[bytes]) -> re.Pattern[bytes]:
    """A plain cell reference whose column is none of `known`."""
    if not known:
        return _FAST_COL
    others = b"|".join(sorted(known))
    return re.compile(rb'<c r="(?!(?:' + others + rb')[0-9])([A-Z]{1,3})[0-9]')


def _new_columns(data: bytes, known: frozenset[bytes]) -> set[bytes]:
    """The columns of the plain cell references in `data` that are not in `known`: a search for a
    column not seen yet, again after each one found (a sheet has a dozen columns and 10⁶ cells:
    collecting every cell's letters was ~40 % of the guard)."""
    found: set[bytes] = set()
    pos = 0
    while (m := _unseen(known | found).search(data, pos)) is not None:
        found.add(m.group(1))
        pos = m.start()
    return found


def _chunk_refs(data: bytes, known: frozenset[bytes] = frozenset()) -> tuple[set[bytes], int | None, int | None]:
    """(column letters, lowest row, highest row) of the cell references in one piece of sheet XML,
    None for no cell; of the columns, only those not in `known` (the earlier chunks'). The rows may be bounds, never narrower than the truth: in the usual plain
    layout the highest is that of the chunk's <row r> elements rounded up (1523 -> 1999) once one
    search finds no cell past it, and the lowest 1. Reading every cell's row number instead was
    ~0.4 s of a 10⁵-row import; a wider guess at most sends a sparse sheet to the streaming reader."""
    cells = data.count(b'<c r="')
    if data.count(b' r="') == cells + data.count(b'<row r="'):  # every reference a plain one
        if not cells:
            return set(), None, None
        cols = _new_columns(data, known)
        rows = _ROW_ELEMENT.findall(data)
        if rows:
            bound = _row_bound(max(map(int, rows)))
            if _beyond(bound).search(data) is None:
                return cols, 1, bound
    refs = _CELL_REF.findall(data)
    if not refs:
        return set(), None, None
    numbers = [int(r) for r in {r for _, r in refs}]
    return {c for c, _ in refs}, min(numbers), max(numbers)


def _grid_too_large(p: Path) -> bool:
    """Would calamine's grid for any worksheet exceed MAX_CALAMINE_CELLS? Reads cell references
    from the sheet XML in chunks; unreadable packages are left to the readers' own errors."""
    try:
        with zipfile.ZipFile(p) as z:
            for info in z.infolist():
                if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                    continue
                low = high = None  # row extremes
                cols: set[bytes] = set()
                seen, tail = 0, b""
                with z.open(info) as fh:
                    while chunk := fh.read(1 << 20):
                        seen += len(chunk)
                        if seen > _SCAN_LIMIT:
                            return True
                        data = tail + chunk
                        got_cols, got_low, got_high = _chunk_refs(data, frozenset(cols))
                        cols |= got_cols
                        if got_low is not None and got_high is not None:
                            low = got_low if low is None else min(low, got_low)
                            high = got_high if high is None else max(high, got_high)
                        tail = data[-256:]
                if low is not None and high is not None and cols:
                    letters = [_col_number(c) for c in cols]
                    if (high - low + 1) * (max(letters) - min(letters) + 1) > MAX_CALAMINE_CELLS:
                        return True
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, KeyError, RuntimeError):
        return False
    return False


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n
