"""The records one data row becomes (desktop.io.rows): a ParsedRow of vehicle, customer and terms
with its warnings, or a RejectedRow with its reason; and the text limits head office takes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any


@dataclass
class VehicleRec:
    plate: str | None
    vin: str | None
    registered: date | None = None
    # 使用性质 / 座位数 when the sheet has them, read as the card's dialog reads them (core.vehicle_use):
    # the rate table's Chinese use, the seats and the class they fix. None: not in this row.
    use: str | None = None
    seats: int | None = None
    vehicle_class: str | None = None


@dataclass
class CustomerRec:
    name: str | None
    phone: str | None
    id_number: str | None
    address: str | None = None


@dataclass
class TermRec:
    kind: str  # "CI" 交强险 | "BI" 商业险
    insurer: str | None
    policy_no: str | None
    start_at: datetime
    end_at: datetime  # exclusive
    premium: Decimal | None = None
    vehicle_tax: Decimal | None = None
    start_inferred: bool = False  # start was empty: end − 1 year (renewal convention)


@dataclass(frozen=True)
class RowWarning:
    row: int
    column: str | None
    message: str


Warning = RowWarning  # the name used in DESIGN/brief; RowWarning avoids shadowing the builtin


@dataclass
class ParsedRow:
    row: int
    vehicle: VehicleRec
    customer: CustomerRec | None
    terms: list[TermRec]
    warnings: list[RowWarning] = field(default_factory=list)
    # The search keys of (plate, vin, name, phone, id_number) as this row gives them, made by the
    # child reader (desktop.io.parse_process) so the writer need not; None: not made.
    search_keys: tuple[tuple, tuple[str, ...]] | None = field(default=None, compare=False, repr=False)


@dataclass
class RejectedRow:
    row: int
    column: str | None  # source header, None when the problem is the row as a whole
    value: str | None  # masked for personal fields
    reason: str
    raw: list[Any] = field(default_factory=list)


# What head office takes at most (desktop.sync.protocol; io may not import sync, a test keeps them
# equal): a longer cell imported here would be rejected at sync (bad_text:…) and never reach head office.
TERM_TEXT_MAX = 200   # insurer, policy number
CUSTOMER_TEXT_MAX = 4000  # name, address
MAX_SHOWN = 60  # a rejected value is echoed in reports and on screen: a pasted essay is cut


def shown_value(value: str | None) -> str | None:
    """A rejected value as the report shows it: at most MAX_SHOWN characters, with its length."""
    if value is None or len(value) <= MAX_SHOWN:
        return value
    return f"{value[:MAX_SHOWN]}…（共 {len(value)} 字）"
