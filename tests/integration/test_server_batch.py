"""`renewdesk-server apply-batch`: offline batch files are applied once, tampering applies nothing."""
from __future__ import annotations

import json

import pytest

from desktop.core.ids import new_id
from desktop.sync import protocol as p
from server import devices
from server.db import make_engine, upgrade
from server.sync import pull

from .server_helpers import events
from .server_process import cli


@pytest.fixture(params=["sqlite", "postgresql"])
def hq(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'hq.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    engine = make_engine(url)
    upgrade(engine)
    code = devices.create_code(engine, "示例店")
    dev = devices.enroll(engine, code, "乡镇柜台")
    yield url, engine, dev
    engine.dispose()


def _write_up(tmp_path, dev, n, changes, **extra):
    up = tmp_path / "up"
    up.mkdir(exist_ok=True)
    f = up / p.batch_file_name(dev.device_id, n)
    f.write_bytes(p.encode_batch({"changes": changes, "audit_head": {"seq": 5, "hash": "c" * 64}} | extra,
                                 bytes.fromhex(dev.batch_key), dev.device_id, n, "up"))
    return f


def _apply(url, f, reply_dir, *more):
    return cli("apply-batch", str(f), "--reply", str(reply_dir), "--db", url, *more)


def test_a_batch_applies_like_a_push_and_the_reply_carries_the_feed(hq, tmp_path):
    url, engine, dev = hq
    batch = events(dev.device_id, 1, 5)
    f = _write_up(tmp_path, dev, 1, batch)
    r = _apply(url, f, tmp_path / "down", "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert (out["applied"], out["duplicates"], out["expected_seq"], out["already_applied"]) == (5, 0, 6, False)
    reply_file = tmp_path / "down" / f.name
    header, body = p.decode_batch(reply_file.read_bytes(), lambda d: bytes.fromhex(dev.batch_key))
    assert header == {"device_id": dev.device_id, "n": 1, "direction": "down"}
    assert [x["result"] for x in body["reply"]["results"]] == ["applied"] * 5
    assert [c["change_id"] for c in body["pages"][0]["changes"]] == [c["change_id"] for c in batch]
    assert body["pages"][-1]["more"] is False


def test_a_second_apply_changes_nothing_and_says_so(hq, tmp_path):
    url, engine, dev = hq
    f = _write_up(tmp_path, dev, 1, events(dev.device_id, 1, 3))
    assert _apply(url, f, tmp_path / "down").returncode == 0
    before = (pull(engine, 0, 1000), devices.list_devices(engine))
    again = _apply(url, f, tmp_path / "down")
    assert again.returncode == 0 and "已经处理过" in again.stdout and "nothing changed" in again.stdout
    assert (pull(engine, 0, 1000), devices.list_devices(engine)) == before
    _, body = p.decode_batch((tmp_path / "down" / f.name).read_bytes(), lambda d: bytes.fromhex(dev.batch_key))
    assert [x["result"] for x in body["reply"]["results"]] == ["duplicate"] * 3


def test_pages_start_at_the_counters_cursor(hq, tmp_path):
    url, engine, dev = hq
    assert _apply(url, _write_up(tmp_path, dev, 1, events(dev.device_id, 1, 4)), tmp_path / "d1").returncode == 0
    f2 = _write_up(tmp_path, dev, 2, events(dev.device_id, 5, 2), cursor=4)
    assert _apply(url, f2, tmp_path / "d2").returncode == 0
    _, body = p.decode_batch((tmp_path / "d2" / f2.name).read_bytes(), lambda d: bytes.fromhex(dev.batch_key))
    assert [c["server_seq"] for c in body["pages"][0]["changes"]] == [5, 6]


@pytest.mark.parametrize("damage", ["flip", "other_key", "unknown_device", "revoked", "not_a_batch"])
def test_tampered_or_foreign_batches_apply_nothing(hq, tmp_path, damage):
    url, engine, dev = hq
    f = _write_up(tmp_path, dev, 1, events(dev.device_id, 1, 3))
    data = f.read_bytes()
    if damage == "flip":
        data = data[:-5] + bytes([data[-5] ^ 0x40]) + data[-4:]
    elif damage == "other_key":
        data = p.encode_batch({"changes": events(dev.device_id, 1, 3)}, bytes(32), dev.device_id, 1, "up")
    elif damage == "unknown_device":
        other = new_id()
        data = p.encode_batch({"changes": events(other, 1, 3)}, bytes.fromhex(dev.batch_key), other, 1, "up")
    elif damage == "revoked":
        devices.revoke(engine, dev.device_id)
    else:
        data = b"PK\x03\x04" + data
    f.write_bytes(data)
    r = _apply(url, f, tmp_path / "down")
    assert r.returncode == 5 and "Traceback" not in r.stderr and "nothing applied" in r.stderr
    assert pull(engine, 0, 1000)["changes"] == [] and not (tmp_path / "down").exists()


def test_a_down_batch_or_a_reply_over_the_input_is_refused(hq, tmp_path):
    url, engine, dev = hq
    f = _write_up(tmp_path, dev, 1, events(dev.device_id, 1, 1))
    same_dir = _apply(url, f, f.parent)
    assert same_dir.returncode == 2 and f.exists()
    down = tmp_path / "x.rdbatch"
    down.write_bytes(p.encode_batch({"reply": {}, "pages": []}, bytes.fromhex(dev.batch_key), dev.device_id, 1,
                                    "down"))
    assert _apply(url, down, tmp_path / "out").returncode == 2
    assert _apply(url, tmp_path / "missing.rdbatch", tmp_path / "out").returncode == 2
    assert pull(engine, 0, 1000)["changes"] == []


def test_a_reply_folder_that_cannot_be_made_applies_nothing(hq, tmp_path):
    url, engine, dev = hq
    f = _write_up(tmp_path, dev, 1, events(dev.device_id, 1, 3))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    r = _apply(url, f, blocker)
    assert r.returncode == 2 and "nothing applied" in r.stderr and r.stderr.count("\n") == 1
    assert pull(engine, 0, 10)["changes"] == []  # the batch was not applied before the refusal
    r = _apply(url, f, tmp_path / "down", "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["applied"] == 3  # and applies in full afterwards
