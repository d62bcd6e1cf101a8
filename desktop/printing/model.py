"""Plain data handed to the document renderers (no Qt here).

Fields hold FULL values; each document masks what it prints itself
(desktop.core.masking), so the rule lives in one place per document.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from desktop.core.errors import BadInput
from desktop.core.status import CoverageStatus

__all__ = ["CounterInfo", "LetterData", "PrintError", "SlipData", "WHAT_TO_BRING"]

# What the owner brings to renew (printed on slips and letters).
WHAT_TO_BRING = "行驶证、身份证/被保险人证件、上年保单"


class PrintError(BadInput, RuntimeError):
    """Printing cannot go ahead (e.g. the printer refuses the paper); Chinese message."""


@dataclass(frozen=True)
class CounterInfo:
    name: str
    phone: str  # the counter's own number: printed in full (not personal data)
    address: str
    hours: str
    org: str = ""  # the store (车行 / 代理公司) the counter belongs to: every print names it

    @property
    def title(self) -> str:
        """"示例车行 1号柜台": the store first, then the counter (one of them when the other is empty)."""
        return "　".join(x for x in ((self.org or "").strip(), (self.name or "").strip()) if x)


@dataclass(frozen=True)
class SlipData:
    plate: str  # full, normalised: the slip is handed to the owner
    status: CoverageStatus
    insurer: str | None
    source: str | None  # counter | import:<batch> | hq
    as_of: datetime | None
    printed_at: datetime
    counter: CounterInfo
    vehicle_tax: str | None = None  # 车船税 (yuan) recorded with the last 交强险: paid with the renewal
    vin: str | None = None  # names the car when it has no plate yet (imported by VIN alone)


@dataclass(frozen=True)
class LetterData:
    addressee_name: str  # full: the address block must be deliverable
    postal_address: str  # full
    plate: str  # full; the letter body masks it
    phone: str | None  # full; the letter body masks it
    status: CoverageStatus
    insurer: str | None
    counter: CounterInfo
    letter_date: date
    # One merged reminder (issue 13 item 5): 车船税 is paid with 交强险; the 年检 date only when it
    # falls due together with the 交强险 (the letter then asks for both in one visit).
    vehicle_tax: str | None = None       # yuan, e.g. "360"
    inspection_due: date | None = None
    inspection_estimate: bool = False    # the 年检 rule is unconfirmed: the date is an estimate
    vehicle_tax_due: bool = False        # 车船税 joins this 交强险 (core.reminders.tax_with_ci), amount known or not
