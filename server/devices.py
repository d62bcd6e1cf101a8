"""Enrolment codes, enrolment, revocation and token checks.

A code is shown once and stored as its SHA-256; it works once and expires after a week. A device
gets a 256-bit token (stored only as its SHA-256) and a batch key for offline batch files.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, and_, select

from desktop.core.ids import new_id
from desktop.sync.protocol import new_batch_key, new_token, token_hash

from .db import write_tx
from .schema import device, enroll_code

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no I/O/0/1: codes are read aloud and typed
CODE_DAYS = 7
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
MAX_NAME = 100


class EnrollError(ValueError):
    """An unknown, used or expired code (HTTP 400, nothing created)."""


def clean_name(s: object) -> str | None:
    """A branch or counter name: printable, 1..100 characters after trimming; None if unusable."""
    if not isinstance(s, str):
        return None
    s = s.strip()
    if not s or len(s) > MAX_NAME or not s.isprintable():
        return None
    return s


def normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def _code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode("ascii", "replace")).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def create_code(engine: Engine, branch: str) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))  # 80 bits
    code = "-".join(raw[i:i + 4] for i in range(0, 16, 4))
    now = _now()
    with write_tx(engine) as conn:
        conn.execute(enroll_code.insert().values(
            code_hash=_code_hash(code), branch=branch, created_at=now.isoformat(timespec="seconds"),
            expires_at=(now + timedelta(days=CODE_DAYS)).isoformat(timespec="seconds")))
    return code


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    token: str
    batch_key: str

    def to_wire(self) -> dict:
        return {"device_id": self.device_id, "token": self.token, "batch_key": self.batch_key}


def enroll(engine: Engine, code: str, counter: str) -> Enrolled:
    now = _now().isoformat(timespec="seconds")
    out = Enrolled(new_id(), new_token(), new_batch_key())
    with write_tx(engine) as conn:
        row = conn.execute(select(enroll_code.c.branch).where(and_(
            enroll_code.c.code_hash == _code_hash(code), enroll_code.c.used_at.is_(None),
            enroll_code.c.expires_at > now))).first()
        if row is None:
            raise EnrollError("enrolment code unknown, used or expired")
        conn.execute(enroll_code.update().where(enroll_code.c.code_hash == _code_hash(code))
                     .values(used_at=now, device_id=out.device_id))
        conn.execute(device.insert().values(
            id=out.device_id, branch=row.branch, counter=counter, token_hash=token_hash(out.token),
            batch_key=out.batch_key, enrolled_at=now, next_seq=1, applied_count=0, rejected_count=0,
            deferred_count=0))
    return out


def revoke(engine: Engine, device_id: str) -> bool:
    """True when the device existed and was active; its token and batch key stop working at once."""
    with write_tx(engine) as conn:
        n = conn.execute(device.update().where(and_(device.c.id == device_id, device.c.revoked_at.is_(None)))
                         .values(revoked_at=_now().isoformat(timespec="seconds"))).rowcount
    return n == 1


def device_for_token(engine: Engine, authorization: str | None) -> str | None:
    """The active device id a `Bearer <token>` header belongs to, else None (HTTP 401)."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN_RE.match(token):
        return None
    with engine.connect() as conn:
        row = conn.execute(select(device.c.id, device.c.revoked_at)
                           .where(device.c.token_hash == token_hash(token))).first()
        conn.rollback()
    if row is None or row.revoked_at is not None:
        return None
    return row.id


def batch_key_for(engine: Engine, device_id: str) -> bytes | None:
    with engine.connect() as conn:
        row = conn.execute(select(device.c.batch_key, device.c.revoked_at).where(device.c.id == device_id)).first()
        conn.rollback()
    if row is None or row.revoked_at is not None:
        return None
    return bytes.fromhex(row.batch_key)


def list_devices(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(device).order_by(device.c.branch, device.c.enrolled_at)).mappings().all()
        conn.rollback()
    return [{k: v for k, v in r.items() if k not in ("token_hash", "batch_key")} for r in rows]
