"""`renewdesk-server` as real uvicorn processes on 127.0.0.1, on SQLite and on PostgreSQL."""
from __future__ import annotations

import gzip
import json
import threading

import httpx
import pytest

from desktop.sync import protocol as p

from .server_helpers import events
from .server_process import Server, cli


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hq.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def server(db_url, tmp_path):
    s = Server(db_url, tmp_path).start()
    yield s
    s.stop()


def _push(server, auth, changes, gz=False):
    body = json.dumps({"changes": changes, "audit_head": {"seq": 0, "hash": "0" * 64}}).encode()
    headers = dict(auth, **{"Content-Type": "application/json"})
    if gz:
        body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
    return httpx.post(server.url + "/v1/sync/push", content=body, headers=headers, timeout=60)


def _feed(server, auth) -> list[dict]:
    out, cursor = [], 0
    while True:
        page = httpx.get(server.url + "/v1/sync/pull", params={"cursor": cursor, "limit": 1000}, headers=auth,
                         timeout=60).json()
        out += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return out


def test_serves_health_enrol_push_and_pull(server, db_url):
    kind = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    assert httpx.get(server.url + "/v1/health").json() == {"ok": True, "db": kind}
    dev, auth, _ = server.enroll()
    r = _push(server, auth, events(dev, 1, 20), gz=True)
    assert [x["result"] for x in r.json()["results"]] == ["applied"] * 20
    assert [c["device_seq"] for c in _feed(server, auth)] == list(range(1, 21))
    spec = httpx.get(server.url + "/openapi.json").json()
    assert {"/v1/enroll", "/v1/sync/push", "/v1/sync/pull", "/v1/sync/snapshot", "/v1/health"} <= set(spec["paths"])


def test_one_batch_replayed_8_times_at_once_is_stored_once(server):
    dev, auth, _ = server.enroll()
    batch = events(dev, 1, 200)
    replies: list[dict] = []
    start = threading.Barrier(8)

    def send() -> None:
        start.wait()
        replies.append(_push(server, auth, batch).json())

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(replies) == 8
    outcomes = sorted(tuple(sorted({x["result"] for x in r["results"]})) for r in replies)
    assert outcomes == [("applied",)] + [("duplicate",)] * 7
    assert all(r["expected_seq"] == 201 for r in replies)
    feed = _feed(server, auth)
    assert [c["server_seq"] for c in feed] == list(range(1, 201))
    assert sorted(c["change_id"] for c in feed) == sorted(c["change_id"] for c in batch)


def test_a_puller_racing_four_pushers_never_skips_a_change(server):
    """server_seq is allocated in commit order, so a cursor taken mid-race never passes a later commit."""
    devs = [server.enroll(f"{i}号柜台") for i in range(4)]
    seen: list[int] = []
    done = threading.Event()

    def pusher(dev, auth) -> None:
        for k in range(6):
            _push(server, auth, events(dev, 1 + 50 * k, 50))

    def puller(auth) -> None:
        cursor = 0
        while True:
            finished = done.is_set()
            page = httpx.get(server.url + "/v1/sync/pull", params={"cursor": cursor}, headers=auth, timeout=60).json()
            seen.extend(c["server_seq"] for c in page["changes"])
            cursor = page["cursor"]
            if finished and not page["more"]:
                return

    pull_thread = threading.Thread(target=puller, args=(devs[0][1],))
    pull_thread.start()
    pushers = [threading.Thread(target=pusher, args=(d, a)) for d, a, _ in devs]
    for t in pushers:
        t.start()
    for t in pushers:
        t.join(timeout=300)
    done.set()
    pull_thread.join(timeout=300)
    assert seen == list(range(1, 4 * 300 + 1))


def test_sigkill_mid_stream_keeps_every_acknowledged_change(server, tmp_path):
    dev, auth, _ = server.enroll()
    acked: set[str] = set()
    seq, killed = 1, False
    for _round in range(30):
        batch = events(dev, seq, 100)
        if _round == 10:
            threading.Timer(0.05, server.kill).start()  # lands somewhere inside a push
        try:
            r = _push(server, auth, batch)
        except httpx.HTTPError:
            killed = True
            server.stop()
            server.start()
            continue  # unacknowledged: resend the same seqs with new content, as a client resends its queue
        reply = r.json()
        acked |= {x["change_id"] for x in reply["results"] if x["result"] == "applied"}
        seq = reply["expected_seq"]
    feed = _feed(server, auth)
    stored = [c["change_id"] for c in feed]
    assert acked <= set(stored) and len(stored) == len(set(stored))
    assert [c["device_seq"] for c in feed] == list(range(1, len(feed) + 1))
    assert killed or len(acked) == 3000


def test_cli_options_go_before_or_after_and_revoke_cuts_a_device_off(server):
    dev, auth, _ = server.enroll()
    before = cli("--db", server.db_url, "--json", "devices")
    after = cli("devices", "--json", "--db", server.db_url)
    assert before.returncode == after.returncode == 0
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert [d["id"] for d in json.loads(after.stdout)["devices"]] == [dev]
    assert cli("revoke", dev, "--db", server.db_url).returncode == 0
    assert _push(server, auth, events(dev, 1, 1)).status_code == 401
    again = cli("revoke", dev, "--db", server.db_url)
    assert again.returncode == 2 and "Traceback" not in again.stderr and again.stderr.count("\n") == 1


def test_bad_command_lines_exit_2_with_one_line(tmp_path):
    for args in (["enroll-code"], ["--port", "x"], ["nonsense"], ["--db", "mysql://x/y", "devices"],
                 ["enroll-code", "--branch", "  ", "--data-dir", str(tmp_path)]):
        r = cli(*args, "--data-dir", str(tmp_path))
        assert r.returncode == 2, args
        assert "Traceback" not in r.stderr and r.stderr.strip().count("\n") == 0, r.stderr
    down = cli("--db", "postgresql+psycopg://nobody@127.0.0.1:1/none", "devices")
    assert down.returncode == 6 and "Traceback" not in down.stderr


def test_enrolment_codes_print_as_json_and_work_once(server):
    out = cli("enroll-code", "--branch", "示例店", "--json", "--db", server.db_url)
    code = json.loads(out.stdout)["code"]
    assert set(json.loads(out.stdout)) == {"code"}
    first = httpx.post(server.url + "/v1/enroll", json={"code": code, "counter": "1号柜台"})
    second = httpx.post(server.url + "/v1/enroll", json={"code": code, "counter": "1号柜台"})
    assert first.status_code == 200 and second.status_code == 400
    assert len(p.token_hash(first.json()["token"])) == 64


def test_logs_carry_no_payloads_tokens_or_codes(server):
    from .server_helpers import change, customer_payload

    dev, auth, batch_key = server.enroll()
    cust = customer_payload(phone="13912345678", name="独特姓名")
    _push(server, auth, [change(dev, 1, "customer", cust), change(dev, 2, "vehicle", {"id": cust["id"]})])
    httpx.get(server.url + "/v1/sync/pull", headers=auth)
    server.stop()
    log = (server.data_dir / f"server-{server.port}.log").read_text(errors="replace")
    assert "push device=" in log  # it does log, with counts
    token = auth["Authorization"].split()[1]
    for secret in ("13912345678", "独特姓名", cust["id_number"], token, batch_key):
        assert secret not in log
