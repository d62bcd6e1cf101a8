"""Plain dataclasses the store hands out (never ORM objects), and the time format it stores."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.status import Term
from desktop.core.timeutil import CST

from .timecol import iso_of as timecol_iso


def iso(dt: datetime | None) -> str | None:
    """Stored form of an instant: UTC+8 ISO text, so text order is time order."""
    if dt is None:
        return None
    return dt.astimezone(CST).isoformat(timespec="seconds")


def parse_iso(s: str | None) -> datetime | None:
    if not s:
        return None
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        # Epoch seconds as text: a term instant this code bound (desktop.store.timecol) into a
        # store not yet migrated to 0012, whose TEXT column kept the number as digits.
        if s.lstrip("-").isdigit():
            return datetime.fromisoformat(timecol_iso(int(s)))
        raise


@dataclass(frozen=True)
class CustomerRec:
    id: str
    name: str | None
    phone: str | None
    id_number: str | None
    address: str | None
    consent_contact: bool = True
    consent_mail: bool = True
    notes: str | None = None


@dataclass(frozen=True)
class VehicleRec:
    id: str
    plate: str | None
    vin: str | None
    owner_id: str | None
    vehicle_class: str | None = None
    use: str | None = None
    seats: int | None = None
    energy: str | None = None
    registered_on: str | None = None


@dataclass(frozen=True)
class TermRec:
    """A policy_term row as stored (and sent): instants as UTC+8 ISO text, money as decimal text."""
    id: str
    vehicle_id: str
    kind: str  # CI 交强险 | BI 商业险
    start_at: str
    end_at: str
    insurer: str | None = None
    policy_no: str | None = None
    premium: str | None = None
    float_coef: str | None = None
    vehicle_tax: str | None = None
    source: str = "counter"  # counter | import:<batch> | hq
    as_of: str | None = None
    verified_by: str | None = None

    @classmethod
    def of(cls, vehicle_id: str, t: Term, premium: str | None = None, vehicle_tax: str | None = None,
           float_coef: str | None = None) -> TermRec:
        return cls(t.id, vehicle_id, t.kind, iso(t.start_at), iso(t.end_at), t.insurer, t.policy_no, premium,
                   float_coef, vehicle_tax, t.source or "counter", iso(t.as_of), t.verified_by)

    def term(self) -> Term:
        return Term(kind=self.kind, start_at=parse_iso(self.start_at), end_at=parse_iso(self.end_at),
                    insurer=self.insurer, policy_no=self.policy_no, source=self.source,
                    as_of=parse_iso(self.as_of), verified_by=self.verified_by, id=self.id)


@dataclass(frozen=True)
class EventRec:
    id: str
    vehicle_id: str | None
    kind: str
    outcome: str | None
    detail: str | None
    note: str | None
    staff: str | None
    at: datetime
    corrects: str | None = None


@dataclass(frozen=True)
class VehicleBundle:
    vehicle: VehicleRec
    owner: CustomerRec | None
    terms: tuple[Term, ...]
    events: tuple[EventRec, ...] = field(default=())

    def last_outcome(self) -> str | None:
        """The latest recorded contact outcome (events are append-only; the newest one stands)."""
        outcomes = [e for e in self.events if e.kind == "outcome" and e.outcome]
        return max(outcomes, key=lambda e: e.at).outcome if outcomes else None
