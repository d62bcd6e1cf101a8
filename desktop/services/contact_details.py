"""Editing a customer's contact details at the counter: phone, postal address, consent (issue 11).

The customer row is rewritten through store.writes with ONE outbox change that lists only the
fields this edit sets, so head office and the other counters merge them last-writer-wins per
field (DESIGN §6); the vehicles' search keys follow a new phone; the audit entry names the fields,
never their values (a phone or an address is personal data). All of it lands or none of it.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core.identifiers import IdentifierError, check_phone
from desktop.core.timeutil import CST
from desktop.store import audit, customers_repo, outbox, vehicles_repo, writes

from .auth import StaffSession, require
from .errors import BadInput
from .one_vehicle import bundle_on

MAX_ADDRESS = 200
EDITABLE = ("phone", "address", "consent_contact", "consent_mail")
FIELD_LABEL = {"phone": "电话", "address": "地址", "consent_contact": "同意联系", "consent_mail": "同意寄信"}


@dataclass(frozen=True)
class ContactEdit:
    """None leaves a field as it is. `phone=""` or `address=""` clears it."""
    phone: str | None = None
    address: str | None = None
    consent_contact: bool | None = None
    consent_mail: bool | None = None


@dataclass(frozen=True)
class Edited:
    vehicle_id: str
    customer_id: str
    fields: tuple[str, ...]          # what changed, in EDITABLE order
    warnings: tuple[str, ...] = ()   # e.g. a landline kept with a warning


def _bad(message: str, field: str) -> BadInput:
    """A BadInput naming its field, so the dialog puts the message beside that box."""
    exc = BadInput(message)
    exc.field = field  # type: ignore[attr-defined]
    return exc


def _clean(edit: ContactEdit) -> tuple[dict, list[str]]:
    values: dict = {}
    warnings: list[str] = []
    if edit.phone is not None:
        raw = edit.phone.strip()
        if raw:
            try:
                checked = check_phone(raw)
            except IdentifierError as exc:
                raise _bad(f"电话：{exc.message}", "phone") from None
            values["phone"] = checked.value
            warnings.extend(checked.warnings)
        else:
            values["phone"] = None
    if edit.address is not None:
        addr = " ".join(edit.address.split())
        if len(addr) > MAX_ADDRESS:
            raise _bad(f"地址太长：最多 {MAX_ADDRESS} 个字。", "address")
        values["address"] = addr or None
    for f in ("consent_contact", "consent_mail"):
        v = getattr(edit, f)
        if v is not None:
            values[f] = bool(v)
    return values, warnings


def edit_contact(engine: Engine, session: StaffSession, vehicle_id: str, edit: ContactEdit,
                 now: datetime | None = None) -> Edited:
    """Change the owner's phone, address and consent; returns the fields that changed.
    Nothing changed is a BadInput (nothing is written, no empty outbox change)."""
    require(session, "clerk")
    values, warnings = _clean(edit)
    now = now or datetime.now(CST)
    with engine.begin() as conn:
        owner = bundle_on(conn, vehicle_id, with_events=False).owner
        if owner is None:
            raise BadInput("这辆车还没有车主资料，无法修改联系方式：请先登记车主。")
        changed = tuple(f for f in EDITABLE if f in values and values[f] != getattr(owner, f))
        if not changed:
            raise BadInput("联系方式没有改动：请修改电话、地址或同意选项后再保存。")
        new = replace(owner, **{f: values[f] for f in changed})
        with outbox.changes(conn, now) as changes:
            writes.update_customers(conn, ((new, list(changed)),), now, changes)
        if "phone" in changed:  # the old number must stop finding the car, the new one find it
            for v in customers_repo.vehicles_of_owner(conn, owner.id):
                vehicles_repo.replace_search_keys(conn, v, new)
        audit.append(conn, "contact_edit", session.name, vehicle_id,
                     {"customer": owner.id, "fields": list(changed)})
    return Edited(vehicle_id, owner.id, changed, tuple(warnings))
