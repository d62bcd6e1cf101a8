"""Applying pulled changes: two real counters' outbox rows crossed over converge to the same store.

Each counter writes through the real services (register, record); its outbox rows, stamped with
its device id as the client sends them, are what the other counter pulls.
"""
from __future__ import annotations

import json
from datetime import datetime

import pytest

from desktop.app import AppContext
from desktop.core.fakes import FakeData
from desktop.services import auth, lookup, record, register
from desktop.store import sync_apply
from desktop.sync import protocol
from tests.conftest import ADMIN_PASSWORD, AT, PASSPHRASE

DEV_A, DEV_B, DEV_HQ = ("0190a000-0000-7000-8000-00000000000a", "0190b000-0000-7000-8000-00000000000b",
                        "0190c000-0000-7000-8000-00000000000c")
fake = FakeData(99)


@pytest.fixture
def two(tmp_path, fake_keyring):
    ctxs = []
    for name in ("a", "b"):
        ctx = AppContext(tmp_path / name, keyring=fake_keyring, passphrase=lambda: PASSPHRASE)
        store = ctx.create(PASSPHRASE)
        auth.add_staff(store.engine, None, "admin", "admin", ADMIN_PASSWORD)
        ctxs.append(ctx)
    yield [(c, c.login("admin", ADMIN_PASSWORD)) for c in ctxs]
    for c in ctxs:
        c.close()


def outbox_changes(engine, device_id: str, after: int = 0) -> list[sync_apply.Pulled]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT device_seq, entity, json_extract(payload, '$.id'), op, payload, hlc FROM outbox "
            "WHERE device_seq > ? ORDER BY device_seq", (after,)).fetchall()
    return [sync_apply.Pulled(0, device_id, e, eid, "delete" if op == "delete" else "upsert", json.loads(p),
                              protocol.with_node(h, device_id)) for _seq, e, eid, op, p, h in rows]


def apply(engine, changes, device_id="0190ffff-0000-7000-8000-000000000000"):
    with engine.begin() as conn:
        return sync_apply.apply_changes(conn.connection.driver_connection, changes, device_id)


def table(engine, sql):
    with engine.connect() as conn:
        return conn.exec_driver_sql(sql).fetchall()


def answers(ctx, session, q):
    return [m.to_json() for m in lookup.lookup(ctx.store().engine, session, q, AT, 90)]


def test_the_field_sets_and_identity_rule_are_the_protocols():
    assert sync_apply.CONTACT_FIELDS == protocol.CONTACT_FIELDS
    assert sync_apply.VEHICLE_FIELDS == protocol.VEHICLE_FIELDS
    assert sync_apply.TERM_FIELDS == protocol.TERM_FIELDS


def test_a_vehicle_and_term_entered_on_two_counters_converge_to_one_row_each(two):
    (a, sa), (b, sb) = two
    plate, vin = fake.plate("ordinary"), fake.vin()
    reg = register.NewRegistration(plate=plate, vin=vin, name="张三", phone=fake.mobile(), address="示例路1号")
    ra = register.register(a.store().engine, sa, reg, now=AT)
    rb = register.register(b.store().engine, sb, reg, now=AT)
    term = record.NewTerm("安泰财产保险", "PDZA2026000123", "2026-12-01", "2027-11-30", True)
    record.record_outcome(a.store().engine, sa, ra.vehicle_id, "renewed_here", term, now=AT)
    record.record_outcome(b.store().engine, sb, rb.vehicle_id, "renewed_here", term, now=AT)
    from_a, from_b = outbox_changes(a.store().engine, DEV_A), outbox_changes(b.store().engine, DEV_B)
    outbox_before = [table(c.store().engine, "SELECT count(*) FROM outbox") for c in (a, b)]
    apply(a.store().engine, from_b, DEV_A)
    apply(b.store().engine, from_a, DEV_B)
    for ctx in (a, b):
        e = ctx.store().engine
        assert table(e, "SELECT id FROM vehicle WHERE deleted = 0") == [(min(ra.vehicle_id, rb.vehicle_id),)]
        assert len(table(e, "SELECT id FROM policy_term")) == 1
        assert len(table(e, "SELECT id FROM event")) == 2  # both counters' records stay (append-only)
    assert answers(a, sa, plate) == answers(b, sb, plate)
    assert answers(a, sa, plate)[0]["status"] == "RENEWED" or answers(a, sa, plate)[0]["ci_end_date"]
    # Pulled changes never travel back: the outboxes hold only each counter's own writes.
    assert [table(c.store().engine, "SELECT count(*) FROM outbox") for c in (a, b)] == outbox_before


def _customer_change(cid, device, stamp_ms, **fields):
    payload = {"id": cid, **fields, "fields": list(fields)}
    return sync_apply.Pulled(0, device, "customer", cid, "upsert", payload, f"{stamp_ms:015d}-00000000-{device}")


def test_contact_fields_are_last_writer_wins_per_field_whatever_the_order(two):
    (a, _), (b, _) = two
    cid = "0190d000-0000-7000-8000-000000000001"
    first = _customer_change(cid, DEV_A, 1_000, name="李四", phone="13800138000", address="旧地址")
    phone_later = _customer_change(cid, DEV_B, 3_000, phone="13900139000")
    address_between = _customer_change(cid, DEV_HQ, 2_000, address="新地址", phone="13700137000")
    apply(a.store().engine, [first, phone_later, address_between])
    apply(b.store().engine, [address_between, phone_later, first])
    for ctx in (a, b):
        assert table(ctx.store().engine, "SELECT name, phone, address FROM customer") == [
            ("李四", "13900139000", "新地址")]


def test_a_local_edit_newer_than_the_pulled_one_is_kept(two):
    (a, sa), _ = two
    r = register.register(a.store().engine, sa, register.NewRegistration(
        plate=fake.plate("ordinary"), name="王五", phone="13800000001"), now=AT)
    old = _customer_change(r.customer_id, DEV_B, 1_000, phone="13900000002")  # stamped before ours
    result = apply(a.store().engine, [old], DEV_A)
    assert result.applied == 0
    assert table(a.store().engine, "SELECT phone FROM customer") == [("13800000001",)]


def test_own_changes_are_skipped_and_a_repeated_page_changes_nothing(two):
    (a, sa), (b, _) = two
    register.register(a.store().engine, sa, register.NewRegistration(plate=fake.plate("ordinary"), name="赵六"),
                      now=AT)
    changes = outbox_changes(a.store().engine, DEV_A)
    assert apply(a.store().engine, changes, DEV_A).applied == 0
    first = apply(b.store().engine, changes, DEV_B)
    again = apply(b.store().engine, changes, DEV_B)
    assert first.applied == len(changes) and again.applied == 0
    assert len(table(b.store().engine, "SELECT id FROM vehicle")) == 1


def test_a_tombstone_is_final_and_the_vehicle_is_no_longer_found(two):
    (a, sa), (b, sb) = two
    plate = fake.plate("ordinary")
    register.register(a.store().engine, sa, register.NewRegistration(plate=plate, name="钱七"), now=AT)
    changes = outbox_changes(a.store().engine, DEV_A)
    vehicle = next(c for c in changes if c.entity == "vehicle")
    tomb = sync_apply.Pulled(0, DEV_A, "vehicle", vehicle.entity_id, "delete", {"id": vehicle.entity_id},
                             f"{9_999_999_999_999:015d}-00000000-{DEV_A}")
    late = sync_apply.Pulled(0, DEV_A, "vehicle", vehicle.entity_id, "upsert", vehicle.payload,
                             f"{9_999_999_999_999:015d}-00000001-{DEV_A}")
    apply(b.store().engine, [*changes, tomb, late], DEV_B)
    assert answers(b, sb, plate) == []


def test_a_term_whose_vehicle_has_not_arrived_waits_and_then_goes_in(two):
    (a, sa), (b, sb) = two
    plate = fake.plate("ordinary")
    r = register.register(a.store().engine, sa, register.NewRegistration(plate=plate, name="孙八"), now=AT)
    record.record_outcome(a.store().engine, sa, r.vehicle_id, "renewed_elsewhere",
                          record.NewTerm("平安", "P1", "2026-12-01", None, True), now=AT)
    changes = outbox_changes(a.store().engine, DEV_A)
    parents = [c for c in changes if c.entity in ("customer", "vehicle")]
    children = [c for c in changes if c.entity not in ("customer", "vehicle")]
    assert apply(b.store().engine, children, DEV_B).parked == len(children)
    assert apply(b.store().engine, parents, DEV_B).parked == 0
    assert len(table(b.store().engine, "SELECT id FROM policy_term")) == 1
    assert answers(b, sb, plate) == answers(a, sa, plate)


def test_head_office_data_beats_a_counter_copy_of_the_same_term(two):
    (a, sa), _ = two
    r = register.register(a.store().engine, sa, register.NewRegistration(plate=fake.plate("ordinary"), name="周九"),
                          now=AT)
    record.record_outcome(a.store().engine, sa, r.vehicle_id, "renewed_here",
                          record.NewTerm("安泰", "PX-1", "2026-12-01", "2027-11-30", True), now=datetime(2026, 12, 2,
                                                                                                  tzinfo=AT.tzinfo))
    tid = "0190e000-0000-7000-8000-000000000001"  # head office's own row for the same policy
    hq = sync_apply.Pulled(0, DEV_HQ, "policy_term", tid, "upsert",
                           {"id": tid, "vehicle_id": r.vehicle_id, "kind": "CI", "insurer": "安泰财产保险（总部核实）",
                            "policy_no": "PX-1", "start_at": "2026-12-01T00:00:00+08:00",
                            "end_at": "2027-12-01T00:00:00+08:00", "source": "hq",
                            "as_of": "2026-11-30T09:00:00+08:00", "verified_by": "总部"},
                           f"{1_000:015d}-00000000-{DEV_HQ}")  # older stamp, still wins: source = hq
    apply(a.store().engine, [hq], DEV_A)
    assert table(a.store().engine, "SELECT id, insurer, source FROM policy_term") == [
        (tid, "安泰财产保险（总部核实）", "hq")]


def test_twins_keep_the_newer_copy_whichever_counter_applies_it(two):
    """The same vehicle and term entered on A, then on B (B's stamps newer): each counter pulls the
    other's copy. The twin found by identity is this counter's own row, whose stamp lives only in its
    outbox; the newer copy's fields must win on both, so both stores hold the same rows."""
    (a, sa), (b, sb) = two
    plate, vin = fake.plate("ordinary"), fake.vin()
    term = record.NewTerm("安泰财产保险", "PDZA2026000777", "2026-12-01", "2027-11-30", True)
    rows = {}
    for ctx, s, name in ((a, sa, "甲地址"), (b, sb, "乙地址")):  # a first: b's stamps are later
        r = register.register(ctx.store().engine, s, register.NewRegistration(
            plate=plate, vin=vin, name="张三", phone=fake.mobile(), address=name), now=AT)
        record.record_outcome(ctx.store().engine, s, r.vehicle_id, "renewed_here", term, now=AT)
        rows[name] = r
    from_a, from_b = outbox_changes(a.store().engine, DEV_A), outbox_changes(b.store().engine, DEV_B)
    apply(a.store().engine, from_b, DEV_A)
    apply(b.store().engine, from_a, DEV_B)
    veh = f"SELECT id, {', '.join(sync_apply.VEHICLE_FIELDS)} FROM vehicle WHERE deleted = 0"
    terms = f"SELECT id, {', '.join(sync_apply.TERM_FIELDS)} FROM policy_term ORDER BY id"
    va, vb = table(a.store().engine, veh), table(b.store().engine, veh)
    assert va == vb
    assert va[0][-1] == rows["乙地址"].customer_id  # the newer copy's owner
    assert table(a.store().engine, terms) == table(b.store().engine, terms)


def test_a_vehicle_deleted_here_stays_deleted_when_another_counters_edit_of_it_arrives(two):
    """A deletes a vehicle both counters hold; B, not yet knowing, edits it (a later stamp). A's own
    tombstone lives in its outbox only: the pulled edit must find it (no second insert of the id,
    which would fail the whole page for good) and the vehicle stays deleted (a tombstone is final)."""
    from desktop.store import outbox, writes
    from desktop.store.records import VehicleRec

    (a, sa), (b, sb) = two
    plate = fake.plate("ordinary")
    r = register.register(a.store().engine, sa, register.NewRegistration(plate=plate, name="吴十"), now=AT)
    apply(b.store().engine, outbox_changes(a.store().engine, DEV_A), DEV_B)
    seen_a = table(a.store().engine, "SELECT max(device_seq) FROM outbox")[0][0]
    seen_b = table(b.store().engine, "SELECT coalesce(max(device_seq), 0) FROM outbox")[0][0]
    with a.store().engine.begin() as conn, outbox.changes(conn) as ch:
        writes.tombstone(conn, "vehicle", [r.vehicle_id], ch)
    with b.store().engine.begin() as conn, outbox.changes(conn) as ch:
        writes.update_vehicles(conn, [VehicleRec(r.vehicle_id, plate, None, r.customer_id, use="non_business")], ch)
    edit = outbox_changes(b.store().engine, DEV_B, seen_b)
    tomb = outbox_changes(a.store().engine, DEV_A, seen_a)
    apply(a.store().engine, edit, DEV_A)
    apply(b.store().engine, tomb, DEV_B)
    for ctx, s in ((a, sa), (b, sb)):
        assert table(ctx.store().engine, "SELECT deleted FROM vehicle") == [(1,)]
        assert answers(ctx, s, plate) == []


def test_a_term_of_a_deleted_vehicle_does_not_wait_for_it_for_ever(two):
    """A counter built from head office's snapshot gets a deleted vehicle as its tombstone only (no
    row) and still gets the vehicle's terms and events: they must not wait in sync_parked for a
    parent that can never come back (they were retried after every page, for good)."""
    (a, sa), (b, _) = two
    r = register.register(a.store().engine, sa, register.NewRegistration(plate=fake.plate("ordinary"), name="郑一"),
                          now=AT)
    record.record_outcome(a.store().engine, sa, r.vehicle_id, "renewed_elsewhere",
                          record.NewTerm("平安", "P-DEL-1", "2026-12-01", None, True), now=AT)
    changes = outbox_changes(a.store().engine, DEV_A)
    children = [c for c in changes if c.entity in ("policy_term", "event")]
    tomb = sync_apply.Pulled(0, DEV_A, "vehicle", r.vehicle_id, "delete", {"id": r.vehicle_id},
                             f"{9_999_999_999_999:015d}-00000000-{DEV_A}")
    assert len(children) == 2
    assert apply(b.store().engine, children[:1], DEV_B).parked == 1  # its vehicle is not here (yet)
    result = apply(b.store().engine, [tomb, *children[1:]], DEV_B)  # now it is known deleted
    assert result.parked == 0
    assert table(b.store().engine, "SELECT count(*) FROM sync_parked") == [(0,)]
