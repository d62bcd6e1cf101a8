"""`renewdesk sync` against a real `renewdesk-server` (SQLite): enrol, push, pull, exit codes, batch files."""
from __future__ import annotations

import json
import sqlite3

import pytest

from tests.integration.sync_harness import Counter, Server, free_port

KEYS = {"pushed", "duplicates", "rejected", "deferred", "pulled", "pending"}


@pytest.fixture
def hq(tmp_path):
    s = Server(tmp_path / "hq").start()
    yield s
    s.kill()


def _plates(counter: Counter) -> list[str]:
    from desktop.app import AppContext
    from desktop.store.keyring_port import NoKeyring

    ctx = AppContext(counter.data_dir, keyring=NoKeyring(), passphrase=lambda: counter.env["RENEWDESK_PASSPHRASE"])
    try:
        with ctx.store().engine.connect() as conn:
            return [r[0] for r in conn.exec_driver_sql("SELECT plate FROM vehicle WHERE deleted = 0 ORDER BY plate")]
    finally:
        ctx.close()


def test_two_counters_converge_through_head_office(tmp_path, hq):
    a, b = Counter(tmp_path / "a", "一号柜台").init(), Counter(tmp_path / "b", "二号柜台").init()
    a.enrol(hq)
    b.enrol(hq)
    assert a.driver("work", "--seed", "11", "--ops", "12").returncode == 0
    assert b.driver("work", "--seed", "12", "--ops", "8").returncode == 0
    code, first, err = a.sync()
    assert code == 0, err
    assert set(first) == KEYS and first["pushed"] > 0 and first["pending"] == 0
    code, got, err = b.sync()
    assert code == 0, err
    assert got["pulled"] == first["pushed"] and got["pending"] == 0
    code, again, _ = a.sync()
    assert again["pushed"] == 0 and again["pulled"] == got["pushed"]
    plates = _plates(a)
    assert plates == _plates(b) and len(plates) >= 2
    for plate in plates:
        assert a.lookup(plate) == b.lookup(plate)
    # the head office holds each change once, in device order, sequences without gaps
    with sqlite3.connect(hq.data_dir / "headoffice.db") as db:
        rows = db.execute("SELECT device_id, device_seq, server_seq FROM change ORDER BY device_id, device_seq").fetchall()
    by_dev: dict[str, list[int]] = {}
    for dev, seq, _ in rows:
        by_dev.setdefault(dev, []).append(seq)
    assert all(seqs == list(range(1, len(seqs) + 1)) for seqs in by_dev.values())


def test_unreachable_is_exit_6_and_a_revoked_device_exit_4_and_nothing_is_lost(tmp_path, hq):
    a = Counter(tmp_path / "a", "一号柜台").init()
    device = a.enrol(hq)
    assert a.driver("work", "--seed", "3", "--ops", "3").returncode == 0
    r = a.run("sync", "--server", f"http://127.0.0.1:{free_port()}", "--json")
    assert r.returncode == 6 and r.stdout == ""
    assert "连不上总部" in r.stderr and "Traceback" not in r.stderr
    code, got, err = a.sync()  # the remembered --server came back to the closed port: still 6
    assert code == 6
    r = a.run("sync", "--server", hq.url, "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["pushed"] > 0
    assert hq.cli("revoke", device).returncode == 0
    code, _, err = a.sync()
    assert code == 4 and "重新注册" in err


def test_plain_http_to_another_machine_is_refused(tmp_path):
    a = Counter(tmp_path / "a", "一号柜台").init()
    r = a.run("sync", "--server", "http://192.0.2.7:8750", "--enroll", "X")
    assert r.returncode == 2 and "https" in r.stderr


def test_batch_files_apply_once_and_refuse_tampering_and_other_devices(tmp_path, hq):
    a, b = Counter(tmp_path / "a", "一号柜台").init(), Counter(tmp_path / "b", "二号柜台").init()
    a.enrol(hq)
    b.enrol(hq)
    assert b.driver("work", "--seed", "21", "--ops", "4").returncode == 0
    assert b.sync()[0] == 0
    assert a.driver("work", "--seed", "22", "--ops", "6").returncode == 0
    up = tmp_path / "usb"
    r = a.run("sync", "--export-batch", str(up), "--json")
    assert r.returncode == 0, r.stderr
    files = [tmp_path / f for f in json.loads(r.stdout)["files"]]
    assert len(files) == 1 and files[0].name.endswith("-1.rdbatch")
    down = tmp_path / "down"
    r = hq.cli("apply-batch", str(files[0]), "--reply", str(down), "--json")
    assert r.returncode == 0, r.stderr
    reply = down / files[0].name
    tampered = tmp_path / "tampered.rdbatch"
    data = bytearray(reply.read_bytes())
    data[-5] ^= 0x01
    tampered.write_bytes(bytes(data))
    # A file that does not authenticate is a failed verification (exit 5), as head office's apply-batch says.
    r = a.run("sync", "--apply-batch", str(tampered))
    assert r.returncode == 5 and "未导入任何数据" in r.stderr
    r = b.run("sync", "--apply-batch", str(reply))
    assert r.returncode == 5 and "不是发给本柜台的" in r.stderr
    r = a.run("sync", "--apply-batch", str(reply), "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert got["pending"] == 0 and got["pushed"] > 0 and got["pulled"] > 0
    before = _plates(a)
    # A second apply changes nothing and says so, like head office's (DESIGN §6): not an error.
    r = a.run("sync", "--apply-batch", str(reply))
    assert r.returncode == 0 and "已经导入过" in r.stdout, r.stderr
    r = a.run("sync", "--apply-batch", str(reply), "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == {"pushed": 0, "duplicates": 0, "rejected": 0, "deferred": 0,
                                                          "pulled": 0, "pending": 0, "more": False}
    assert _plates(a) == before
    assert before == sorted(set(_plates(b)) | set(before))
