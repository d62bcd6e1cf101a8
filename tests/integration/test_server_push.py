"""Head office against the wire protocol of DESIGN §6, on SQLite and on a real PostgreSQL.

FastAPI's TestClient drives the real app and database (no mocks); test_server_process.py runs
the same server as real uvicorn processes.
"""
from __future__ import annotations

import gzip
import json

import pytest
from fastapi.testclient import TestClient

from desktop.core.ids import new_id
from desktop.sync import protocol as p
from server import devices
from server.api import ServerConfig, create_app
from server.db import make_engine, upgrade

from .server_helpers import (
    change,
    customer_payload,
    event_payload,
    events,
    stamp,
    term_payload,
    vehicle_payload,
)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'hq.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    eng = make_engine(url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def client(engine):
    with TestClient(create_app(ServerConfig(engine))) as c:
        yield c


def enroll(client, engine, counter="1号柜台") -> tuple[str, dict]:
    code = devices.create_code(engine, "示例店")
    r = client.post("/v1/enroll", json={"code": code, "counter": counter})
    assert r.status_code == 200, r.text
    d = r.json()
    return d["device_id"], {"Authorization": f"Bearer {d['token']}"}


def push(client, auth, changes, **extra):
    return client.post("/v1/sync/push", json={"changes": changes, "audit_head": {"seq": 1, "hash": "a" * 64}} | extra,
                       headers=auth)


def pull_all(client, auth, cursor=0, limit=500) -> list[dict]:
    out = []
    while True:
        r = client.get("/v1/sync/pull", params={"cursor": cursor, "limit": limit}, headers=auth)
        assert r.status_code == 200, r.text
        page = r.json()
        out += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return out


def results(r) -> list[str]:
    assert r.status_code == 200, r.text
    return [x["result"] for x in r.json()["results"]]


def test_health_names_the_database(client, engine):
    assert client.get("/v1/health").json() == {"ok": True, "db": engine.dialect.name}


def test_enrolment_code_works_once_and_bad_codes_create_nothing(client, engine):
    code = devices.create_code(engine, "示例店")
    first = client.post("/v1/enroll", json={"code": code, "counter": "1号柜台"})
    assert first.status_code == 200
    d = first.json()
    assert len(d["token"]) == 43 and len(d["batch_key"]) == 64 and p.is_uuid(d["device_id"])
    assert client.post("/v1/enroll", json={"code": code, "counter": "2号柜台"}).status_code == 400
    assert client.post("/v1/enroll", json={"code": "AAAA-BBBB-CCCC-DDDD", "counter": "x"}).status_code == 400
    assert client.post("/v1/enroll", json={"counter": "x"}).status_code == 422
    assert client.post("/v1/enroll", content=b"{nope", headers={"Content-Type": "application/json"}).status_code == 422
    assert [x["counter"] for x in devices.list_devices(engine)] == ["1号柜台"]
    stored = json.dumps(devices.list_devices(engine))
    assert d["token"] not in stored and d["batch_key"] not in stored


def test_a_code_read_aloud_works_in_lower_case_without_dashes(client, engine):
    code = devices.create_code(engine, "示例店")
    r = client.post("/v1/enroll", json={"code": code.replace("-", " ").lower(), "counter": "1号柜台"})
    assert r.status_code == 200


def test_tokens_missing_malformed_unknown_or_revoked_are_401(client, engine):
    dev, auth = enroll(client, engine)
    body = {"changes": events(dev, 1, 1)}
    for headers in ({}, {"Authorization": "Bearer"}, {"Authorization": "Basic abc"},
                    {"Authorization": "Bearer " + "x" * 43}, {"Authorization": "Bearer " + p.new_token()}):
        r = client.post("/v1/sync/push", json=body, headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
        assert client.get("/v1/sync/pull", headers=headers).status_code == 401
        assert client.get("/v1/sync/snapshot", headers=headers).status_code == 401
    assert results(push(client, auth, body["changes"])) == ["applied"]
    assert devices.revoke(engine, dev)
    assert push(client, auth, events(dev, 2, 1)).status_code == 401
    assert client.get("/v1/sync/pull", headers=auth).status_code == 401


def test_push_applies_in_order_and_a_replay_is_all_duplicates(client, engine):
    dev, auth = enroll(client, engine)
    batch = events(dev, 1, 3)
    r = push(client, auth, batch)
    assert results(r) == ["applied"] * 3 and r.json()["expected_seq"] == 4
    assert [x["change_id"] for x in r.json()["results"]] == [c["change_id"] for c in batch]
    again = push(client, auth, batch)
    assert results(again) == ["duplicate"] * 3 and again.json()["expected_seq"] == 4
    assert len(pull_all(client, auth)) == 3


def test_a_gap_defers_the_rest_and_stores_nothing(client, engine):
    dev, auth = enroll(client, engine)
    assert results(push(client, auth, events(dev, 1, 2))) == ["applied", "applied"]
    r = push(client, auth, [change(dev, 4), change(dev, 5)])
    assert results(r) == ["deferred:gap", "deferred:gap"] and r.json()["expected_seq"] == 3
    r = push(client, auth, [change(dev, 3), change(dev, 5), change(dev, 6)])
    assert results(r) == ["applied", "deferred:gap", "deferred:gap"] and r.json()["expected_seq"] == 4
    assert [c["device_seq"] for c in pull_all(client, auth)] == [1, 2, 3]


def test_another_change_at_a_used_seq_is_seq_conflict_and_the_stored_one_stays(client, engine):
    dev, auth = enroll(client, engine)
    first = change(dev, 1)
    push(client, auth, [first])
    r = push(client, auth, [change(dev, 1), change(dev, 2)])
    assert results(r) == ["rejected:seq_conflict", "applied"] and r.json()["expected_seq"] == 3
    assert [c["change_id"] for c in pull_all(client, auth)][0] == first["change_id"]


def test_rejected_changes_use_up_their_seq_and_never_reach_the_feed(client, engine):
    dev, auth = enroll(client, engine)
    bad_plate = change(dev, 1, "vehicle", vehicle_payload(plate="粤Z1"))
    other_node = change(dev, 2, hlc=stamp("someone-else", 2))
    mismatch = change(dev, 3)
    mismatch["entity_id"] = new_id()
    hq = change(dev, 4, "policy_term", term_payload(new_id(), source="hq"))
    ok = change(dev, 5)
    r = push(client, auth, [bad_plate, other_node, mismatch, hq, ok])
    assert results(r) == ["rejected:bad_plate", "rejected:hlc_node", "rejected:id_mismatch", "rejected:hq_source",
                          "applied"]
    assert r.json()["expected_seq"] == 6
    assert results(push(client, auth, [bad_plate])) == ["duplicate"]  # stored as rejected
    assert [c["change_id"] for c in pull_all(client, auth)] == [ok["change_id"]]


def test_a_duplicate_carries_what_its_stored_copy_got(client, engine):
    dev, auth = enroll(client, engine)
    bad_plate = change(dev, 1, "vehicle", vehicle_payload(plate="粤Z1"))
    ok = change(dev, 2)
    assert results(push(client, auth, [bad_plate, ok])) == ["rejected:bad_plate", "applied"]
    again = push(client, auth, [bad_plate, ok]).json()["results"]
    assert [(x["result"], x["stored_result"]) for x in again] == [("duplicate", "rejected:bad_plate"),
                                                                  ("duplicate", "applied")]
    fresh = push(client, auth, [change(dev, 3)]).json()["results"]
    assert "stored_result" not in fresh[0]  # only a duplicate has a stored copy


@pytest.mark.parametrize("wall, counter", [("+01796238967301", "00000001"), ("1_796238967_301", "00000001"),
                                           (" 1796238967301 ", "00000001"), ("001796238967301", "0000000A"),
                                           ("001796238967301", "0x000001"), ("00179623896730١", "00000001")])
def test_an_hlc_in_any_but_its_canonical_text_is_422(client, engine, wall, counter):
    """Stamps are compared as text (fixed-width fields sort as the values do) on every replica:
    a spelling that parses to the same value but sorts elsewhere would let replicas disagree."""
    dev, auth = enroll(client, engine)
    r = push(client, auth, [change(dev, 1, hlc=f"{wall}-{counter}-{dev}")])
    assert r.status_code == 422 and "hlc" in r.json()["detail"]
    assert results(push(client, auth, [change(dev, 1)])) == ["applied"]  # nothing stored, seq 1 unused


def test_fields_no_rule_knows_are_not_stored_or_served_to_other_counters(client, engine):
    dev, auth = enroll(client, engine)
    cust = customer_payload()
    up = change(dev, 1, "customer", cust | {"junk": "垃" * 100_000, "\u0000": 1})
    gone = change(dev, 2, "customer", {"id": cust["id"], "name": "张三"}, op="delete")
    assert results(push(client, auth, [up, gone])) == ["applied", "applied"]
    _other, other = enroll(client, engine, "2号柜台")
    fed = pull_all(client, other)
    assert [c["payload"] for c in fed] == [cust, {"id": cust["id"]}]
    snap = client.get("/v1/sync/snapshot", params={"page": 0}, headers=other).json()
    assert [(r["op"], set(r["payload"]) <= set(cust)) for r in snap["rows"]] == [("delete", True)]


def test_a_clock_over_an_hour_ahead_is_deferred_without_using_the_seq(client, engine):
    dev, auth = enroll(client, engine)
    r = push(client, auth, [change(dev, 1, ahead_ms=2 * 3_600_000), change(dev, 2)])
    assert results(r) == ["deferred:clock", "deferred:gap"] and r.json()["expected_seq"] == 1
    assert devices.list_devices(engine)[0]["clock_ahead_ms"] > 3_600_000
    r = push(client, auth, [change(dev, 1, ahead_ms=30 * 60_000), change(dev, 2)])
    assert results(r) == ["applied", "applied"]
    assert devices.list_devices(engine)[0]["clock_ahead_ms"] is None


@pytest.mark.parametrize("mutate", [
    lambda b: b["changes"].reverse(),
    lambda b: b["changes"][0].update(entity="staff"),
    lambda b: b["changes"][0].update(op="insert"),
    lambda b: b["changes"][0].pop("hlc"),
    lambda b: b["changes"][1].update(device_seq=1),
    lambda b: b.update(changes=[]),
    lambda b: b.update(changes="x"),
    lambda b: b.update(audit_head={"seq": "x"}),
    lambda b: b.update(audit_head={"seq": 2**63, "hash": "a"}),  # past BIGINT: was a 500 (SQLite), 503 (PG)
])
def test_malformed_pushes_are_422_and_store_nothing(client, engine, mutate):
    dev, auth = enroll(client, engine)
    body = {"changes": events(dev, 1, 2)}
    mutate(body)
    assert client.post("/v1/sync/push", json=body, headers=auth).status_code == 422
    assert results(push(client, auth, events(dev, 1, 1))) == ["applied"]  # seq 1 was not used


def test_bodies_that_are_not_json_are_422(client, engine):
    _, auth = enroll(client, engine)
    for raw in (b"", b"[1,2", b"\xff\xfe", b"[]", b"null", b'"changes"'):
        r = client.post("/v1/sync/push", content=raw, headers=auth | {"Content-Type": "application/json"})
        assert r.status_code == 422, raw
    bad_gzip = client.post("/v1/sync/push", content=b"not gzip", headers=auth | {"Content-Encoding": "gzip"})
    assert bad_gzip.status_code == 422
    assert client.get("/v1/sync/pull", params={"cursor": -1}, headers=auth).status_code == 422
    assert client.get("/v1/sync/pull", params={"cursor": "abc"}, headers=auth).status_code == 422
    assert client.get("/v1/sync/pull", params={"cursor": 10**30}, headers=auth).status_code == 422
    assert client.get("/v1/sync/snapshot", params={"page": -1}, headers=auth).status_code == 422


def test_a_gzip_body_with_bytes_after_its_stream_is_422_and_stores_nothing(client, engine):
    """Bytes after the gzip stream (junk, or a second member) were dropped unread and the first
    member applied: a damaged body must be refused, not half-read."""
    dev, auth = enroll(client, engine)
    packed = gzip.compress(json.dumps({"changes": events(dev, 1, 1)}).encode())
    for tail in (b"junk", b"\0", packed):
        r = client.post("/v1/sync/push", content=packed + tail, headers=auth | {"Content-Encoding": "gzip"})
        assert r.status_code == 422, tail
    assert results(push(client, auth, events(dev, 1, 1))) == ["applied"]  # seq 1 was not used


def test_a_gzip_body_in_several_members_is_read_whole(client, engine):
    """RFC 1952 lets members follow one another (a streaming writer flushes one per chunk): the
    body is all of them. A body of more members than any writer makes is refused."""
    dev, auth = enroll(client, engine)
    body = json.dumps({"changes": events(dev, 1, 2)}).encode()
    cut = len(body) // 2
    two = gzip.compress(body[:cut]) + gzip.compress(body[cut:])
    r = client.post("/v1/sync/push", content=two, headers=auth | {"Content-Encoding": "gzip"})
    assert r.status_code == 200 and results(r) == ["applied", "applied"]
    body = json.dumps({"changes": events(dev, 3, 1)}).encode()
    many = b"".join(gzip.compress(body[i:i + 1]) for i in range(17)) + gzip.compress(body[17:])
    assert client.post("/v1/sync/push", content=many, headers=auth | {"Content-Encoding": "gzip"}).status_code == 422
    assert results(push(client, auth, events(dev, 3, 1))) == ["applied"]  # seq 3 was not used


def test_a_plate_or_vin_that_is_no_text_is_rejected_and_never_served(client, engine):
    """`"vin": []` (or {}, false, 0) passed as "no VIN": head office applied it and served it, and
    every counter that pulled it failed binding the list into its store, at each sync."""
    dev, auth = enroll(client, engine)
    bad = [vehicle_payload(vin=v) for v in ([], {}, False, 0)] + [vehicle_payload(plate=v) for v in ([], {}, 0)]
    r = push(client, auth, [change(dev, i, "vehicle", b) for i, b in enumerate(bad, 1)])
    assert results(r) == ["rejected:bad_vin"] * 4 + ["rejected:bad_plate"] * 3
    assert pull_all(client, auth) == []
    ok = [vehicle_payload(vin=None), vehicle_payload(vin=""), vehicle_payload(plate="")]
    assert results(push(client, auth, [change(dev, 8 + i, "vehicle", b) for i, b in enumerate(ok)])) == ["applied"] * 3


def test_gzip_bodies_are_accepted_and_size_limits_are_413(client, engine):
    dev, auth = enroll(client, engine)
    body = json.dumps({"changes": events(dev, 1, 2)}).encode()
    r = client.post("/v1/sync/push", content=gzip.compress(body), headers=auth | {"Content-Encoding": "gzip"})
    assert results(r) == ["applied", "applied"]
    too_many = {"changes": events(dev, 3, 501)}
    assert client.post("/v1/sync/push", json=too_many, headers=auth).status_code == 413
    big = json.dumps({"changes": events(dev, 3, 1), "pad": "x" * p.MAX_BODY_BYTES}).encode()
    assert client.post("/v1/sync/push", content=big, headers=auth).status_code == 413
    bomb = gzip.compress(big)
    assert len(bomb) < p.MAX_BODY_BYTES
    assert client.post("/v1/sync/push", content=bomb, headers=auth | {"Content-Encoding": "gzip"}).status_code == 413
    assert results(push(client, auth, events(dev, 3, 500))) == ["applied"] * 500


def test_pull_pages_the_whole_feed_in_order_with_every_device(client, engine):
    a, auth_a = enroll(client, engine, "1号柜台")
    b, auth_b = enroll(client, engine, "2号柜台")
    push(client, auth_a, events(a, 1, 500))
    push(client, auth_b, events(b, 1, 500))
    push(client, auth_a, events(a, 501, 200))
    page = client.get("/v1/sync/pull", params={"cursor": 0, "limit": 5000}, headers=auth_b).json()
    assert len(page["changes"]) == 1000 and page["more"] and page["cursor"] == 1000  # above 1000 is taken as 1000
    assert len(client.get("/v1/sync/pull", headers=auth_b).json()["changes"]) == 500  # the default
    feed = pull_all(client, auth_b, limit=333)
    assert [c["server_seq"] for c in feed] == list(range(1, 1201))
    assert {c["device_id"] for c in feed} == {a, b}
    assert [c["device_seq"] for c in feed if c["device_id"] == a] == list(range(1, 701))
    first = feed[0]
    assert set(first) == {"server_seq", "device_id", "change_id", "device_seq", "entity", "entity_id", "op",
                          "payload", "hlc"}
    end = client.get("/v1/sync/pull", params={"cursor": 1200}, headers=auth_a).json()
    assert end == {"changes": [], "cursor": 1200, "more": False}
    past = client.get("/v1/sync/pull", params={"cursor": 5000}, headers=auth_a).json()
    assert past == {"changes": [], "cursor": 5000, "more": False}


@pytest.mark.parametrize("query", [{"limit": 0}, {"limit": "1.5"}, {"cursor": -1}, {"cursor": "abc"},
                                   {"cursor": 2**63}])
def test_a_bad_pull_query_is_422_with_the_same_error_body_as_every_other(client, engine, query):
    _dev, auth = enroll(client, engine)
    r = client.get("/v1/sync/pull", params=query, headers=auth)
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert isinstance(detail, str) and detail.startswith(next(iter(query)))


def test_a_cursor_older_than_the_retention_is_410_and_the_snapshot_still_serves(client, engine):
    from server.sync import prune

    dev, auth = enroll(client, engine)
    v = vehicle_payload()
    push(client, auth, [change(dev, 1, "vehicle", v), change(dev, 2, "vehicle", {"id": v["id"]}, op="delete"),
                        change(dev, 3)])
    assert prune(engine, 0) == 3
    assert client.get("/v1/sync/pull", params={"cursor": 0}, headers=auth).status_code == 410
    assert client.get("/v1/sync/pull", params={"cursor": 3}, headers=auth).status_code == 200
    snap = client.get("/v1/sync/snapshot", params={"page": 0}, headers=auth).json()
    assert [r["entity"] for r in snap["rows"]] == ["event"] and snap["cursor"] == 3  # the tombstone is gone


def test_snapshot_pages_hold_the_current_state_with_per_field_stamps(client, engine):
    a, auth_a = enroll(client, engine, "1号柜台")
    b, auth_b = enroll(client, engine, "2号柜台")
    cust = customer_payload(phone="13800138000")
    push(client, auth_a, [change(a, 1, "customer", cust, ahead_ms=-20_000)])
    # b changes the phone later; a's older address edit arrives after it: both fields survive.
    newer = change(b, 1, "customer", {"id": cust["id"], "fields": ["phone"], "phone": "13900139000"})
    older = change(a, 2, "customer", {"id": cust["id"], "fields": ["address", "phone"], "address": "新地址1号",
                                      "phone": "13700137000"}, ahead_ms=-10_000)
    push(client, auth_b, [newer])
    push(client, auth_a, [older])
    snap = client.get("/v1/sync/snapshot", params={"page": 0}, headers=auth_a).json()
    (row,) = [r for r in snap["rows"] if r["entity"] == "customer"]
    assert row["payload"]["phone"] == "13900139000" and row["payload"]["address"] == "新地址1号"
    assert row["field_hlc"]["phone"] == newer["hlc"] and snap["more"] is False and snap["pages"] == 1


def test_the_same_term_from_two_counters_converges_on_the_smaller_id(client, engine):
    a, auth_a = enroll(client, engine, "1号柜台")
    b, auth_b = enroll(client, engine, "2号柜台")
    veh = vehicle_payload()
    push(client, auth_a, [change(a, 1, "vehicle", veh)])
    t1, t2 = sorted([new_id(), new_id()], reverse=True)  # the one stored first (t1) has the larger id
    push(client, auth_a, [change(a, 2, "policy_term", term_payload(veh["id"], t1, policy_no="PDZA1"))])
    push(client, auth_b, [change(b, 1, "policy_term", term_payload(veh["id"], t2, policy_no="PDZA1", insurer="华诚财险"))])
    other = term_payload(veh["id"], policy_no=None, kind="BI")  # another identity: a term of its own
    push(client, auth_a, [change(a, 3, "policy_term", other)])
    rows = client.get("/v1/sync/snapshot", headers=auth_b).json()["rows"]
    terms = {r["id"]: r["payload"] for r in rows if r["entity"] == "policy_term"}
    assert sorted(terms) == sorted([t2, other["id"]])
    assert terms[t2]["insurer"] == "华诚财险" and terms[t2]["id"] == t2
    # An edit sent under the other id lands on the converged row.
    push(client, auth_a, [change(a, 4, "policy_term", term_payload(veh["id"], t1, policy_no="PDZA1", premium="999"))])
    rows = client.get("/v1/sync/snapshot", headers=auth_b).json()["rows"]
    terms = {r["id"]: r["payload"] for r in rows if r["entity"] == "policy_term"}
    assert sorted(terms) == sorted([t2, other["id"]]) and terms[t2]["premium"] == "999"


def test_events_are_append_only(client, engine):
    dev, auth = enroll(client, engine)
    ev = event_payload(note="第一次")
    r = push(client, auth, [change(dev, 1, "event", ev), change(dev, 2, "event", ev | {"note": "改过"}),
                            change(dev, 3, "event", {"id": ev["id"]}, op="delete")])
    assert results(r) == ["applied", "applied", "rejected:append_only"]
    (row,) = client.get("/v1/sync/snapshot", headers=auth).json()["rows"]
    assert row["payload"]["note"] == "第一次" and row["op"] == "upsert"


def test_a_change_id_stored_under_another_device_is_a_duplicate_and_uses_its_seq(client, engine):
    """The same change sent again under a new device id (a counter enrolled anew whose replies were
    lost, or a copied store) was applied a second time, and every counter pulled it twice."""
    a, auth_a = enroll(client, engine, "一号柜台")
    b, auth_b = enroll(client, engine, "二号柜台")
    first = change(a, 1)
    assert results(push(client, auth_a, [first])) == ["applied"]
    again = change(b, 1, payload=first["payload"], change_id=first["change_id"])
    r = push(client, auth_b, [again, change(b, 2)])
    assert results(r) == ["duplicate", "applied"] and r.json()["expected_seq"] == 3
    assert r.json()["results"][0]["stored_result"] == "applied"
    feed = pull_all(client, auth_a)
    assert [c["change_id"] for c in feed].count(first["change_id"]) == 1 and len(feed) == 2
    r = push(client, auth_b, [again])  # its reply lost: the resend is this device's own duplicate
    assert results(r) == ["duplicate"] and r.json()["results"][0]["stored_result"] == "applied"
    refused = change(a, 2, entity="vehicle", payload={"id": new_id(), "plate": "", "vin": ""})
    assert results(push(client, auth_a, [refused]))[0].startswith("rejected:")
    r = push(client, auth_b, [change(b, 3, entity="vehicle", payload=refused["payload"],
                                     change_id=refused["change_id"])])
    assert results(r) == ["duplicate"] and r.json()["results"][0]["stored_result"].startswith("rejected:")


def test_the_same_change_id_twice_in_one_push_is_a_duplicate(client, engine):
    dev, auth = enroll(client, engine)
    c1 = change(dev, 1)
    c2 = change(dev, 2, change_id=c1["change_id"])
    assert results(push(client, auth, [c1, c2])) == ["applied", "duplicate"]


def test_audit_head_is_kept_as_the_counter_anchor(client, engine):
    dev, auth = enroll(client, engine)
    push(client, auth, events(dev, 1, 1), audit_head={"seq": 42, "hash": "b" * 64})
    (d,) = devices.list_devices(engine)
    assert (d["audit_seq"], d["audit_hash"]) == (42, "b" * 64)


def test_a_head_behind_the_anchor_keeps_the_anchor_and_raises_an_alarm(client, engine):
    """Deleting the tail of a counter's audit chain and pushing again must not move head office's
    anchor back to the shorter chain (it did: the anchor followed any head it was sent)."""
    from server.page import _device_rows

    dev, auth = enroll(client, engine)
    push(client, auth, events(dev, 1, 1), audit_head={"seq": 7, "hash": "h7"})
    push(client, auth, events(dev, 2, 1), audit_head={"seq": 3, "hash": "older"})
    (d,) = devices.list_devices(engine)
    assert (d["audit_seq"], d["audit_hash"]) == (7, "h7")
    assert d["audit_alarm"].endswith("reported #3, anchor #7")
    assert "柜台报来的审计链到第 3 条，总部记到第 7 条" in _device_rows([d], "csrf")
    first = d["audit_alarm"]
    push(client, auth, events(dev, 3, 1), audit_head={"seq": 9, "hash": "h9"})  # the chain grows on
    (d,) = devices.list_devices(engine)
    assert (d["audit_seq"], d["audit_hash"], d["audit_alarm"]) == (9, "h9", first)  # the alarm stays


def test_the_same_head_seq_with_another_hash_is_an_alarm_too(client, engine):
    dev, auth = enroll(client, engine)
    push(client, auth, events(dev, 1, 1), audit_head={"seq": 5, "hash": "a" * 64})
    push(client, auth, events(dev, 2, 1), audit_head={"seq": 5, "hash": "a" * 64})
    (d,) = devices.list_devices(engine)
    assert d["audit_alarm"] is None  # the same head again is no alarm
    push(client, auth, events(dev, 3, 1), audit_head={"seq": 5, "hash": "c" * 64})
    (d,) = devices.list_devices(engine)
    assert (d["audit_seq"], d["audit_hash"]) == (5, "a" * 64) and d["audit_alarm"].endswith("reported #5, anchor #5")


def test_ack_before_commit_fault_mode_loses_acknowledged_changes(client, engine, monkeypatch):
    """The deliberately broken mode the fault campaign's checker must catch."""
    monkeypatch.setenv("RENEWDESK_SERVER_FAULT", "ack-before-commit")
    dev, auth = enroll(client, engine)
    acked, seq = [], 1
    for _ in range(60):
        c = change(dev, seq)
        r = push(client, auth, [c])
        if results(r) == ["applied"]:  # the reply says stored...
            acked.append(c["change_id"])
        seq = r.json()["expected_seq"]
    stored = {c["change_id"] for c in pull_all(client, auth)}
    assert stored and len(acked) > len(stored) and not set(acked) <= stored  # ...but some never were


def test_the_same_vehicle_registered_on_two_counters_converges_with_its_terms(client, engine):
    a, auth_a = enroll(client, engine, "1号柜台")
    b, auth_b = enroll(client, engine, "2号柜台")
    v_big, v_small = sorted([new_id(), new_id()], reverse=True)
    veh = vehicle_payload()
    push(client, auth_a, [change(a, 1, "vehicle", veh | {"id": v_big}),
                          change(a, 2, "policy_term", term_payload(v_big, policy_no="PA1"))])
    push(client, auth_b, [change(b, 1, "vehicle", veh | {"id": v_small, "seats": 7}),
                          change(b, 2, "policy_term", term_payload(v_small, policy_no="PA1")),
                          change(b, 3, "event", event_payload(v_big))])
    rows = client.get("/v1/sync/snapshot", headers=auth_a).json()["rows"]
    vehicles = [r for r in rows if r["entity"] == "vehicle"]
    terms = [r for r in rows if r["entity"] == "policy_term"]
    (ev,) = [r for r in rows if r["entity"] == "event"]
    assert [v["id"] for v in vehicles] == [v_small] and vehicles[0]["payload"]["seats"] == 7
    assert len(terms) == 1 and terms[0]["payload"]["vehicle_id"] == v_small  # one term, on the kept vehicle
    assert ev["payload"]["vehicle_id"] == v_small


def test_a_tombstone_wins_over_older_writes_and_loses_to_newer_ones(client, engine):
    dev, auth = enroll(client, engine)
    cust = customer_payload()
    push(client, auth, [change(dev, 1, "customer", cust, ahead_ms=-30_000),
                        change(dev, 2, "customer", {"id": cust["id"]}, op="delete", ahead_ms=-20_000),
                        change(dev, 3, "customer", cust | {"fields": ["notes"], "notes": "旧"}, ahead_ms=-25_000)])
    (row,) = client.get("/v1/sync/snapshot", headers=auth).json()["rows"]
    assert row["op"] == "delete"
    push(client, auth, [change(dev, 4, "customer", cust | {"fields": ["notes"], "notes": "新"})])
    (row,) = client.get("/v1/sync/snapshot", headers=auth).json()["rows"]
    assert row["op"] == "upsert" and row["payload"]["notes"] == "新"
    ghost = new_id()
    push(client, auth, [change(dev, 5, "vehicle", {"id": ghost}, op="delete", ahead_ms=-5_000),
                        change(dev, 6, "vehicle", vehicle_payload(ghost), ahead_ms=-9_000)])
    rows = {r["id"]: r for r in client.get("/v1/sync/snapshot", headers=auth).json()["rows"]}
    assert rows[ghost]["op"] == "delete"  # a delete that arrived first still beats the older upsert


def test_head_office_terms_win_over_counter_copies(engine):
    """source=hq is issued by head office itself (a counter may not claim it), and counters never overwrite it."""
    from desktop.sync.protocol import Change
    from server.db import write_tx
    from server.state import Materialiser

    veh_id, hq_id = new_id(), new_id()
    hq_term = term_payload(veh_id, hq_id, policy_no="HQ1", source="hq", insurer="总部")
    counter = term_payload(veh_id, policy_no="HQ1", insurer="柜台")
    with write_tx(engine) as conn:
        m = Materialiser(conn, 0)
        m.apply(Change(new_id(), 1, "policy_term", hq_id, "upsert", hq_term, stamp("hq", 1, -1000)), 1)
        m.apply(Change(new_id(), 2, "policy_term", counter["id"], "upsert", counter, stamp("x", 2)), 2)
        m.apply(Change(new_id(), 3, "policy_term", hq_id, "delete", {"id": hq_id}, stamp("x", 3)), 3)
        m.flush()
    with TestClient(create_app(ServerConfig(engine))) as c:
        _, auth = enroll(c, engine)
        (row,) = c.get("/v1/sync/snapshot", headers=auth).json()["rows"]
    assert row["id"] == min(hq_id, counter["id"]) and row["payload"]["insurer"] == "总部" and row["op"] == "upsert"


def test_nan_is_not_json_and_a_lone_surrogate_is_no_text(client, engine):
    """Python's json reads NaN and a lone "\\ud800" escape: head office stored both and served them
    in its feed, where NaN breaks every strict JSON parser and the surrogate every counter (its
    store takes UTF-8 only: each sync failed with exit 1, for good)."""
    dev, auth = enroll(client, engine)
    nan = json.dumps({"changes": [change(dev, 1, payload=event_payload(note=float("nan")))]})
    r = client.post("/v1/sync/push", content=nan, headers={**auth, "Content-Type": "application/json"})
    assert r.status_code == 422
    body = json.dumps({"changes": [change(dev, 1, payload=event_payload(note="\ud800"))]})  # an ASCII escape
    r = client.post("/v1/sync/push", content=body, headers={**auth, "Content-Type": "application/json"})
    assert results(r) == ["rejected:bad_text"] and r.json()["expected_seq"] == 2
    assert pull_all(client, auth) == []


def test_a_customer_first_known_by_some_fields_comes_through_the_snapshot(client, engine):
    """Head office fills the fields no change has set with null, consent_contact and consent_mail
    too; the counter turned the row into changes carrying that whole payload, which fail the wire
    rules (bad_bool), so a counter rebuilding from the snapshot skipped the customer that one
    pulling the feed has."""
    from desktop.sync.client import snapshot_changes, usable

    dev, auth = enroll(client, engine)
    cust = customer_payload(fields=["phone"])
    assert results(push(client, auth, [change(dev, 1, "customer", cust)])) == ["applied"]
    (row,) = client.get("/v1/sync/snapshot", params={"page": 0}, headers=auth).json()["rows"]
    changes = snapshot_changes(row)
    assert all(usable(c) for c in changes)
    assert [(c["payload"]["fields"], c["payload"]["phone"]) for c in changes] == [(["phone"], cust["phone"])]
