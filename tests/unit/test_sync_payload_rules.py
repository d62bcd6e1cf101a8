"""DESIGN §6: a payload that fails validation is rejected:<why>, never stored for the others to pull
(instants past the calendar, text that is no text, NaN).

An instant at the calendar's end (9999-12-31T20:00-08:00 is year 10000 in UTC+8) or with an
offset no place uses was 'well-formed': head office applied it, and every counter that pulled it
stored an instant it cannot read back (every lookup, list or letter run touching that car failed).
Head office now refuses it, and a counter skips such a change if an older head office serves one."""
from __future__ import annotations

import pytest

from desktop.app import AppContext
from desktop.core.fakes import FakeData
from desktop.services import auth
from desktop.sync import protocol
from desktop.sync.client import SyncClient
from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

DEV_A, DEV_B = "0190a000-0000-7000-8000-00000000000a", "0190b000-0000-7000-8000-00000000000b"
VEHICLE, TERM = "0190a000-0000-7000-8000-0000000000f1", "0190a000-0000-7000-8000-0000000000f2"
fake = FakeData(515)
PLATE = fake.plate("ordinary")


def term(start: str = "2026-01-01T00:00:00+08:00", end: str = "2027-01-01T00:00:00+08:00", **kw) -> dict:
    return {"id": TERM, "vehicle_id": VEHICLE, "kind": "CI", "insurer": "示例", "policy_no": "P-1",
            "start_at": start, "end_at": end, "source": "counter", **kw}


@pytest.mark.parametrize("field, value", [
    ("end_at", "9999-12-31T20:00:00-08:00"),   # year 10000 once in UTC+8
    ("end_at", "9999-12-31T23:59:59+08:00"),
    ("start_at", "0001-01-01T00:00:00-08:00"),
    ("end_at", "2027-01-01T00:00:00+15:00"),   # no place is 15 h ahead
    ("as_of", "0001-01-01T00:00:00+14:00"),
])
def test_a_term_time_outside_the_storable_years_or_offsets_is_rejected(field, value):
    assert protocol.validate_payload("policy_term", "upsert", TERM, term(**{field: value})) == f"bad_time:{field}"


def test_a_term_ending_on_the_last_accepted_day_is_still_valid():
    assert protocol.validate_payload("policy_term", "upsert", TERM,
                                     term("2200-01-01T00:00:00+08:00", "2201-01-01T00:00:00+08:00")) is None
    assert protocol.validate_payload("policy_term", "upsert", TERM,
                                     term("2026-01-01T00:00:00Z", "2027-01-01T00:00:00-12:00")) is None


def test_a_registration_date_at_the_calendar_end_is_rejected():
    vehicle = {"id": VEHICLE, "plate": PLATE, "registered_on": "9999-12-31"}
    assert protocol.validate_payload("vehicle", "upsert", VEHICLE, vehicle) == "bad_date:registered_on"


def _pulled(seq: int, entity: str, entity_id: str, payload: dict) -> dict:
    return {"server_seq": seq, "device_id": DEV_A, "change_id": f"0190a000-0000-7000-8000-{seq:012d}",
            "device_seq": seq, "entity": entity, "entity_id": entity_id, "op": "upsert", "payload": payload,
            "hlc": f"{1_700_000_000_000 + seq:015d}-00000000-{DEV_A}"}


def test_a_counter_skips_a_pulled_change_it_cannot_store_and_keeps_syncing(tmp_path, fake_keyring):
    ctx = AppContext(tmp_path / "b", keyring=fake_keyring, passphrase=lambda: PASSPHRASE)
    store = ctx.create(PASSPHRASE)
    auth.add_staff(store.engine, None, "admin", "admin", ADMIN_PASSWORD)
    try:
        page = [_pulled(1, "vehicle", VEHICLE, {"id": VEHICLE, "plate": PLATE}),
                _pulled(2, "policy_term", TERM, term(end="9999-12-31T20:00:00-08:00"))]
        SyncClient(store.engine, None, DEV_B).apply_page(page, 2)
        with store.engine.connect() as conn:
            assert [r[0] for r in conn.exec_driver_sql("SELECT plate FROM vehicle")] == [PLATE]
            assert conn.exec_driver_sql("SELECT count(*) FROM policy_term").scalar() == 0
            assert conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'pull_cursor'").scalar() == "2"
    finally:
        ctx.close()


def test_a_counter_skips_a_pulled_note_that_is_no_text(tmp_path, fake_keyring):
    """A lone surrogate ("\\ud800", valid JSON) in a note an older head office applied: the counter's
    store takes UTF-8 only, so the page failed with UnicodeEncodeError at every sync."""
    ctx = AppContext(tmp_path / "b", keyring=fake_keyring, passphrase=lambda: PASSPHRASE)
    store = ctx.create(PASSPHRASE)
    try:
        eid = "0190a000-0000-7000-8000-0000000000f3"
        bad = {"id": eid, "vehicle_id": VEHICLE, "kind": "visit", "note": "\ud800", "at": "2026-12-01T10:00:00+08:00"}
        page = [_pulled(1, "vehicle", VEHICLE, {"id": VEHICLE, "plate": PLATE}), _pulled(2, "event", eid, bad)]
        SyncClient(store.engine, None, DEV_B).apply_page(page, 2)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM event").scalar() == 0
            assert conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'pull_cursor'").scalar() == "2"
    finally:
        ctx.close()


def test_strict_json_refuses_nan_and_infinity():
    for text in ('{"a": NaN}', '[Infinity]', '{"a": -Infinity}'):
        with pytest.raises(ValueError):
            protocol.loads(text)
    assert protocol.loads('{"a": 1.5}') == {"a": 1.5}


@pytest.mark.parametrize("field, value", [("vin", []), ("vin", {}), ("vin", False), ("vin", 0), ("plate", []), ("plate", 0)])
def test_a_plate_or_vin_that_is_no_text_is_bad_not_absent(field, value):
    vehicle = {"id": VEHICLE, "plate": PLATE, "vin": fake.vin()} | {field: value}
    assert protocol.validate_payload("vehicle", "upsert", VEHICLE, vehicle) == f"bad_{field}"


def test_a_counter_skips_a_pulled_vin_that_is_no_text(tmp_path, fake_keyring):
    """`"vin": []` from an older head office: binding the list failed the page (InterfaceError) at
    every sync, so the counter never pulled past it."""
    ctx = AppContext(tmp_path / "b", keyring=fake_keyring, passphrase=lambda: PASSPHRASE)
    store = ctx.create(PASSPHRASE)
    try:
        page = [_pulled(1, "vehicle", VEHICLE, {"id": VEHICLE, "plate": PLATE, "vin": []})]
        SyncClient(store.engine, None, DEV_B).apply_page(page, 1)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM vehicle").scalar() == 0
            assert conn.exec_driver_sql("SELECT value FROM sync_state WHERE key = 'pull_cursor'").scalar() == "1"
    finally:
        ctx.close()


def _event(detail) -> dict:
    return {"id": "0190a000-0000-7000-8000-0000000000f3", "vehicle_id": VEHICLE, "kind": "contact",
            "outcome": "no_answer", "detail": detail, "note": None, "staff": "admin", "at": "2026-12-01T10:00:00+08:00"}


def _nest(depth: int):
    d: object = "x"
    for i in range(depth):
        d = {"k": d} if i % 2 else [d]
    return d


def test_an_event_detail_nested_past_sixteen_levels_is_refused():
    """A detail ~1000 deep was stored as sent, and a pulled page holding it failed to parse at a
    counter whose call stack was deeper than head office's: every sync after failed there."""
    assert protocol.validate_payload("event", "upsert", _event({})["id"], _event(_nest(16))) is None
    assert protocol.validate_payload("event", "upsert", _event({})["id"], _event(_nest(17))) == "bad_text:detail"


def test_json_nested_past_the_stack_is_a_value_error_not_a_crash():
    with pytest.raises(ValueError):
        protocol.loads("[" * 100_000 + "]" * 100_000)
