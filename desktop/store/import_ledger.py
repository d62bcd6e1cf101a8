"""What an import batch reads and writes, at the driver level (an import is 10⁵–10⁶ rows).

`StoreLedger` writes inside the caller's one BEGIN IMMEDIATE transaction (the batch is atomic).
`DryLedger` reads the store the same way but keeps its "writes" in memory: a dry run changes
not one byte of the store, audit included, yet counts exactly what a real run would.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from desktop.core.ids import new_id

from . import writes
from .outbox import Changes
from .records import CustomerRec, TermRec, VehicleRec
from .vehicles_repo import write_search_keys

_V = "id, plate, vin, owner_id, vehicle_class, use, seats, energy, registered_on"
_C = "id, name, phone, id_number, address, consent_contact, consent_mail, notes"


def _vehicle(r) -> VehicleRec | None:
    return VehicleRec(*r) if r else None


def _customer(r) -> CustomerRec | None:
    return CustomerRec(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7]) if r else None


@dataclass(frozen=True)
class TermKey:
    """What identifies a term within its vehicle (DESIGN §7)."""
    kind: str
    policy_no: str | None
    start_at: str
    end_at: str


class StoreLedger:
    writes_outbox = True

    def __init__(self, db, source: str, as_of: str, staff: str | None, now: datetime | None = None):
        self.db, self.source, self.as_of, self.staff = db, source, as_of, staff
        self._last_customer: CustomerRec | None = None  # the row's owner, for refresh_keys
        self.changes: Changes | None = Changes(db, now) if self.writes_outbox else None

    def finish(self) -> None:
        """Write the batch's outbox rows (inside its transaction, before COMMIT)."""
        if self.changes is not None:
            self.changes.flush()

    def _seen(self, c: CustomerRec | None) -> CustomerRec | None:
        if c is not None:
            self._last_customer = c
        return c

    # -- reads ---------------------------------------------------------------------------------
    def vehicle_by_vin(self, vin: str) -> VehicleRec | None:
        return _vehicle(self.db.execute(f"SELECT {_V} FROM vehicle WHERE vin = ? AND deleted = 0 LIMIT 1",
                                        (vin,)).fetchone())

    def vehicle_by_plate(self, plate: str) -> VehicleRec | None:
        return _vehicle(self.db.execute(f"SELECT {_V} FROM vehicle WHERE plate = ? AND deleted = 0 "
                                        "ORDER BY vin IS NOT NULL LIMIT 1", (plate,)).fetchone())

    def customer_by_id_number(self, id_number: str) -> CustomerRec | None:
        return self._seen(_customer(self.db.execute(
            f"SELECT {_C} FROM customer WHERE id_number = ? AND deleted = 0 LIMIT 1", (id_number,)).fetchone()))

    def customer_by_name_phone(self, name: str, phone: str) -> CustomerRec | None:
        return self._seen(_customer(self.db.execute(
            f"SELECT {_C} FROM customer WHERE name = ? AND phone = ? AND deleted = 0 LIMIT 1",
            (name, phone)).fetchone()))

    def customer(self, cid: str) -> CustomerRec | None:
        last = self._last_customer
        if last is not None and last.id == cid:
            return last
        return _customer(self.db.execute(f"SELECT {_C} FROM customer WHERE id = ?", (cid,)).fetchone())

    def terms(self, vehicle_id: str) -> list[TermKey]:
        return [TermKey(*r) for r in self.db.execute(
            "SELECT kind, policy_no, start_at, end_at FROM policy_term WHERE vehicle_id = ?", (vehicle_id,))]

    def vehicles_of(self, customer_id: str) -> list[VehicleRec]:
        return [VehicleRec(*r) for r in self.db.execute(
            f"SELECT {_V} FROM vehicle WHERE owner_id = ? AND deleted = 0", (customer_id,))]

    # -- writes --------------------------------------------------------------------------------
    def add_customer(self, c: CustomerRec) -> None:
        self._last_customer = c
        writes.insert_customers(self.db, (c,), self.as_of, self.changes)

    def update_customer(self, c: CustomerRec, fields: list[str]) -> None:
        self._last_customer = c
        writes.update_customers(self.db, ((c, fields),), self.as_of, self.changes)

    def add_vehicle(self, v: VehicleRec) -> None:
        writes.insert_vehicles(self.db, (v,), self.as_of, self.changes)

    def update_vehicle(self, v: VehicleRec) -> None:
        writes.update_vehicles(self.db, (v,), self.changes)

    def add_term(self, vehicle_id: str, t: TermKey, insurer: str | None, premium: str | None,
                 vehicle_tax: str | None) -> None:
        writes.insert_terms(self.db, (TermRec(new_id(), vehicle_id, t.kind, t.start_at, t.end_at, insurer, t.policy_no,
                                              premium, None, vehicle_tax, self.source, self.as_of, self.staff),),
                            self.changes)

    def refresh_keys(self, v: VehicleRec, new: bool = False) -> None:
        """``new``: the vehicle was just added, so it has no keys to delete yet (one statement
        fewer per new row of a large import)."""
        owner = self.customer(v.owner_id) if v.owner_id else None
        write_search_keys(self.db, v.id, v.plate, v.vin, owner.name if owner else None,
                          owner.phone if owner else None, owner.id_number if owner else None, replace=not new)


class DryLedger(StoreLedger):
    """Reads fall through to the store; writes land in dicts that later reads see first."""

    writes_outbox = False

    def __init__(self, db, source: str, as_of: str, staff: str | None, now: datetime | None = None):
        super().__init__(db, source, as_of, staff, now)
        self._veh: dict[str, VehicleRec] = {}
        self._veh_by_vin: dict[str, str] = {}
        self._veh_by_plate: dict[str, str] = {}
        self._cust: dict[str, CustomerRec] = {}
        self._cust_by_idn: dict[str, str] = {}
        self._cust_by_np: dict[tuple[str, str], str] = {}
        self._terms: dict[str, list[TermKey]] = {}

    def vehicle_by_vin(self, vin):
        vid = self._veh_by_vin.get(vin)
        return self._veh[vid] if vid else self._fresh_vehicle(super().vehicle_by_vin(vin))

    def vehicle_by_plate(self, plate):
        vid = self._veh_by_plate.get(plate)
        return self._veh[vid] if vid else self._fresh_vehicle(super().vehicle_by_plate(plate))

    def _fresh_vehicle(self, v):
        return self._veh.get(v.id, v) if v else None

    def customer_by_id_number(self, id_number):
        cid = self._cust_by_idn.get(id_number)
        return self._cust[cid] if cid else self._fresh_customer(super().customer_by_id_number(id_number))

    def customer_by_name_phone(self, name, phone):
        cid = self._cust_by_np.get((name, phone))
        return self._cust[cid] if cid else self._fresh_customer(super().customer_by_name_phone(name, phone))

    def _fresh_customer(self, c):
        return self._cust.get(c.id, c) if c else None

    def customer(self, cid):
        return self._cust.get(cid) or super().customer(cid)

    def terms(self, vehicle_id):
        return super().terms(vehicle_id) + self._terms.get(vehicle_id, [])

    def vehicles_of(self, customer_id):
        return []  # search keys are not written in a dry run

    def add_customer(self, c):
        self._index_customer(c)

    def update_customer(self, c, fields):
        self._index_customer(c)

    def _index_customer(self, c: CustomerRec) -> None:
        self._cust[c.id] = c
        if c.id_number:
            self._cust_by_idn[c.id_number] = c.id
        if c.name and c.phone:
            self._cust_by_np[(c.name, c.phone)] = c.id

    def add_vehicle(self, v):
        self._index_vehicle(v)

    def update_vehicle(self, v):
        self._index_vehicle(v)

    def _index_vehicle(self, v: VehicleRec) -> None:
        self._veh[v.id] = v
        if v.vin:
            self._veh_by_vin[v.vin] = v.id
        if v.plate:
            self._veh_by_plate[v.plate] = v.id

    def add_term(self, vehicle_id, t, insurer, premium, vehicle_tax):
        self._terms.setdefault(vehicle_id, []).append(t)

    def refresh_keys(self, v, new=False):
        return None


def with_changes(state, **changes):
    """The state with only the non-empty changes applied, and the names of the fields that changed."""
    applied = {k: v for k, v in changes.items() if v not in (None, "") and getattr(state, k) != v}
    return (replace(state, **applied), list(applied)) if applied else (state, [])
