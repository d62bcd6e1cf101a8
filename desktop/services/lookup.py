"""Lookup: one query, tried as every kind it could be, exact plate/VIN/phone/ID matches first.

Results carry the status from the one core engine, with the source and as-of of the term that
supplies the end date. Personal fields are masked here; revealing is a separate, audited call.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.engine import Engine

from desktop.core.masking import mask_id, mask_name, mask_phone
from desktop.core.search_keys import query_keys, query_prefixes
from desktop.core.status import CoverageStatus, coverage_status
from desktop.store import audit, vehicles_repo
from desktop.store.fastrec import builder
from desktop.store.records import CustomerRec, VehicleBundle

from .auth import StaffSession, require

MAX_MATCHES = 50


@dataclass(frozen=True)
class LookupMatch:
    vehicle_id: str
    plate: str | None
    vin: str | None
    owner: str | None          # masked
    phone: str | None          # masked
    id_number: str | None      # masked
    coverage: CoverageStatus
    last_outcome: str | None
    rank: int
    bundle: VehicleBundle

    def to_json(self) -> dict:
        c = self.coverage
        src = c.source_term
        return {
            "plate": self.plate,
            "vin": self.vin,
            "owner": self.owner,
            "phone": self.phone,
            "status": c.status,
            "days_left": c.days_left,
            "ci_end_date": _d(c.ci_end_date),
            "bi_end_date": _d(c.bi_end_date),
            "insurer": src.insurer if src else None,
            "next_start_date": _d(c.next_start_date),
            "gaps": [{"from": _d(g.from_date), "to": _d(g.to_date), "days": g.days} for g in c.gaps],
            "source": src.source if src else None,
            "as_of": src.as_of.isoformat(timespec="seconds") if src and src.as_of else None,
        }


_match = builder(LookupMatch)  # the records of every keystroke, without the frozen __init__'s setattr a field
_customer = builder(CustomerRec)
_bundle = builder(VehicleBundle)


def _d(d: date | None) -> str | None:
    return d.isoformat() if d else None


def masked_owner(o: CustomerRec | None) -> CustomerRec | None:
    """The owner as it may leave the service layer: name, phone and ID masked (one rule,
    core.masking, the one rule). The full values come back only from the audited reveal
    (services.reveal). The postal address stays: the masking rule has no form for it and the
    counter needs it to check a letter's address with the customer."""
    if o is None:
        return None
    # Built directly rather than with dataclasses.replace: this runs for every row of every keystroke.
    return _customer(o.id, mask_name(o.name) if o.name else o.name, mask_phone(o.phone) if o.phone else o.phone,
                     mask_id(o.id_number) if o.id_number else o.id_number, o.address, o.consent_contact,
                     o.consent_mail, o.notes)


def match_from_bundle(b: VehicleBundle, at: datetime, lead_days: int, rank: int = 0) -> LookupMatch:
    o = masked_owner(b.owner)
    v = b.vehicle
    # LookupMatch's fields in order: vehicle_id, plate, vin, owner, phone, id_number, coverage,
    # last_outcome, rank, bundle
    return _match(v.id, v.plate, v.vin, o.name if o else None, o.phone if o else None,
                  o.id_number if o else None, coverage_status(b.terms, at, lead_days), b.last_outcome(), rank,
                  _bundle(v, o, b.terms, b.events))


def get(engine: Engine, vehicle_id: str, at: datetime, lead_days: int = 90) -> LookupMatch | None:
    """One vehicle by id (the card after a write), with its status at `at`."""
    with engine.connect() as conn:
        bundles = vehicles_repo.load_bundles(conn, [vehicle_id])
        conn.rollback()
    return match_from_bundle(bundles[0], at, lead_days) if bundles else None


def find(engine: Engine, query: str, at: datetime, lead_days: int = 90, limit: int = MAX_MATCHES,
         prefixes: bool = True) -> list[LookupMatch]:
    """The matches, best first; no audit (the as-you-type box calls this on every keystroke)."""
    query = (query or "").strip()
    if not query:
        return []
    exact = query_keys(query)
    partial = query_prefixes(query) if prefixes else []
    with engine.connect() as conn:
        ranked = vehicles_repo.find_ids(conn, exact, partial, limit)[:limit]
        bundles = vehicles_repo.load_bundles(conn, [vid for vid, _ in ranked])
        conn.rollback()
    rank_of = dict(ranked)
    matches = [match_from_bundle(b, at, lead_days, rank_of[b.vehicle.id]) for b in bundles]
    matches.sort(key=lambda m: (m.rank, m.plate or "", m.vehicle_id))
    return matches


def lookup(engine: Engine, session: StaffSession, query: str, at: datetime, lead_days: int = 90,
           limit: int = MAX_MATCHES) -> list[LookupMatch]:
    """A deliberate lookup (Enter in the window, the command line): audited without the query text,
    which may be a phone or ID fragment."""
    require(session, "clerk")
    matches = find(engine, query, at, lead_days, limit)
    audit.record(engine, "lookup", session.name, None,
                 {"matches": len(matches), "plates": [m.plate for m in matches[:5]]})
    return matches
