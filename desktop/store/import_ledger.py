"""What an import batch reads and writes, at the driver level (an import is 10⁵–10⁶ rows).

`StoreLedger` writes inside the caller's one BEGIN IMMEDIATE transaction (the batch is atomic).
`DryLedger` reads the store the same way but keeps its "writes" in memory: a dry run changes
not one byte of the store, audit included, yet counts exactly what a real run would.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from desktop.core.ids import new_id
from desktop.core.search_keys import primary_initials

from .vehicles_repo import write_search_keys


@dataclass(frozen=True)
class VehicleState:
    id: str
    plate: str | None
    vin: str | None
    owner_id: str | None
    registered_on: str | None


@dataclass(frozen=True)
class CustomerState:
    id: str
    name: str | None
    phone: str | None
    id_number: str | None
    address: str | None


@dataclass(frozen=True)
class TermState:
    kind: str
    policy_no: str | None
    start_at: str
    end_at: str


class StoreLedger:
    def __init__(self, db, source: str, as_of: str, staff: str | None):
        self.db, self.source, self.as_of, self.staff = db, source, as_of, staff
        self._last_customer: CustomerState | None = None  # the row's owner, for refresh_keys

    def _seen(self, c: CustomerState | None) -> CustomerState | None:
        if c is not None:
            self._last_customer = c
        return c

    # -- reads ---------------------------------------------------------------------------------
    def vehicle_by_vin(self, vin: str) -> VehicleState | None:
        r = self.db.execute("SELECT id, plate, vin, owner_id, registered_on FROM vehicle WHERE vin = ? "
                            "AND deleted = 0 LIMIT 1", (vin,)).fetchone()
        return VehicleState(*r) if r else None

    def vehicle_by_plate(self, plate: str) -> VehicleState | None:
        r = self.db.execute("SELECT id, plate, vin, owner_id, registered_on FROM vehicle WHERE plate = ? "
                            "AND deleted = 0 ORDER BY vin IS NOT NULL LIMIT 1", (plate,)).fetchone()
        return VehicleState(*r) if r else None

    def customer_by_id_number(self, id_number: str) -> CustomerState | None:
        r = self.db.execute("SELECT id, name, phone, id_number, address FROM customer WHERE id_number = ? "
                            "AND deleted = 0 LIMIT 1", (id_number,)).fetchone()
        return self._seen(CustomerState(*r)) if r else None

    def customer_by_name_phone(self, name: str, phone: str) -> CustomerState | None:
        r = self.db.execute("SELECT id, name, phone, id_number, address FROM customer WHERE name = ? AND phone = ? "
                            "AND deleted = 0 LIMIT 1", (name, phone)).fetchone()
        return self._seen(CustomerState(*r)) if r else None

    def customer(self, cid: str) -> CustomerState | None:
        last = self._last_customer
        if last is not None and last.id == cid:
            return last
        r = self.db.execute("SELECT id, name, phone, id_number, address FROM customer WHERE id = ?",
                            (cid,)).fetchone()
        return CustomerState(*r) if r else None

    def terms(self, vehicle_id: str) -> list[TermState]:
        return [TermState(*r) for r in self.db.execute(
            "SELECT kind, policy_no, start_at, end_at FROM policy_term WHERE vehicle_id = ?", (vehicle_id,))]

    def vehicles_of(self, customer_id: str) -> list[VehicleState]:
        return [VehicleState(*r) for r in self.db.execute(
            "SELECT id, plate, vin, owner_id, registered_on FROM vehicle WHERE owner_id = ? AND deleted = 0",
            (customer_id,))]

    # -- writes --------------------------------------------------------------------------------
    def add_customer(self, c: CustomerState) -> None:
        self._last_customer = c
        self.db.execute("INSERT INTO customer(id, name, name_initials, phone, id_number, address, consent_contact, "
                        "consent_mail, updated_at, deleted) VALUES (?,?,?,?,?,?,1,1,?,0)",
                        (c.id, c.name, primary_initials(c.name), c.phone, c.id_number, c.address, self.as_of))

    def update_customer(self, c: CustomerState) -> None:
        self._last_customer = c
        self.db.execute("UPDATE customer SET name = ?, phone = ?, id_number = ?, address = ?, updated_at = ? "
                        "WHERE id = ?", (c.name, c.phone, c.id_number, c.address, self.as_of, c.id))

    def add_vehicle(self, v: VehicleState) -> None:
        self.db.execute("INSERT INTO vehicle(id, plate, vin, owner_id, registered_on, created_at, deleted) "
                        "VALUES (?,?,?,?,?,?,0)", (v.id, v.plate, v.vin, v.owner_id, v.registered_on, self.as_of))

    def update_vehicle(self, v: VehicleState) -> None:
        self.db.execute("UPDATE vehicle SET plate = ?, vin = ?, owner_id = ?, registered_on = ? WHERE id = ?",
                        (v.plate, v.vin, v.owner_id, v.registered_on, v.id))

    def add_term(self, vehicle_id: str, t: TermState, insurer: str | None, premium: str | None,
                 vehicle_tax: str | None) -> None:
        self.db.execute("INSERT INTO policy_term(id, vehicle_id, kind, insurer, policy_no, start_at, end_at, premium, "
                        "vehicle_tax, source, as_of, verified_by, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        (new_id(), vehicle_id, t.kind, insurer, t.policy_no, t.start_at, t.end_at, premium,
                         vehicle_tax, self.source, self.as_of, self.staff, self.as_of))

    def refresh_keys(self, v: VehicleState, new: bool = False) -> None:
        """``new``: the vehicle was just added, so it has no keys to delete yet (one statement
        fewer per new row of a large import)."""
        owner = self.customer(v.owner_id) if v.owner_id else None
        write_search_keys(self.db, v.id, v.plate, v.vin, owner.name if owner else None,
                          owner.phone if owner else None, owner.id_number if owner else None, replace=not new)


class DryLedger(StoreLedger):
    """Reads fall through to the store; writes land in dicts that later reads see first."""

    def __init__(self, db, source: str, as_of: str, staff: str | None):
        super().__init__(db, source, as_of, staff)
        self._veh: dict[str, VehicleState] = {}
        self._veh_by_vin: dict[str, str] = {}
        self._veh_by_plate: dict[str, str] = {}
        self._cust: dict[str, CustomerState] = {}
        self._cust_by_idn: dict[str, str] = {}
        self._cust_by_np: dict[tuple[str, str], str] = {}
        self._terms: dict[str, list[TermState]] = {}

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

    def update_customer(self, c):
        self._index_customer(c)

    def _index_customer(self, c: CustomerState) -> None:
        self._cust[c.id] = c
        if c.id_number:
            self._cust_by_idn[c.id_number] = c.id
        if c.name and c.phone:
            self._cust_by_np[(c.name, c.phone)] = c.id

    def add_vehicle(self, v):
        self._index_vehicle(v)

    def update_vehicle(self, v):
        self._index_vehicle(v)

    def _index_vehicle(self, v: VehicleState) -> None:
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
    """The state with only the non-empty changes applied, and whether anything changed."""
    applied = {k: v for k, v in changes.items() if v not in (None, "") and getattr(state, k) != v}
    return (replace(state, **applied), True) if applied else (state, False)
