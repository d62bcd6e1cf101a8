"""search_key has no index by vehicle (migration 0009): a vehicle's keys are found again by deriving
them from its stored rows. Every way a row changes — counter edits, import updates, tombstones,
pulled changes — must leave exactly the keys the new rows give: the old plate or phone stops
finding the car, the new one finds it."""
from __future__ import annotations

from dataclasses import replace

from desktop.core.search_keys import search_keys_for
from desktop.services import lookup, register
from desktop.store import outbox, vehicles_repo, writes
from desktop.store.uuidcol import blob
from tests.conftest import AT
from tests.unit.test_sync_apply import DEV_A, _customer_change, apply, two  # noqa: F401  (fixture)


def _keys_of(engine, vid: str) -> set[str]:
    with engine.connect() as conn:  # a full scan: fine in a test, never in the app
        rows = conn.exec_driver_sql("SELECT key FROM search_key WHERE vehicle_id = ?", (blob(vid),)).fetchall()
        conn.rollback()
    return {r[0] for r in rows}


def _expected(engine, vid: str) -> set[str]:
    with engine.connect() as conn:
        b = vehicles_repo.load_bundles(conn, [vid], with_events=False)[0]
        conn.rollback()
    o = b.owner
    return search_keys_for(b.vehicle.plate, b.vehicle.vin, o.name if o else None, o.phone if o else None,
                           o.id_number if o else None)


def _found(engine, q: str) -> list[str]:
    return [m.vehicle_id for m in lookup.find(engine, q, AT)]


def test_a_phone_and_a_plate_change_move_the_keys(app_ctx, admin):
    engine = app_ctx.store().engine
    reg = register.register(engine, admin, register.NewRegistration(plate="京A7Q531", name="林安君",
                                                                    phone="13911112222"), now=AT)
    assert _keys_of(engine, reg.vehicle_id) == _expected(engine, reg.vehicle_id)
    with engine.connect() as conn:
        b = vehicles_repo.load_bundles(conn, [reg.vehicle_id], with_events=False)[0]
        conn.rollback()
    with engine.begin() as conn:
        with outbox.changes(conn, AT) as ch:
            writes.update_customers(conn, ((replace(b.owner, phone="13933334444"), ["phone"]),), AT, ch)
            writes.update_vehicles(conn, (replace(b.vehicle, plate="京A7Q532"),), ch)
    assert _keys_of(engine, reg.vehicle_id) == _expected(engine, reg.vehicle_id)
    assert reg.vehicle_id not in _found(engine, "2222") and reg.vehicle_id in _found(engine, "4444")
    assert reg.vehicle_id not in _found(engine, "京A7Q531") and reg.vehicle_id in _found(engine, "京A7Q532")
    assert reg.vehicle_id in _found(engine, "linanjun")

    with engine.begin() as conn:
        writes.tombstone(conn, "vehicle", [reg.vehicle_id])
    assert _keys_of(engine, reg.vehicle_id) == set() and _found(engine, "京A7Q532") == []


def test_a_pulled_rename_moves_the_keys(two):  # noqa: F811
    (a, sa), _ = two
    engine = a.store().engine
    reg = register.register(engine, sa, register.NewRegistration(plate="粤B5K120", name="王小明",
                                                                 phone="13855556666"), now=AT)
    with engine.connect() as conn:
        cid = vehicles_repo.load_bundles(conn, [reg.vehicle_id], with_events=False)[0].owner.id
        conn.rollback()
    apply(engine, [_customer_change(cid, DEV_A, 9_999_999_999_999, name="林安君", phone="13877778888")])
    assert _keys_of(engine, reg.vehicle_id) == _expected(engine, reg.vehicle_id)
    assert reg.vehicle_id in _found(engine, "linanjun") and reg.vehicle_id not in _found(engine, "wangxiaoming")
    assert reg.vehicle_id in _found(engine, "8888") and reg.vehicle_id not in _found(engine, "6666")
