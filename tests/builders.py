"""Put precise vehicles into a test store (fictitious identities from core.fakes only)."""
from __future__ import annotations

from datetime import datetime, timedelta

from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.core.status import Term
from desktop.core.timeutil import CST
from desktop.store import vehicles_repo, writes
from desktop.store.records import CustomerRec, EventRec, TermRec, VehicleRec

_fake = FakeData(424242)


def day(s: str) -> datetime:
    return datetime.fromisoformat(s).replace(tzinfo=CST)


def add_vehicle(engine, ci: list[tuple[str, str]] = (), bi: list[tuple[str, str]] = (), *, plate: str | None = None,
                name: str | None = None, phone: str | None = None, address: str | None = "示例市和平路1号",
                consent_mail: bool = True, outcome: str | None = None, insurer: str = "安泰财产保险") -> VehicleRec:
    """ci/bi: (first covered day, last covered day) as ISO dates; end stored as 00:00 of the next day."""
    plate = plate or _fake.plate("ordinary")
    now = datetime(2026, 11, 1, tzinfo=CST)
    owner = CustomerRec(new_id(), name or _fake.name(), phone or _fake.mobile(), _fake.id_number(), address,
                        True, consent_mail)
    v = VehicleRec(new_id(), plate, _fake.vin(), owner.id)
    with engine.begin() as conn:
        writes.insert_customers(conn, (owner,), now)
        writes.insert_vehicles(conn, (v,), now)
        for kind, spans in (("CI", ci), ("BI", bi)):
            for first, last in spans:
                writes.insert_terms(conn, (TermRec.of(v.id, Term(kind, day(first), day(last) + timedelta(days=1),
                                                                 insurer, f"P{new_id()[-8:]}", "counter", now, "test",
                                                                 new_id())),))
        if outcome:
            writes.insert_events(conn, (EventRec(new_id(), v.id, "outcome", outcome, None, None, "test", now),))
        vehicles_repo.replace_search_keys(conn, v, owner)
    return v
