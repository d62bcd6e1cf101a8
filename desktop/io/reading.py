"""The importer's entry point: open a file, find its header, stream parsed rows (DESIGN §7)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from desktop.io.headers import HeaderError, HeaderInfo, detect_header, norm
from desktop.io.rows import ParsedRow, RejectedRow, RowParser
from desktop.io.table_reader import HEADER_SCAN_ROWS, SheetError, Table, open_table


@dataclass
class ImportReading:
    file: str
    sheet: str
    header_row: int
    columns: dict[str, str]  # {header: field}, as `import --json` prints it
    layout: str
    header: HeaderInfo
    table: Table

    @property
    def source_headers(self) -> list[str | None]:
        """Display header per column index (for the reject report)."""
        return list(self.header.headers)

    def records(self) -> Iterator[ParsedRow | RejectedRow]:
        """Every data row below the header, in row order, streaming. Empty rows are skipped, and so
        are repeats of the header row (exports that reprint the header on every page)."""
        parser = RowParser(self.header, self.table.kind)
        header_keys = [norm(h) for h in self.header.headers]
        while header_keys and not header_keys[-1]:
            header_keys.pop()
        probe = next((i for i, k in enumerate(header_keys) if k), None)
        # A number, date or flag reads as ASCII text: it can never repeat a header with Chinese in it.
        text_only = probe is not None and not header_keys[probe].isascii()
        for n, values in self.table.iter_rows(start_row=self.header_row + 1):
            # Cheap probe on one cell first: normalising every cell of every row costs ~20 %.
            if (probe is not None and probe < len(values)
                    and (values[probe].__class__ is str or not text_only)
                    and norm(values[probe]) == header_keys[probe]
                    and [norm(v) for v in values] == header_keys):
                continue
            rec = parser.parse(n, values)
            if rec is not None:
                yield rec

    def close(self) -> None:
        self.table.close()


def _later_sheet(path: str | Path, first: Table, overrides: dict[str, str] | None) -> tuple[Table, HeaderInfo] | None:
    """No header on the first sheet (a 说明 or cover sheet before the list): the first later visible
    worksheet that has one; None when none has (the first sheet's refusal stands). Closes ``first``."""
    names = first.visible_sheets or first.sheet_names
    later = names[names.index(first.sheet_name) + 1:] if first.sheet_name in names else []
    first.close()
    for name in later:
        try:
            table = open_table(path, name)
        except SheetError:  # an empty sheet
            continue
        try:
            return table, detect_header(table.head(HEADER_SCAN_ROWS), overrides)
        except HeaderError:
            table.close()
    return None


def read_import(path: str | Path, sheet: str | None = None,
                overrides: dict[str, str] | None = None) -> ImportReading:
    """Raises SheetError (file unreadable) or HeaderError (no header / bad --map), both ValueError
    with a Chinese ``.message``; the CLI turns them into exit 2."""
    table = open_table(path, sheet)
    try:
        info = detect_header(table.head(HEADER_SCAN_ROWS), overrides)
    except HeaderError:
        if sheet is not None:
            table.close()
            raise
        found = _later_sheet(path, table, overrides)
        if found is None:
            raise
        table, info = found
    table.set_header_row(info.header_row)
    return ImportReading(file=table.file, sheet=table.sheet_name, header_row=info.header_row,
                         columns=info.mapping, layout=info.layout, header=info, table=table)
