"""Editing a customer's phone, address and consent (issue 11): validated, role-checked, audited
without the values, one outbox change listing only the fields set, search keys following the new
phone, and merged last-writer-wins per field on another counter."""
from __future__ import annotations

import json

import pytest

from desktop.core.fakes import FakeData
from desktop.services import auth, lookup, register
from desktop.services.contact_details import ContactEdit, edit_contact
from desktop.services.errors import BadInput
from desktop.store import sync_apply
from desktop.sync import protocol
from tests.conftest import AT
from tests.unit.test_sync_apply import DEV_A, apply, outbox_changes, table, two  # noqa: F401 (fixture)

fake = FakeData(1111)


def _registered(engine, session, phone="13800000001"):
    return register.register(engine, session, register.NewRegistration(
        plate=fake.plate("ordinary"), name="王五", phone=phone, address="示例市和平路1号"), now=AT)


def _outbox(engine, after):
    rows = table(engine, f"SELECT entity, op, payload FROM outbox WHERE device_seq > {after} ORDER BY device_seq")
    return [(e, op, json.loads(p)) for e, op, p in rows]


def _seq(engine):
    return table(engine, "SELECT coalesce(max(device_seq), 0) FROM outbox")[0][0]


def test_phone_address_and_consent_are_written_with_one_outbox_change_and_an_audit(app_ctx):
    engine = app_ctx.store().engine
    clerk = auth.StaffSession("clerk", "clerk")
    r = _registered(engine, clerk)
    before = _seq(engine)
    new_phone = fake.mobile()
    done = edit_contact(engine, clerk, r.vehicle_id,
                        ContactEdit(phone=new_phone, address=" 示例市  新华路 8 号 ", consent_mail=False), now=AT)
    assert done.fields == ("phone", "address", "consent_mail")
    assert table(engine, "SELECT phone, address, consent_contact, consent_mail FROM customer") == [
        (new_phone, "示例市 新华路 8 号", 1, 0)]
    changes = _outbox(engine, before)
    assert [(e, op) for e, op, _ in changes] == [("customer", "upsert")]
    payload = changes[0][2]
    assert payload["fields"] == ["phone", "address", "consent_mail"]
    assert protocol.validate_payload("customer", "upsert", r.customer_id, payload) is None
    detail = table(engine, "SELECT detail FROM audit WHERE action = 'contact_edit'")[0][0]
    assert "phone" in detail and new_phone not in detail and "新华路" not in detail
    # the new number finds the car, the old one no longer does
    assert [m.vehicle_id for m in lookup.find(engine, new_phone, AT)] == [r.vehicle_id]
    assert lookup.find(engine, "13800000001", AT) == []


def test_bad_or_empty_edits_name_the_field_and_store_nothing(app_ctx):
    engine = app_ctx.store().engine
    clerk = auth.StaffSession("clerk", "clerk")
    r = _registered(engine, clerk)
    before = _seq(engine)
    with pytest.raises(BadInput) as bad:
        edit_contact(engine, clerk, r.vehicle_id, ContactEdit(phone="12345678901"), now=AT)
    assert bad.value.field == "phone" and "电话" in bad.value.message
    with pytest.raises(BadInput) as long:
        edit_contact(engine, clerk, r.vehicle_id, ContactEdit(address="路" * 201), now=AT)
    assert long.value.field == "address"
    with pytest.raises(BadInput, match="没有改动"):
        edit_contact(engine, clerk, r.vehicle_id, ContactEdit(phone="138 0000 0001", address="示例市和平路1号"),
                     now=AT)
    assert _seq(engine) == before
    assert table(engine, "SELECT phone FROM customer") == [("13800000001",)]
    assert table(engine, "SELECT count(*) FROM audit WHERE action = 'contact_edit'") == [(0,)]


def test_the_edit_syncs_as_last_writer_wins_fields(two):  # noqa: F811 (fixture)
    (a, sa), (b, _) = two
    ea, eb = a.store().engine, b.store().engine
    r = _registered(ea, sa)
    apply(eb, outbox_changes(ea, DEV_A), "0190b000-0000-7000-8000-00000000000b")
    seq = _seq(ea)
    edit_contact(ea, sa, r.vehicle_id, ContactEdit(address="示例市新华路8号", consent_contact=False), now=AT)
    # counter B changed the phone meanwhile: A's edit does not carry (or undo) the phone
    later = outbox_changes(ea, DEV_A, seq)
    assert [c.payload["fields"] for c in later] == [["address", "consent_contact"]]
    with eb.begin() as conn:
        conn.exec_driver_sql("UPDATE customer SET phone = '13900000009'")
    apply(eb, later, "0190b000-0000-7000-8000-00000000000b")
    assert table(eb, "SELECT phone, address, consent_contact FROM customer") == [
        ("13900000009", "示例市新华路8号", 0)]
    assert sync_apply.CONTACT_FIELDS == protocol.CONTACT_FIELDS


def test_registering_bounds_the_address_as_editing_it_does(app_ctx):
    """An address head office would refuse (over 4000 characters) was accepted at registration and
    then sat in 同步问题; registration now takes what editing the address takes, and no more."""
    from desktop.services.contact_details import MAX_ADDRESS

    engine = app_ctx.store().engine
    clerk = auth.StaffSession("clerk", "clerk")
    with pytest.raises(register.FieldErrors) as e:
        register.register(engine, clerk, register.NewRegistration(
            plate=fake.plate("ordinary"), name="王五", address="示" * 5000), now=AT)
    assert set(e.value.errors) == {"address"} and str(MAX_ADDRESS) in e.value.errors["address"]
    assert _seq(engine) == 0 and table(engine, "SELECT count(*) FROM customer") == [(0,)]
    r = register.register(engine, clerk, register.NewRegistration(
        plate=fake.plate("ordinary"), name="王五", address="示" * MAX_ADDRESS), now=AT)
    payload = _outbox(engine, 0)[0][2]
    assert protocol.validate_payload("customer", "upsert", r.customer_id, payload) is None
