"""A streaming .xlsx reader for large exports: constant memory in the number of rows.

python-calamine builds the whole sheet in memory (~700 MB for 1,000,000 rows) and openpyxl's
read-only mode keeps every shared string as a Python object; a large insurer export holds millions
of unique plates, VINs, names and phones. Here the sheet XML is parsed with iterparse, one <row> at
a time, and the shared strings sit in one UTF-8 bytearray plus an offset array, decoded only when a
cell is read. Values are returned exactly as python-calamine returns them (floats for numbers, a
``date``/``datetime``/``time``/``timedelta`` for date-formatted numbers, errors empty), so the
layers above see the same values whichever reader ran.

Rows are Excel's (1-based); columns 0-based. Raises BadXlsx for anything unreadable.
"""

from __future__ import annotations

import math
import posixpath
import re
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import ParseError, iterparse

STREAM_MIN_BYTES = 12 << 20  # .xlsx files larger than this are streamed (tests set 0 to force it)

_DATETIME, _DURATION = "D", "T"
_EXCEL_EPOCH = datetime(1899, 12, 30)
_DAY_MS = 86_400_000
_1904_SHIFT = 1462.0  # days between the 1900 and 1904 date systems
_BUILTIN_DATES = {**dict.fromkeys((*range(14, 23), 45, 47), _DATETIME), 46: _DURATION}
_REL_ID = re.compile(r"^\{[^}]*\}id$")
# One <mergeCell ref="A1:B2"/> (any namespace prefix); such an element is far below _MERGE_SPAN bytes.
_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\s[^>]*?\bref="([A-Za-z]+)(\d+)(?::([A-Za-z]+)(\d+))?"')
_MERGE_SPAN = 512
# Excel writes characters XML cannot hold (a CR, control characters) as _xHHHH_ in string text.
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_CHUNK = 1 << 20


class BadXlsx(ValueError):
    """Not a readable .xlsx package (missing parts, broken zip or XML)."""


def _ns(tag: str) -> str:
    return tag[: tag.index("}") + 1] if tag.startswith("{") else ""


def _local(tag: str) -> str:
    return tag[tag.index("}") + 1:] if tag.startswith("{") else tag


def _col_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def number_format_kind(code: str) -> str | None:
    """calamine's rule (formats.rs) for a custom number format: datetime, duration or neither.
    Only the first section counts; quoted text, escaped characters and [colour] blocks are skipped."""
    escaped = quoted = ampm = hms = False
    brackets = 0
    prev = " "
    for s in code:
        if escaped:
            escaped = False
        elif s in "_\\*":
            escaped = True
        elif quoted:
            quoted = s != '"'
        elif s == '"':
            quoted = True
        elif s == ";":
            return None
        elif s == "[":
            brackets += 1
        elif s == "]" and brackets == 1 and hms:
            return _DURATION
        elif s == "]":
            brackets = max(0, brackets - 1)
        elif s in "aA" and not ampm and brackets == 0:
            ampm = True
        elif ampm and brackets == 0 and s in "pmPM/":
            return _DATETIME
        elif not ampm and brackets == 0 and s in "dmhysDMHYS":
            return _DATETIME
        elif not (hms and s.lower() == prev.lower()):
            hms = prev == "[" and s in "mhsMHS"
        prev = s
    return None


def serial_value(serial: float, kind: str, is_1904: bool) -> Any:
    """A date-formatted number as python-calamine returns it (calamine ExcelDateTime, ms precision):
    under 1 a ``time``, a whole day a ``date``, else a ``datetime``; [h]:mm formats a ``timedelta``."""
    if kind == _DURATION:
        return timedelta(milliseconds=math.floor(serial * _DAY_MS + 0.5))
    f = serial + _1904_SHIFT if is_1904 else serial
    if f < 60:  # Excel's fictitious 1900-02-29: serials before it are one day early
        f += 1.0
    ms = f * _DAY_MS
    try:
        at = _EXCEL_EPOCH + timedelta(milliseconds=math.floor(ms + 0.5) if ms >= 0 else -math.floor(-ms + 0.5))
    except OverflowError:
        return serial
    if serial < 1:
        return at.time()
    return at.date() if serial.is_integer() else at


class SharedStrings:
    """The shared-string table as one UTF-8 buffer and end offsets: ~1 byte per ASCII character
    plus 4 per string, instead of a ~60-byte Python str each."""

    def __init__(self) -> None:
        self._buf = bytearray()
        self._ends = array("I")

    def append(self, s: str) -> None:
        self._buf += s.encode("utf-8")
        if len(self._buf) > 0xFFFFFFFF and self._ends.typecode == "I":
            self._ends = array("Q", self._ends)
        self._ends.append(len(self._buf))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> str:
        ends = self._ends
        start = ends[i - 1] if i > 0 else 0
        return str(memoryview(self._buf)[start:ends[i]], "utf-8")


def _text_of(el: Any, t_tag: str, r_tag: str) -> str:
    """<si>/<is> text: its <t>, or its rich-text runs' <t>; phonetic <rPh> guides are not text."""
    if len(el) == 1 and el[0].tag == t_tag:
        parts = [el[0].text or ""]
    else:
        parts = []
        for ch in el:
            if ch.tag == t_tag:
                parts.append(ch.text or "")
            elif ch.tag == r_tag:
                parts.extend(t.text or "" for t in ch if t.tag == t_tag)
    text = "".join(parts)
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _iso_value(text: str) -> Any:
    """A t="d" cell (ISO 8601 text, written by a few non-Excel tools) as calamine reads it."""
    try:
        if "T" in text or " " in text.strip():
            return datetime.fromisoformat(text.strip())
        if ":" in text:
            return time.fromisoformat(text.strip())
        return date.fromisoformat(text.strip())
    except ValueError:
        return text.strip() or None


def _stream(f: Any) -> Iterator[tuple[str, Any, Any]]:
    """(event, element, root) from iterparse. Start events are needed only to catch the root so the
    caller can drop finished elements from it (cleared elements left in place would still cost
    ~80 bytes each)."""
    root = None
    for ev, el in iterparse(f, events=("start", "end")):
        if root is None:
            root = el
        yield ev, el, root


class XlsxBook:
    """The package: sheet list, styles and date system; shared strings loaded on first use."""

    def __init__(self, path: str | Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
            self._read_workbook()
            self.formats = self._read_styles()
        except (zipfile.BadZipFile, KeyError, ParseError, OSError, ValueError, zlib.error, EOFError) as e:
            self.close()
            raise BadXlsx(str(e)) from None
        self._strings: SharedStrings | None = None

    def close(self) -> None:
        z = getattr(self, "zip", None)
        if z is not None:
            z.close()

    def _xml(self, name: str) -> Any:
        from xml.etree.ElementTree import fromstring

        return fromstring(self.zip.read(name))

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type suffix, zip path) for the part ``part``."""
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.zip.NameToInfo:
            return {}
        out = {}
        for rel in self._xml(rels_name):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], path)
        return out

    def _read_workbook(self) -> None:
        root_rels = self._rels("")
        wb_part = next((p for t, p in root_rels.values() if t == "officeDocument"), "xl/workbook.xml")
        wb = self._xml(wb_part)
        ns = _ns(wb.tag)
        pr = wb.find(f"{ns}workbookPr")
        self.is_1904 = pr is not None and pr.get("date1904", "0").lower() in ("1", "true")
        rels = self._rels(wb_part)
        self.sheets: list[tuple[str, str | None, bool]] = []  # name, zip path of a worksheet, visible
        for sh in wb.iter(f"{ns}sheet"):
            rid = next((v for k, v in sh.attrib.items() if _REL_ID.match(k)), None)
            typ, path = rels.get(rid or "", ("", ""))
            self.sheets.append((sh.get("name", ""), path if typ == "worksheet" else None,
                                sh.get("state", "visible") == "visible"))
        by_type = {t: p for t, p in rels.values()}
        self._styles_part = by_type.get("styles")
        self._strings_part = by_type.get("sharedStrings")

    def _read_styles(self) -> list[str | None]:
        """Per cell style (xf) index: datetime, duration or None, decided as calamine does."""
        if not self._styles_part or self._styles_part not in self.zip.NameToInfo:
            return []
        st = self._xml(self._styles_part)
        ns = _ns(st.tag)
        custom = {int(f.get("numFmtId", "-1")): f.get("formatCode", "") for f in st.iter(f"{ns}numFmt")}
        xfs = st.find(f"{ns}cellXfs")
        out: list[str | None] = []
        for xf in (xfs if xfs is not None else ()):
            fid = int(xf.get("numFmtId", "0"))
            out.append(number_format_kind(custom[fid]) if fid in custom else _BUILTIN_DATES.get(fid))
        return out

    @property
    def sheet_names(self) -> list[str]:
        return [n for n, _, _ in self.sheets]

    @property
    def worksheets(self) -> list[str]:
        return [n for n, p, _ in self.sheets if p is not None]

    @property
    def visible_worksheets(self) -> list[str]:
        return [n for n, p, vis in self.sheets if p is not None and vis]

    def strings(self) -> SharedStrings:
        if self._strings is None:
            sst = SharedStrings()
            if self._strings_part and self._strings_part in self.zip.NameToInfo:
                with self.zip.open(self._strings_part) as f:
                    si_tag = t_tag = r_tag = ""
                    for ev, el, root in _stream(f):
                        if ev == "start":
                            if el is root:
                                ns = _ns(el.tag)
                                si_tag, t_tag, r_tag = f"{ns}si", f"{ns}t", f"{ns}r"
                        elif el.tag == si_tag:
                            sst.append(_text_of(el, t_tag, r_tag))
                            root.clear()
            self._strings = sst
        return self._strings

    def sheet(self, name: str) -> XlsxSheet:
        path = next((p for n, p, _ in self.sheets if n == name), None)
        if path is None or path not in self.zip.NameToInfo:
            raise BadXlsx(f"no worksheet {name!r}")
        return XlsxSheet(self, path)


class XlsxSheet:
    def __init__(self, book: XlsxBook, path: str) -> None:
        self.book, self.path = book, path

    def has_values(self) -> bool:
        """Whether any cell holds a value (calamine's non-empty sheet). Stops at the first one."""
        with self.book.zip.open(self.path) as f:
            for ev, el, root in _stream(f):
                tag = _local(el.tag)
                if ev == "start":
                    if el is root or tag == "sheetData":
                        data = el
                elif (tag == "v" and el.text) or tag == "is":
                    return True
                elif tag == "row":
                    data.clear()
        return False

    def merged_ranges(self) -> list[tuple[int, int, int, int]]:
        """(first_row, first_col, last_row, last_col) of every <mergeCell>. <mergeCells> follows
        <sheetData>, but the header rows need them first: one cheap byte scan of the XML."""
        out = []
        buf = b""
        with self.book.zip.open(self.path) as f:
            while True:
                chunk = f.read(_CHUNK)
                buf += chunk
                cut = len(buf) if not chunk else max(0, len(buf) - _MERGE_SPAN)
                keep = cut
                if b"mergeCell" in buf:
                    for m in _MERGE.finditer(buf):
                        if m.start() >= cut:
                            break
                        c1, r1, c2, r2 = m.groups()
                        c2, r2 = c2 or c1, r2 or r1
                        out.append((int(r1), _col_index(c1.decode()), int(r2), _col_index(c2.decode())))
                        keep = max(keep, m.end())
                if not chunk:
                    return out
                buf = buf[keep:]

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, values) from row 1 to the last <row>; missing rows come as []. Strings are
        stripped and empty cells None, as Table._raw_rows makes calamine's values."""
        book = self.book
        sst, formats, is_1904 = book.strings(), book.formats, book.is_1904
        n_formats = len(formats)
        cols: dict[str, int] = {}
        expected = 1
        with book.zip.open(self.path) as f:
            for ev, el, root in _stream(f):
                if ev == "start":
                    if el is root:
                        ns, sheet_data = _ns(el.tag), el
                        row_tag, sd_tag, v_tag, is_tag = f"{ns}row", f"{ns}sheetData", f"{ns}v", f"{ns}is"
                        t_tag, r_tag = f"{ns}t", f"{ns}r"
                    elif el.tag == sd_tag:
                        sheet_data = el
                    continue
                if el.tag != row_tag:
                    if el.tag == sd_tag:
                        return
                    continue
                r = el.get("r")
                n = int(r) if r else expected
                while expected < n:
                    yield expected, []
                    expected += 1
                values: list[Any] = []
                col = -1
                for c in el:
                    ref = c.get("r")
                    if ref:
                        letters = ref.rstrip("0123456789")
                        col = cols.get(letters)
                        if col is None:
                            col = cols[letters] = _col_index(letters)
                    else:
                        col += 1
                    t = c.get("t")
                    if t == "inlineStr":
                        node = c.find(is_tag)
                        v: Any = None if node is None else (_text_of(node, t_tag, r_tag).strip() or None)
                    else:
                        node = c.find(v_tag)
                        text = None if node is None else node.text
                        if not text:
                            continue
                        if t == "s":
                            v = sst[int(text)].strip() or None
                        elif t is None or t == "n":
                            try:
                                v = float(text)
                            except ValueError:
                                v = (text.strip() or None) if t is None else None
                            else:
                                s = c.get("s")
                                if s is not None:
                                    i = int(s)
                                    kind = formats[i] if i < n_formats else None
                                    if kind is not None:
                                        v = serial_value(v, kind, is_1904)
                        elif t == "str":
                            v = text.strip() or None
                        elif t == "d":
                            v = _iso_value(text)
                        elif t == "b":
                            v = text != "0"
                        else:  # "e": python-calamine gives errors (#N/A, #DIV/0!) as empty cells
                            continue
                    if v is None:
                        continue
                    if col >= len(values):
                        values.extend([None] * (col + 1 - len(values)))
                    values[col] = v
                yield n, values
                expected = n + 1
                sheet_data.clear()  # the finished row is its only child: memory stays flat
