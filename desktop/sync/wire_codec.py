"""The byte level of the wire protocol (DESIGN §6): strict JSON, bounded gunzip, batch files.

A batch file (`<device_id>-<n>.rdbatch`) is the push body (or a reply and pull pages), gzip,
AES-256-GCM under the device's batch key with its header (device_id, n, direction) as associated
data. Both sides import these through desktop.sync.protocol.
"""
from __future__ import annotations

import gzip
import json
import os
import re
import zlib
from collections.abc import Callable
from typing import Any

MAX_BODY_BYTES = 8 * 1024 * 1024


class ProtocolError(ValueError):
    """A malformed request or change (HTTP 422: nothing is stored). The message is English, no values."""


class TooLarge(ProtocolError):
    """Over MAX_CHANGES changes or over MAX_BODY_BYTES compressed or decompressed (HTTP 413)."""


class BatchError(ValueError):
    """A batch file that cannot be trusted or read: tampered, wrong key, unknown device, not a batch."""



MAGIC = b"RDBATCH1\n"
DIRECTIONS = ("up", "down")
_NONCE = 12
_NAME_RE = re.compile(r"^(?P<device>[0-9a-f-]{36})-(?P<n>[1-9][0-9]{0,17})\.rdbatch$")


MAX_GZIP_MEMBERS = 16  # RFC 1952 allows members one after another; a body is one or a few


def gunzip_limited(data: bytes, limit: int = MAX_BODY_BYTES) -> bytes:
    """Decompress at most ``limit`` bytes; TooLarge beyond it, ProtocolError for bad gzip.
    Every byte is read: gzip members one after another (RFC 1952; ``gzip.compress`` writes one,
    a streaming writer may write several) up to MAX_GZIP_MEMBERS, and anything after the last that
    is not a member is 422. Trailing bytes were dropped unread, so a damaged or doubled body was
    half-applied; members are capped because each one copies the rest (8 MiB of empty members
    read one by one cost ~40 s)."""
    out = bytearray()
    rest = data
    for _member in range(MAX_GZIP_MEMBERS):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            chunk = d.decompress(rest, limit + 1 - len(out))
            if len(out) + len(chunk) > limit or d.unconsumed_tail:
                raise TooLarge(f"body over {limit} bytes when decompressed")
            chunk += d.flush()
        except zlib.error:
            raise ProtocolError("body is not valid gzip") from None
        out += chunk
        if len(out) > limit:
            raise TooLarge(f"body over {limit} bytes when decompressed")
        if not d.eof:
            raise ProtocolError("body is truncated gzip")
        rest = d.unused_data
        if not rest:
            return bytes(out)
    raise ProtocolError(f"body has more than {MAX_GZIP_MEMBERS} gzip members")


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes) -> Any:
    """JSON as RFC 8259 has it: Python's json also reads NaN and Infinity, which head office then
    stored and served in its feed, breaking every strict parser that pulls it (HTTP 422 instead)."""
    try:
        return json.loads(text, parse_constant=_not_json)
    except RecursionError:  # nesting past the interpreter's stack: malformed for us, not a crash
        raise ValueError("JSON nested too deeply") from None


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def batch_file_name(device_id: str, n: int) -> str:
    return f"{device_id}-{n}.rdbatch"


def parse_batch_name(name: str) -> tuple[str, int] | None:
    m = _NAME_RE.match(name)
    return (m["device"], int(m["n"])) if m else None


def _key_bytes(key: bytes | str) -> bytes:
    k = bytes.fromhex(key) if isinstance(key, str) else key
    if len(k) != 32:
        raise BatchError("batch key must be 32 bytes")
    return k


def encode_batch(body: dict, key: bytes | str, device_id: str, n: int, direction: str) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if direction not in DIRECTIONS:
        raise ValueError("direction must be 'up' or 'down'")
    header = json.dumps({"device_id": device_id, "n": n, "direction": direction},
                        separators=(",", ":"), sort_keys=True).encode("ascii")
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(_key_bytes(key)).encrypt(nonce, gzip.compress(dumps(body), mtime=0), header)
    return MAGIC + header + b"\n" + nonce + sealed


def decode_batch(data: bytes, key_for: Callable[[str], bytes | str | None]) -> tuple[dict, dict]:
    """(header, body) of a batch file; BatchError when it is not one, is tampered, or the key is wrong."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if not data.startswith(MAGIC):
        raise BatchError("not a RenewDesk batch file (.rdbatch)")
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + 512)
    if end < 0:
        raise BatchError("batch file header is damaged")
    header_line = data[len(MAGIC):end]
    try:
        header = json.loads(header_line.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        raise BatchError("batch file header is damaged") from None
    if (not isinstance(header, dict) or not isinstance(header.get("device_id"), str)
            or not (isinstance(header.get("n"), int) and not isinstance(header["n"], bool)) or header.get("direction") not in DIRECTIONS):
        raise BatchError("batch file header is damaged")
    key = key_for(header["device_id"])
    if key is None:
        raise BatchError("batch file comes from a device this side does not know (unknown or revoked)")
    blob = data[end + 1:]
    if len(blob) < _NONCE + 16:
        raise BatchError("batch file is truncated")
    try:
        packed = AESGCM(_key_bytes(key)).decrypt(blob[:_NONCE], blob[_NONCE:], header_line)
    except InvalidTag:
        raise BatchError("batch file was altered or is sealed with another device's key") from None
    try:
        body = loads(gunzip_limited(packed).decode("utf-8"))
    except (ProtocolError, UnicodeDecodeError, ValueError):
        raise BatchError("batch file content is damaged") from None
    if not isinstance(body, dict):
        raise BatchError("batch file content is damaged")
    return header, body
