"""CSV files as Excel and Chinese DMS tools write them: UTF-8 (with or without BOM), GBK/GB18030,
occasionally UTF-16 ("Unicode 文本"). Read streaming, never the whole file in memory."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator
from pathlib import Path

from charset_normalizer import from_bytes

_CHUNK = 1 << 20
_SAMPLE = 64 * 1024
# Excel users force text in CSV with ="0123": keep the text, drop the formula wrapper.
_FORCED_TEXT = re.compile(r'^="(.*)"$', re.S)

csv.field_size_limit(1 << 24)


class CsvEncodingError(ValueError):
    pass


def _decodes_fully(path: Path, encoding: str) -> bool:
    """Whole-file check in chunks (constant memory): a GBK file often has a UTF-8-valid prefix."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def detect_encoding(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(_SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # UTF-8 first: GB18030 decodes almost any byte soup, so it would also "succeed" on UTF-8.
    for enc in ("utf-8", "gb18030"):
        if _decodes_fully(path, enc):
            return enc
    guess = from_bytes(head).best()
    if guess is not None and _decodes_fully(path, guess.encoding):
        return guess.encoding
    raise CsvEncodingError(path.name)


def _sniff_delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cell(v: str) -> str | None:
    m = _FORCED_TEXT.match(v)
    if m:
        v = m.group(1)
    v = v.strip()
    return v or None


class CsvSource:
    """Rows of a delimited text file: (excel_row_number, [str | None, ...])."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.encoding = detect_encoding(path)
        with path.open("r", encoding=self.encoding, newline="") as f:
            self.delimiter = _sniff_delimiter(f.read(_SAMPLE))

    def iter_rows(self) -> Iterator[tuple[int, list[str | None]]]:
        with self.path.open("r", encoding=self.encoding, newline="") as f:
            reader = csv.reader(f, delimiter=self.delimiter)
            # A quoted cell may hold a line break, so number the records, not the physical lines:
            # that is what Excel shows as the row number when it opens the file.
            for n, rec in enumerate(reader, start=1):
                yield n, [_cell(v) for v in rec]
