"""Excel/CSV reading and writing. Uses desktop.core only (no store, services or Qt)."""

from desktop.io.headers import ColumnInfo, HeaderError, HeaderInfo, detect_header, header_signature
from desktop.io.reading import ImportReading, read_import
from desktop.io.rows import CustomerRec, ParsedRow, RejectedRow, RowParser, RowWarning, TermRec, VehicleRec
from desktop.io.table_reader import SheetError, Table, open_table
from desktop.io.xlsx_writer import write_reject_report, write_sheet

__all__ = ["ColumnInfo", "CustomerRec", "HeaderError", "HeaderInfo", "ImportReading", "ParsedRow", "RejectedRow",
           "RowParser", "RowWarning", "SheetError", "Table", "TermRec", "VehicleRec", "detect_header",
           "header_signature", "open_table", "read_import", "write_reject_report", "write_sheet"]
