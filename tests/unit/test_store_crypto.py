"""The encrypted store on disk (DESIGN §4): nothing readable without the key, keys kept right,
wrong keys and damaged files refused without changing a byte, backups restorable elsewhere."""
from __future__ import annotations

import hashlib
import sqlite3
import zipfile
from datetime import timedelta
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest
from sqlalchemy import text

from desktop.cli import exit_code_for
from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.core.status import Term
from desktop.services import auth, lookup, record
from desktop.services.errors import AuthFailed
from desktop.store import backup, keys, vehicles_repo, writes
from desktop.store.engine import make_engine, vacuum_into, verify_readable
from desktop.store.errors import DamagedStore, WrongKey
from desktop.store.keyring_port import MemoryKeyring, OsKeyring
from desktop.store.records import CustomerRec, TermRec, VehicleRec
from desktop.store.store import DB_FILE, create_store, open_store
from tests.conftest import ADMIN_PASSWORD, AT, PASSPHRASE


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _snapshot(d: Path) -> dict[str, str]:
    return {p.relative_to(d).as_posix(): _sha(p) for p in sorted(d.rglob("*")) if p.is_file()}


def _needles(values: list[str]) -> list[bytes]:
    out = []
    for v in values:
        out += [v.encode("utf-8"), v.encode("utf-16-le")]
    return out


def _leaks(blob: bytes, values: list[str]) -> list[str]:
    return [v for v in values if any(n in blob for n in _needles([v]))]


def _never(*_a) -> str:
    raise AssertionError("the passphrase must not be asked for")


@pytest.fixture
def person():
    f = FakeData(20261201)
    return {"plate": f.plate("ordinary"), "name": f.name() + "明", "phone": f.mobile(),
            "id_number": f.id_number(), "vin": f.vin(), "address": f.address()}


def _add_vehicle(engine, p: dict) -> str:
    cid, vid = new_id(), new_id()
    cust = CustomerRec(cid, p["name"], p["phone"], p["id_number"], p["address"])
    veh = VehicleRec(vid, p["plate"], p["vin"], cid)
    term = Term(kind="CI", start_at=AT - timedelta(days=300), end_at=AT + timedelta(days=65),
                insurer="安泰财产保险", policy_no="PDZA000000000001", source="counter", as_of=AT,
                verified_by="admin", id=new_id())
    with engine.begin() as conn:
        writes.insert_customers(conn, (cust,), AT)
        writes.insert_vehicles(conn, (veh,), AT)
        writes.insert_terms(conn, (TermRec.of(vid, term),))
        vehicles_repo.replace_search_keys(conn, veh, cust)
    return vid


@pytest.fixture
def written(app_ctx, admin, person):
    """The person written through the repositories and services; the WAL is left un-checkpointed."""
    engine = app_ctx.store().engine
    vid = _add_vehicle(engine, person)
    record.record_outcome(engine, admin, vid, "will_come", note="客户说下周来", now=AT)
    found = lookup.lookup(engine, admin, person["plate"], AT)
    assert [m.vehicle_id for m in found] == [vid]
    return app_ctx


def _secret_values(p: dict) -> list[str]:
    return [p["plate"], p["name"], p["phone"], p["id_number"], p["vin"], p["address"]]


def test_search_would_find_plaintext(tmp_path, person):
    """Control: the same rows in a plain SQLite file are found by the same search."""
    plain = tmp_path / "plain.db"
    with sqlite3.connect(plain) as db:
        db.execute("CREATE TABLE t(a, b, c, d)")
        db.execute("INSERT INTO t VALUES (?,?,?,?)", (person["plate"], person["name"], person["phone"],
                                                       person["id_number"]))
    assert set(_leaks(plain.read_bytes(), _secret_values(person))) >= {
        person["plate"], person["name"], person["phone"], person["id_number"]}


def test_no_plaintext_in_db_wal_copy_or_backup(written, person, tmp_path):
    store = written.store()
    db, wal = store.db_path, store.db_path.with_name(DB_FILE + "-wal")
    assert wal.exists() and wal.stat().st_size > 0, "the writes should still be in the WAL"
    values = _secret_values(person)
    assert _leaks(db.read_bytes(), values) == []
    assert not db.read_bytes().startswith(b"SQLite format 3")
    assert _leaks(wal.read_bytes(), values) == []

    copy = tmp_path / "pre-migration.db"
    vacuum_into(store.engine, copy)
    assert _leaks(copy.read_bytes(), values) == []
    # It is a real copy: with the key it holds the person (the WAL content included).
    e = make_engine(copy, store.key)
    try:
        with e.connect() as c:
            assert c.execute(text("SELECT plate FROM vehicle")).scalars().all() == [person["plate"]]
    finally:
        e.dispose()

    out = backup.write_backup(store, tmp_path / "b" / "shop.rdbak", "admin")
    assert _leaks(out.read_bytes(), values) == []
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            assert _leaks(z.read(name), values) == [], name


def test_key_file_never_holds_the_raw_key(app_ctx):
    key = app_ctx.store().key
    raw = (app_ctx.data_dir / keys.KEY_FILE).read_bytes()
    import base64

    for form in (key, key.hex().encode(), key.hex().upper().encode(), base64.b64encode(key)):
        assert form not in raw
    assert PASSPHRASE.encode() not in raw


def test_wrong_passphrase_is_wrong_key_and_changes_nothing(app_ctx):
    d = app_ctx.data_dir
    app_ctx.close()
    before = _snapshot(d)
    with pytest.raises(WrongKey) as exc:
        open_store(d, lambda: "not-the-passphrase", MemoryKeyring())
    assert exit_code_for(exc.value) == 3
    assert _snapshot(d) == before


def test_cached_key_opens_without_asking(app_ctx, fake_keyring):
    d = app_ctx.data_dir
    app_ctx.close()
    assert len(fake_keyring.items) == 1  # create_store cached the key
    s = open_store(d, _never, fake_keyring)
    try:
        assert s.key_source == "keyring"
        assert auth.login(s.engine, "admin", ADMIN_PASSWORD).role == "admin"
    finally:
        s.close()


@pytest.mark.parametrize("stale", ["00" * 32, "not-hex-at-all"])
def test_stale_cached_key_falls_back_to_passphrase(app_ctx, fake_keyring, stale):
    d = app_ctx.data_dir
    right = app_ctx.store().key
    app_ctx.close()
    (name,) = fake_keyring.items
    fake_keyring.items[name] = stale
    asked = []

    def ask() -> str:
        asked.append(1)
        return PASSPHRASE

    s = open_store(d, ask, fake_keyring)
    try:
        assert asked == [1] and s.key_source == "passphrase"
        assert fake_keyring.items[name] == right.hex()  # the cache is refilled with the right key
    finally:
        s.close()


class _PlainFileKeyring:
    """Works perfectly, but keeps secrets in plain text like keyrings.alt.file does."""

    __module__ = "keyrings.alt.file"
    priority = 1

    def __init__(self):
        self.items = {}

    def set_password(self, s, u, p):
        self.items[(s, u)] = p

    def get_password(self, s, u):
        return self.items.get((s, u))

    def delete_password(self, s, u):
        self.items.pop((s, u), None)


class _SecretServiceLike(_PlainFileKeyring):
    __module__ = "keyring.backends.SecretService"
    priority = 5


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring, keyring.backends.null.Keyring,
                                     _PlainFileKeyring])
def test_unsafe_keyring_backends_count_as_none(monkeypatch, backend):
    b = backend()
    monkeypatch.setattr(keyring, "get_keyring", lambda: b)
    port = OsKeyring()
    assert port.status().usable is False
    port.set("store-key-x", "ab" * 32)
    assert port.get("store-key-x") is None
    if isinstance(b, _PlainFileKeyring):
        assert b.items == {}  # nothing written in plain text


def test_real_backend_is_used(monkeypatch):
    b = _SecretServiceLike()
    monkeypatch.setattr(keyring, "get_keyring", lambda: b)
    port = OsKeyring()
    assert port.status().usable is True
    port.set("store-key-x", "ab" * 32)
    assert port.get("store-key-x") == "ab" * 32
    assert list(b.items) == [("RenewDesk", "store-key-x")]  # the probe cleaned up after itself


def test_chainer_uses_its_real_backend_never_the_plaintext_one(monkeypatch):
    import keyring.backend
    from keyring.backends.chainer import ChainerBackend

    plain, real = _PlainFileKeyring(), _SecretServiceLike()
    plain.priority = 20  # would be chosen first by the chainer
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [plain, real])
    monkeypatch.setattr(keyring, "get_keyring", lambda: ChainerBackend())
    port = OsKeyring()
    assert port.status().usable is True
    port.set("store-key-x", "cd" * 32)
    assert plain.items == {}
    assert real.items == {("RenewDesk", "store-key-x"): "cd" * 32}


def test_chainer_with_only_unsafe_backends_is_none(monkeypatch):
    import keyring.backend
    from keyring.backends.chainer import ChainerBackend

    monkeypatch.setattr(keyring.backend, "get_all_keyring",
                        lambda: [_PlainFileKeyring(), keyring.backends.null.Keyring()])
    monkeypatch.setattr(keyring, "get_keyring", lambda: ChainerBackend())
    assert OsKeyring().status().usable is False


def _damage_middle_of_page1(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.seek(2000)
        fh.write(b"\x00" * 64)


def _truncate(db: Path) -> None:
    size = db.stat().st_size
    with open(db, "r+b") as fh:
        fh.truncate(size // 3)


@pytest.mark.parametrize("damage", [_damage_middle_of_page1, _truncate])
def test_damaged_store_with_right_key(demo_ctx, fake_keyring, damage):
    d = demo_ctx.data_dir
    demo_ctx.close()
    db = d / DB_FILE
    assert db.stat().st_size > 8 * 4096
    damage(db)
    before = _snapshot(d)
    with pytest.raises(DamagedStore) as exc:
        open_store(d, _never, fake_keyring)  # the cached key is right
    assert exit_code_for(exc.value) == 5
    assert _snapshot(d) == before


def test_verify_readable_passes_on_a_good_store(app_ctx):
    verify_readable(app_ctx.store().engine)  # no exception: the damaged-store test is not vacuous


def test_backup_restores_on_a_new_pc_and_staff_log_in(written, admin, person, tmp_path):
    engine = written.store().engine
    auth.add_staff(engine, admin, "小王", "clerk", "xiaowang-1")
    out = backup.write_backup(written.store(), tmp_path / "out" / "shop.rdbak", "admin")
    auth.add_staff(engine, admin, "after-backup", "clerk", "after-backup-1")
    written.close()

    new_pc = tmp_path / "new-pc"
    lonely = tmp_path / "lonely" / out.name
    lonely.parent.mkdir()
    lonely.write_bytes(out.read_bytes())  # only the backup file travels
    assert backup.restore_backup(lonely, new_pc, lambda: PASSPHRASE) is None
    s = open_store(new_pc, lambda: PASSPHRASE, MemoryKeyring())
    try:
        clerk = auth.login(s.engine, "小王", "xiaowang-1")
        assert clerk.role == "clerk"
        with pytest.raises(AuthFailed):
            auth.login(s.engine, "after-backup", "after-backup-1")
        (m,) = lookup.lookup(s.engine, clerk, person["phone"], AT)
        assert m.plate == person["plate"] and m.coverage.status == "DUE"
    finally:
        s.close()


def test_backup_without_passphrase_is_unreadable(written, tmp_path):
    out = backup.write_backup(written.store(), tmp_path / "shop.rdbak", "admin")
    with pytest.raises(WrongKey):
        backup.restore_backup(out, tmp_path / "elsewhere", lambda: "guess-123")


def test_restore_with_wrong_passphrase_replaces_nothing(written, tmp_path):
    out = backup.write_backup(written.store(), tmp_path / "shop.rdbak", "admin")
    target = tmp_path / "other"  # a different store already lives here
    create_store(target, "other-pass-1", MemoryKeyring()).close()
    before = _snapshot(target)
    with pytest.raises(WrongKey):
        backup.restore_backup(out, target, lambda: "other-pass-1")
    assert _snapshot(target) == before
    open_store(target, lambda: "other-pass-1", MemoryKeyring()).close()  # and still opens
