"""The counter's enrolment: head office URL, device id, token and batch key.

The URL and device id are plain sync_state rows. The token and the batch key are secrets: in a
real OS keyring when there is one, otherwise wrapped like the store key (AES-256-GCM under a key
derived from the store key, which itself is wrapped under the operator passphrase) and kept in
the encrypted store. Never plaintext on disk.
"""
from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import Engine

from desktop.store.keyring_port import KeyringPort

SERVER_KEY, DEVICE_KEY, BRANCH_KEY = "server_url", "device_id", "counter_label"
SEQ_KEY = "device_seq"  # the last device_seq given out (desktop.store.outbox.SEQ_KEY)
EXPECTED_KEY = "server_expected_seq"  # what head office last said it expects next from us
CURSOR_KEY = "pull_cursor"  # the last server_seq of head office's feed applied here
_SECRETS = ("token", "batch_key")
_PUT = "INSERT INTO sync_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"


@dataclass(frozen=True)
class Enrolment:
    server_url: str
    device_id: str
    token: str = field(repr=False)
    batch_key: str = field(repr=False)


def _wrap_key(store_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"renewdesk sync secrets v1").derive(store_key)


def _wrap(store_key: bytes, store_id: str, name: str, value: str) -> str:
    nonce = os.urandom(12)
    ct = AESGCM(_wrap_key(store_key)).encrypt(nonce, value.encode("utf-8"), f"{store_id}:{name}".encode())
    return base64.b64encode(nonce + ct).decode("ascii")


def _unwrap(store_key: bytes, store_id: str, name: str, blob: str) -> str | None:
    try:
        raw = base64.b64decode(blob)
        return AESGCM(_wrap_key(store_key)).decrypt(raw[:12], raw[12:], f"{store_id}:{name}".encode()).decode()
    except (InvalidTag, ValueError):
        return None


def _keyring_name(store_id: str, name: str) -> str:
    return f"sync-{name}-{store_id}"


def state(db, key: str) -> str | None:
    row = db.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def put_state(db, key: str, value: str | None) -> None:
    db.execute(_PUT, (key, value))


def read_state(engine: Engine, *keys: str) -> dict[str, str | None]:
    with engine.connect() as conn:
        db = conn.connection.driver_connection
        out = {k: state(db, k) for k in keys}
        conn.rollback()
    return out


def save(engine: Engine, keyring: KeyringPort, store_id: str, store_key: bytes, e: Enrolment) -> str:
    """Store the enrolment; returns where the secrets went ("keyring" | "wrapped")."""
    where = "wrapped"
    if keyring.status().usable:
        for name in _SECRETS:
            keyring.set(_keyring_name(store_id, name), getattr(e, name))
        if all(keyring.get(_keyring_name(store_id, n)) == getattr(e, n) for n in _SECRETS):
            where = "keyring"
    with engine.begin() as conn:
        db = conn.connection.driver_connection
        old_url = state(db, SERVER_KEY)
        # Another head office (its feed numbered from 1 again, or empty of this counter's work):
        # the old office's pull cursor would skip everything it holds below that number, and the
        # changes the old office took would never reach it. The feed is taken again from the new
        # office's snapshot and this counter's whole history is sent again; a new office that is
        # a copy of the old one answers those duplicate (head office knows a change_id under any
        # device), so nothing changes there.
        moved = old_url is not None and old_url != e.server_url
        if state(db, DEVICE_KEY) != e.device_id:
            restart_sequence(db, resend_sent=moved)
        if moved:
            put_state(db, CURSOR_KEY, None)
        put_state(db, SERVER_KEY, e.server_url)
        put_state(db, DEVICE_KEY, e.device_id)
        for name in _SECRETS:
            blob = _wrap(store_key, store_id, name, getattr(e, name)) if where == "wrapped" else None
            put_state(db, f"secret:{name}", blob)
    return where


def load(engine: Engine, keyring: KeyringPort, store_id: str, store_key: bytes) -> Enrolment | None:
    st = read_state(engine, SERVER_KEY, DEVICE_KEY, "secret:token", "secret:batch_key")
    if not st[SERVER_KEY] or not st[DEVICE_KEY]:
        return None
    secrets: dict[str, str | None] = {}
    for name in _SECRETS:
        blob = st[f"secret:{name}"]
        secrets[name] = (_unwrap(store_key, store_id, name, blob) if blob
                         else keyring.get(_keyring_name(store_id, name)))
    if not secrets["token"] or not secrets["batch_key"]:
        return None
    return Enrolment(st[SERVER_KEY], st[DEVICE_KEY], secrets["token"], secrets["batch_key"])


def remember_server(engine: Engine, url: str) -> None:
    with engine.begin() as conn:
        put_state(conn.connection.driver_connection, SERVER_KEY, url)


def restart_sequence(db, resend_sent: bool = False) -> int:
    """A new device id (enrolled again with a new code) starts at device_seq 1 at head office, which
    has seen nothing from it. The pending changes are renumbered 1..p in their order and the next
    write follows them; the rows already answered (sent, rejected) move below zero, in order, so
    they are never sent again under the new id. Kept as they were, the first push was deferred:gap
    (head office expects 1): online the counter then resent its whole history from seq 1 under the
    new id (every change twice in head office's feed), and by batch file it was deferred for good.
    With resend_sent (another head office) the rows the old office took are pending again, in
    their order among the others. Returns p."""
    if resend_sent:
        db.execute("UPDATE outbox SET state = 'pending' WHERE state = 'sent'")
    low, top = db.execute("SELECT COALESCE(MIN(device_seq), 1), COALESCE(MAX(device_seq), 0) FROM outbox").fetchone()
    # Every new value is below every current one, so the unique device_seq holds row by row.
    db.execute("UPDATE outbox SET device_seq = device_seq - ?", (top - min(low, 1) + 1,))
    pending = [r[0] for r in db.execute("SELECT change_id FROM outbox WHERE state = 'pending' ORDER BY device_seq")]
    db.executemany("UPDATE outbox SET device_seq = ? WHERE change_id = ?",
                   [(i, cid) for i, cid in enumerate(pending, 1)])
    put_state(db, SEQ_KEY, str(len(pending)))
    put_state(db, EXPECTED_KEY, None)
    return len(pending)
