"""The store key: 32 random bytes, wrapped under the operator passphrase, cached in a real OS keyring.

`key.wrapped` (JSON) holds the key under AES-256-GCM with a scrypt-derived key-encryption key,
and a check value (HMAC-SHA256 of the store id under the raw key) so a key that came from the
keyring can be told right or wrong without touching the database file.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .errors import DamagedStore, WrongKey

KEY_FILE = "key.wrapped"
KEY_BYTES = 32
# scrypt cost: ~100 ms on a counter PC, paid only when the keyring has no cached key.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: str) -> bytes:
    return base64.b64decode(s.encode("ascii"))


@dataclass(frozen=True)
class WrappedKey:
    store_id: str
    salt: bytes
    nonce: bytes
    ciphertext: bytes
    check: bytes
    n: int = SCRYPT_N
    r: int = SCRYPT_R
    p: int = SCRYPT_P

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": 1,
                "store_id": self.store_id,
                "kdf": {"name": "scrypt", "n": self.n, "r": self.r, "p": self.p, "salt": _b64(self.salt)},
                "aead": {"name": "AES-256-GCM", "nonce": _b64(self.nonce), "ciphertext": _b64(self.ciphertext)},
                "check": _b64(self.check),
            },
            indent=2,
        )

    @classmethod
    def from_json(cls, text: str) -> WrappedKey:
        try:
            d = json.loads(text)
            kdf, aead = d["kdf"], d["aead"]
            return cls(
                store_id=d["store_id"],
                salt=_unb64(kdf["salt"]),
                nonce=_unb64(aead["nonce"]),
                ciphertext=_unb64(aead["ciphertext"]),
                check=_unb64(d["check"]),
                n=int(kdf["n"]),
                r=int(kdf["r"]),
                p=int(kdf["p"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise DamagedStore(f"密钥文件 {KEY_FILE} 已损坏，无法读取。请从备份恢复。") from exc


def _kek(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32)


def check_value(key: bytes, store_id: str) -> bytes:
    return hmac.new(key, store_id.encode("ascii"), hashlib.sha256).digest()


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def wrap_key(key: bytes, passphrase: str, store_id: str) -> WrappedKey:
    salt, nonce = os.urandom(16), os.urandom(12)
    ct = AESGCM(_kek(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(nonce, key, store_id.encode("ascii"))
    return WrappedKey(store_id, salt, nonce, ct, check_value(key, store_id))


def unwrap_key(wrapped: WrappedKey, passphrase: str) -> bytes:
    kek = _kek(passphrase, wrapped.salt, wrapped.n, wrapped.r, wrapped.p)
    try:
        key = AESGCM(kek).decrypt(wrapped.nonce, wrapped.ciphertext, wrapped.store_id.encode("ascii"))
    except InvalidTag as exc:
        raise WrongKey("密钥不正确：口令错误。请确认口令（RENEWDESK_PASSPHRASE）后重试。") from exc
    if not hmac.compare_digest(check_value(key, wrapped.store_id), wrapped.check):
        raise WrongKey("密钥不正确：校验值不符。")
    return key


def key_matches(wrapped: WrappedKey, key: bytes) -> bool:
    return hmac.compare_digest(check_value(key, wrapped.store_id), wrapped.check)


def read_wrapped(data_dir: Path) -> WrappedKey:
    return WrappedKey.from_json((data_dir / KEY_FILE).read_text("utf-8"))


def write_wrapped(data_dir: Path, wrapped: WrappedKey) -> None:
    # Written to a temp file and renamed so a power cut never leaves half a key file.
    tmp = data_dir / (KEY_FILE + ".tmp")
    tmp.write_text(wrapped.to_json(), "utf-8")
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, data_dir / KEY_FILE)
