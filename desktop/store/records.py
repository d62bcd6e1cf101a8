"""Plain dataclasses the store hands out (never ORM objects), and the time format it stores."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from desktop.core.status import Term
from desktop.core.timeutil import CST


def iso(dt: datetime | None) -> str | None:
    """Stored form of an instant: UTC+8 ISO text, so text order is time order."""
    if dt is None:
        return None
    return dt.astimezone(CST).isoformat(timespec="seconds")


def parse_iso(s: str | None) -> datetime | None:
    return datetime.fromisoformat(s) if s else None


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
