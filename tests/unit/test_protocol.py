"""The wire protocol both sides share (DESIGN §6): change shape, payload rules, batch files."""
from __future__ import annotations

import gzip
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.fakes import FakeData
from desktop.core.hlc import HLC
from desktop.core.ids import new_id
from desktop.sync import protocol as p

DEVICE = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
KEY = bytes(range(32))


def _customer(fake: FakeData, cid: str) -> dict:
    return {"id": cid, "name": "王伟", "phone": fake.mobile(), "id_number": fake.id_number(),
            "address": "示例市和平路1号", "consent_contact": True, "consent_mail": False, "notes": None}


def _vehicle(fake: FakeData, vid: str) -> dict:
    return {"id": vid, "plate": fake.plate("ordinary"), "vin": fake.vin(), "vehicle_class": "A1",
            "use": "private", "seats": 5, "energy": None, "registered_on": "2019-05-01", "owner_id": new_id()}


def _term(vid: str, tid: str) -> dict:
    return {"id": tid, "vehicle_id": vid, "kind": "CI", "insurer": "安泰财产保险", "policy_no": "PDZA2026001",
            "start_at": "2026-01-01T00:00:00+08:00", "end_at": "2027-01-01T00:00:00+08:00",
            "premium": "950.00", "float_coef": "1.0", "vehicle_tax": "360", "source": "counter",
            "as_of": "2026-01-01T10:00:00+08:00", "verified_by": "admin"}


def _event(vid: str, eid: str) -> dict:
    return {"id": eid, "vehicle_id": vid, "kind": "outcome", "outcome": "renewed_here", "detail": None,
            "note": "客户来电", "staff": "admin", "at": "2026-12-01T10:00:00+08:00", "corrects": None}


def _change(seq: int = 1, **over) -> dict:
    eid = new_id()
    d = {"change_id": new_id(), "device_seq": seq, "entity": "event", "entity_id": eid, "op": "upsert",
         "payload": _event(new_id(), eid), "hlc": str(HLC(1764554400000, seq, DEVICE))}
    d.update(over)
    return d


# --- changes on the wire ---------------------------------------------------------------------------

@given(seq=st.integers(1, 2**62), counter=st.integers(0, 2**32 - 1), wall=st.integers(0, 10**15 - 1),
       entity=st.sampled_from(p.ENTITIES), op=st.sampled_from(p.OPS))
def test_change_round_trips_through_json(seq, counter, wall, entity, op):
    eid = new_id()
    c = p.Change(new_id(), seq, entity, eid, op, {"id": eid, "note": "续保 ✓"}, str(HLC(wall, counter, DEVICE)))
    wire = json.loads(json.dumps(c.to_wire()))
    assert p.Change.from_wire(wire) == c


def test_from_wire_ignores_the_pull_only_fields():
    d = _change() | {"server_seq": 7, "device_id": DEVICE}
    assert p.Change.from_wire(d).device_seq == 1


@pytest.mark.parametrize("broken", [
    {"entity": "staff"}, {"op": "insert"}, {"device_seq": 0}, {"device_seq": "1"}, {"device_seq": True},
    {"device_seq": 1.0}, {"change_id": "not-a-uuid"}, {"change_id": None}, {"payload": []},
    {"payload": "x"}, {"entity_id": ""}, {"entity_id": 5}, {"hlc": "yesterday"}, {"hlc": 17},
    {"hlc": "1764554400000-00000000-x"},
])
def test_malformed_change_is_a_protocol_error(broken):
    with pytest.raises(p.ProtocolError):
        p.Change.from_wire(_change(**broken))


@pytest.mark.parametrize("key", ["change_id", "device_seq", "entity", "entity_id", "op", "payload", "hlc"])
def test_a_change_without_a_field_is_malformed(key):
    d = _change()
    del d[key]
    with pytest.raises(p.ProtocolError, match=key):
        p.Change.from_wire(d)


def test_push_body_needs_ascending_device_seq_and_one_to_500_changes():
    changes, head = p.parse_push({"changes": [_change(1), _change(2), _change(5)],
                                  "audit_head": {"seq": 3, "hash": "ab" * 32}})
    assert [c.device_seq for c in changes] == [1, 2, 5] and head == {"seq": 3, "hash": "ab" * 32}
    with pytest.raises(p.ProtocolError, match="ascending"):
        p.parse_push({"changes": [_change(2), _change(1)]})
    with pytest.raises(p.ProtocolError, match="ascending"):
        p.parse_push({"changes": [_change(2), _change(2)]})
    with pytest.raises(p.ProtocolError):
        p.parse_push({"changes": []})
    with pytest.raises(p.ProtocolError):
        p.parse_push({"changes": [_change(1)], "audit_head": {"seq": "3"}})
    with pytest.raises(p.ProtocolError):
        p.parse_push([_change(1)])
    with pytest.raises(p.TooLarge):
        p.parse_push({"changes": [_change(i) for i in range(1, 502)]})
    assert len(p.parse_push({"changes": [_change(i) for i in range(1, 501)]})[0]) == 500


def test_pull_limit_defaults_and_clamps():
    assert p.clamp_limit(None) == p.PULL_DEFAULT == 500
    assert p.clamp_limit(5000) == p.PULL_MAX == 1000
    assert p.clamp_limit(3) == 3
    with pytest.raises(p.ProtocolError):
        p.clamp_limit(0)


def test_hlc_node_and_restamping_keep_wall_and_counter():
    local = str(HLC(1764554400123, 7, "local"))
    sent = p.with_node(local, DEVICE)
    assert p.hlc_node(sent) == DEVICE and p.hlc_node(local) == "local"
    assert sent.startswith("001764554400123-00000007-")
    assert p.hlc_wall_ms(sent) == 1764554400123


# --- payload validation ----------------------------------------------------------------------------

def test_whole_rows_of_every_entity_are_accepted():
    fake = FakeData(3)
    for entity, make in (("customer", lambda i: _customer(fake, i)), ("vehicle", lambda i: _vehicle(fake, i)),
                         ("policy_term", lambda i: _term(new_id(), i)), ("event", lambda i: _event(new_id(), i))):
        i = new_id()
        assert p.validate_payload(entity, "upsert", i, make(i)) is None, entity
        assert p.validate_payload(entity if entity != "event" else "customer", "delete", i, {"id": i}) is None


@pytest.mark.parametrize("entity,change,why", [
    ("vehicle", {"plate": "粤Z12"}, "bad_plate"),
    ("vehicle", {"vin": "LSV123"}, "bad_vin"),
    ("vehicle", {"plate": None, "vin": None}, "missing_field:plate"),
    ("vehicle", {"seats": "five"}, "bad_seats"),
    ("vehicle", {"registered_on": "2019-13-01"}, "bad_date:registered_on"),
    ("vehicle", {"owner_id": "42"}, "bad_ref:owner_id"),
    ("customer", {"phone": "12345"}, "bad_phone"),
    ("customer", {"id_number": "110105194912310021"}, "bad_id_number"),
    ("customer", {"consent_mail": "yes"}, "bad_bool:consent_mail"),
    ("customer", {"fields": ["phone", "salary"]}, "bad_fields"),
    ("customer", {"name": "x" * 5000}, "bad_text:name"),
    ("policy_term", {"end_at": None}, "missing_field:end_at"),
    ("policy_term", {"end_at": "2027-01-01"}, "bad_time:end_at"),
    ("policy_term", {"end_at": "2025-01-01T00:00:00+08:00"}, "bad_period"),
    ("policy_term", {"kind": "XX"}, "bad_kind"),
    ("policy_term", {"premium": "lots"}, "bad_number:premium"),
    ("policy_term", {"source": "guess"}, "bad_source"),
    ("policy_term", {"vehicle_id": "v1"}, "bad_ref:vehicle_id"),
    ("event", {"at": None}, "missing_field:at"),
    ("event", {"kind": ""}, "bad_kind"),
    ("event", {"kind": "k" * 65}, "bad_kind"),
    ("event", {"at": "tomorrow"}, "bad_time:at"),
])
def test_bad_payloads_are_refused_with_a_short_ascii_reason(entity, change, why):
    fake = FakeData(5)
    i = new_id()
    base = {"customer": _customer(fake, i), "vehicle": _vehicle(fake, i), "policy_term": _term(new_id(), i),
            "event": _event(new_id(), i)}[entity]
    assert p.validate_payload(entity, "upsert", i, base | change) == why
    assert why.isascii()


def test_id_must_match_and_be_a_uuid_and_events_are_never_deleted():
    i, other = new_id(), new_id()
    assert p.validate_payload("event", "upsert", i, _event(new_id(), other)) == "id_mismatch"
    assert p.validate_payload("customer", "delete", i, {}) == "id_mismatch"
    assert p.validate_payload("customer", "delete", "abc", {"id": "abc"}) == "bad_id"
    assert p.validate_payload("event", "delete", i, {"id": i}) == "append_only"


def test_customer_fields_list_names_what_the_change_sets():
    i = new_id()
    assert p.validate_payload("customer", "upsert", i, {"id": i, "fields": ["phone"], "phone": "13800138000"}) is None
    assert p.validate_payload("customer", "upsert", i, {"id": i, "fields": ["phone"]}) == "missing_field:phone"
    assert p.validate_payload("customer", "upsert", i, {"id": i, "phone": "13800138000"}).startswith("missing_field:")


def test_event_accepts_new_kinds_with_json_detail():
    i = new_id()
    ev = _event(new_id(), i) | {"kind": "complaint", "outcome": None, "detail": {"topic": "理赔慢", "n": 2}}
    assert p.validate_payload("event", "upsert", i, ev) is None


def test_the_published_test_vector_is_a_valid_id_number():
    i = new_id()
    cust = {"id": i, "fields": ["id_number"], "id_number": "11010519491231002X"}
    assert p.validate_payload("customer", "upsert", i, cust) is None


# --- identity for convergence ----------------------------------------------------------------------

def test_term_identity_by_policy_number_else_by_period():
    v = new_id()
    a, b = _term(v, new_id()), _term(v, new_id())
    assert p.term_identity(a) == p.term_identity(b | {"insurer": "其他"}) == (v, "CI", "PDZA2026001")
    a["policy_no"] = b["policy_no"] = None
    assert p.term_identity(a) == (v, "CI", a["start_at"], a["end_at"]) == p.term_identity(b)
    assert p.term_identity(a) != p.term_identity(b | {"kind": "BI"})
    assert p.canonical_id(b["id"], a["id"]) == min(a["id"], b["id"])


def test_vehicle_identity_by_vin_else_plate():
    assert p.vehicle_identity({"vin": "LSVAB1234", "plate": "粤B12345"}) == ("vin", "LSVAB1234")
    assert p.vehicle_identity({"vin": None, "plate": "粤B12345"}) == ("plate", "粤B12345")


# --- enrolment secrets -----------------------------------------------------------------------------

def test_tokens_are_256_bit_urlsafe_and_stored_as_a_hash():
    t = p.new_token()
    assert len(t) == 43 and "=" not in t and set(t) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert p.new_token() != t
    assert p.token_hash(t) != t and len(p.token_hash(t)) == 64 and p.token_hash(t) == p.token_hash(t)
    k = p.new_batch_key()
    assert len(k) == 64 and len(bytes.fromhex(k)) == 32


# --- bodies ---------------------------------------------------------------------------------------

def test_gunzip_limited_refuses_bombs_and_garbage():
    assert p.gunzip_limited(gzip.compress(b"{}")) == b"{}"
    bomb = gzip.compress(b"\0" * (p.MAX_BODY_BYTES + 1))
    assert len(bomb) < 100_000
    with pytest.raises(p.TooLarge):
        p.gunzip_limited(bomb)
    with pytest.raises(p.ProtocolError):
        p.gunzip_limited(b"not gzip at all")
    with pytest.raises(p.ProtocolError):
        p.gunzip_limited(gzip.compress(b"{" * 1000)[:20])


# --- batch files ----------------------------------------------------------------------------------

def _body() -> dict:
    return {"changes": [_change(1), _change(2)], "audit_head": {"seq": 9, "hash": "f" * 64}}


def test_batch_round_trip_authenticates_device_and_number():
    body = _body()
    data = p.encode_batch(body, KEY, DEVICE, 3, "up")
    assert data.startswith(b"RDBATCH1\n")
    assert b"changes" not in data and "王".encode() not in data  # sealed, not just gzipped
    header, got = p.decode_batch(data, lambda d: KEY if d == DEVICE else None)
    assert header == {"device_id": DEVICE, "n": 3, "direction": "up"} and got == body
    header, _ = p.decode_batch(p.encode_batch(body, KEY.hex(), DEVICE, 4, "down"), lambda d: KEY.hex())
    assert header["direction"] == "down"


def test_batch_file_names():
    assert p.batch_file_name(DEVICE, 12) == f"{DEVICE}-12.rdbatch"
    assert p.parse_batch_name(f"{DEVICE}-12.rdbatch") == (DEVICE, 12)
    assert p.parse_batch_name("notes.txt") is None


def test_a_flipped_byte_anywhere_is_refused():
    data = p.encode_batch(_body(), KEY, DEVICE, 1, "up")
    for pos in (len(data) - 1, len(data) - 20, len(p.MAGIC) + 30):
        bad = bytearray(data)
        bad[pos] ^= 0x01
        with pytest.raises(p.BatchError):
            p.decode_batch(bytes(bad), lambda d: KEY)


def test_a_rewritten_header_is_refused_even_when_it_parses():
    data = p.encode_batch(_body(), KEY, DEVICE, 1, "up")
    forged = data.replace(b'"n":1', b'"n":2', 1)
    assert forged != data
    with pytest.raises(p.BatchError, match="altered"):
        p.decode_batch(forged, lambda d: KEY)


def test_wrong_key_unknown_device_and_not_a_batch():
    data = p.encode_batch(_body(), KEY, DEVICE, 1, "up")
    with pytest.raises(p.BatchError, match="another device"):
        p.decode_batch(data, lambda d: bytes(32))
    with pytest.raises(p.BatchError, match="does not know"):
        p.decode_batch(data, lambda d: None)
    with pytest.raises(p.BatchError, match="not a RenewDesk batch"):
        p.decode_batch(b"PK\x03\x04 zip file", lambda d: KEY)
    with pytest.raises(p.BatchError):
        p.decode_batch(data[:40], lambda d: KEY)
    with pytest.raises(p.BatchError):
        p.decode_batch(p.MAGIC + b'{"device_id":1}\n' + bytes(40), lambda d: KEY)
