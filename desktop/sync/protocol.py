"""The wire protocol shared by the counter and head office (DESIGN §6).

Pure: stdlib, ``cryptography`` and desktop.core only, so both sides import the same rules.
Everything that decides whether a change is *malformed* (the server answers 422, nothing stored)
or *well-formed but refused* (``rejected:<why>``, its device_seq is used up) lives here:
``Change.from_wire`` raises ``ProtocolError`` for the first kind, ``validate_payload`` returns the
short ASCII reason for the second. Reasons never carry the offending value (it may be personal).
"""
from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import re
import secrets
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.hlc import HLC, HLCError
from desktop.core.identifiers import IdentifierError, check_id_number, check_phone, check_plate, check_vin
from desktop.core.timeutil import CST, YEAR_MAX, YEAR_MIN

ENTITIES = ("customer", "vehicle", "policy_term", "event")
OPS = ("upsert", "delete")
MAX_CHANGES = 500
MAX_BODY_BYTES = 8 * 1024 * 1024
CLOCK_AHEAD_LIMIT_MS = 3_600_000
MAX_UTC_OFFSET = timedelta(hours=14)  # the widest real offsets are -12 h and +14 h
PULL_DEFAULT = 500
PULL_MAX = 1000

APPLIED = "applied"
DUPLICATE = "duplicate"
DEFERRED_GAP = "deferred:gap"
DEFERRED_CLOCK = "deferred:clock"
SEQ_CONFLICT = "rejected:seq_conflict"
REJECTED_PREFIX = "rejected:"

# Customer fields merged last-writer-wins per field (a change lists the ones it sets in "fields").
CONTACT_FIELDS = ("name", "phone", "id_number", "address", "consent_contact", "consent_mail", "notes")
VEHICLE_FIELDS = ("plate", "vin", "vehicle_class", "use", "seats", "energy", "registered_on", "owner_id")
TERM_FIELDS = ("vehicle_id", "kind", "insurer", "policy_no", "start_at", "end_at", "premium", "float_coef",
               "vehicle_tax", "source", "as_of", "verified_by")
EVENT_FIELDS = ("vehicle_id", "kind", "outcome", "detail", "note", "staff", "at", "corrects")
TERM_KINDS = ("CI", "BI")

MAX_TEXT = 4000  # a notes field or an address; longer is a bug or an attack, not a customer
MAX_KIND = 64
MAX_SEQ = 2**63 - 1  # fits a BIGINT column on both databases
_CHANGE_KEYS = ("change_id", "device_seq", "entity", "entity_id", "op", "payload", "hlc")


class ProtocolError(ValueError):
    """A malformed request or change (HTTP 422: nothing is stored). The message is English, no values."""


class TooLarge(ProtocolError):
    """Over MAX_CHANGES changes or over MAX_BODY_BYTES compressed or decompressed (HTTP 413)."""


class BatchError(ValueError):
    """A batch file that cannot be trusted or read: tampered, wrong key, unknown device, not a batch."""


def rejected(why: str) -> str:
    return REJECTED_PREFIX + why


def is_rejected(result: str) -> bool:
    return result.startswith(REJECTED_PREFIX)


def is_deferred(result: str) -> bool:
    return result in (DEFERRED_GAP, DEFERRED_CLOCK)


# --- changes ---------------------------------------------------------------------------------------

def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def is_uuid(v: Any) -> bool:
    """A canonical lower-case UUID string (every primary key and change_id on the wire)."""
    if not isinstance(v, str) or len(v) != 36:
        return False
    try:
        return str(uuid.UUID(v)) == v
    except ValueError:
        return False


@dataclass(frozen=True)
class Change:
    change_id: str
    device_seq: int
    entity: str
    entity_id: str
    op: str
    payload: dict
    hlc: str

    def to_wire(self) -> dict:
        return {"change_id": self.change_id, "device_seq": self.device_seq, "entity": self.entity,
                "entity_id": self.entity_id, "op": self.op, "payload": self.payload, "hlc": self.hlc}

    @classmethod
    def from_wire(cls, d: Any) -> Change:
        """Parse one change; extra keys (a pulled change's server_seq, device_id) are ignored."""
        if not isinstance(d, dict):
            raise ProtocolError("a change must be a JSON object")
        missing = [k for k in _CHANGE_KEYS if k not in d]
        if missing:
            raise ProtocolError(f"change lacks {', '.join(missing)}")
        if not is_uuid(d["change_id"]):
            raise ProtocolError("change_id must be a UUID string")
        seq = d["device_seq"]
        if not _is_int(seq) or not 1 <= seq <= MAX_SEQ:
            raise ProtocolError("device_seq must be a positive integer")
        if d["entity"] not in ENTITIES:
            raise ProtocolError(f"entity must be one of {', '.join(ENTITIES)}")
        if d["op"] not in OPS:
            raise ProtocolError(f"op must be one of {', '.join(OPS)}")
        if not isinstance(d["entity_id"], str) or not 0 < len(d["entity_id"]) <= 64:
            raise ProtocolError("entity_id must be a non-empty string")
        if not isinstance(d["payload"], dict):
            raise ProtocolError("payload must be a JSON object")
        if not isinstance(d["hlc"], str) or len(d["hlc"]) > 128:
            raise ProtocolError("hlc must be a string")
        try:
            HLC.parse(d["hlc"])
        except HLCError:
            raise ProtocolError("hlc is not '<15-digit wall ms>-<8 hex counter>-<node>'") from None
        return cls(d["change_id"], seq, d["entity"], d["entity_id"], d["op"], d["payload"], d["hlc"])


def hlc_node(s: str) -> str:
    """The node (device id, or "local" before enrolment) of a wire HLC string."""
    return HLC.parse(s).node


def hlc_wall_ms(s: str) -> int:
    return HLC.parse(s).wall_ms


def with_node(s: str, node: str) -> str:
    """The same stamp under another node: the client's "local" becomes its device_id when sent."""
    h = HLC.parse(s)
    return str(HLC(h.wall_ms, h.counter, node))


def parse_push(body: Any) -> tuple[list[Change], dict | None]:
    """The changes and audit_head of a push body; ProtocolError (422) or TooLarge (413)."""
    if not isinstance(body, dict):
        raise ProtocolError("the push body must be a JSON object")
    raw = body.get("changes")
    if not isinstance(raw, list):
        raise ProtocolError("changes must be a list")
    if len(raw) > MAX_CHANGES:
        raise TooLarge(f"at most {MAX_CHANGES} changes per push")
    if not raw:
        raise ProtocolError("a push carries at least one change")
    changes = [Change.from_wire(c) for c in raw]
    for a, b in zip(changes, changes[1:], strict=False):
        if b.device_seq <= a.device_seq:
            raise ProtocolError("changes must be in ascending device_seq order")
    head = body.get("audit_head")
    if head is not None:
        if (not isinstance(head, dict) or not _is_int(head.get("seq")) or head["seq"] < 0
                or not isinstance(head.get("hash"), str) or len(head["hash"]) > 256
                or not (head["hash"].isascii() and head["hash"].isprintable())):
            raise ProtocolError("audit_head must be {\"seq\": integer, \"hash\": string}")
        head = {"seq": head["seq"], "hash": head["hash"]}
    return changes, head


def clamp_limit(limit: int | None) -> int:
    """Pull page size: default PULL_DEFAULT, above PULL_MAX taken as PULL_MAX."""
    if limit is None:
        return PULL_DEFAULT
    if limit < 1:
        raise ProtocolError("limit must be at least 1")
    return min(limit, PULL_MAX)


# --- payload validation ----------------------------------------------------------------------------

def _aware_time(v: Any) -> bool:
    """An ISO instant with a real UTC offset (at most ±14 h) whose UTC+8 date lies in the years
    every side can store and compute with (timeutil's 1900-2200, as --at and imports accept): a
    well-formed 9999-12-31T20:00-08:00 is year 10000 in UTC+8, and every counter that pulled it
    would fail on it at each sync, for good."""
    if not isinstance(v, str) or len(v) > 40:
        return False
    try:
        d = datetime.fromisoformat(v)
        if d.tzinfo is None or abs(d.utcoffset()) > MAX_UTC_OFFSET:
            return False
        # YEAR_MAX + 1: the exclusive end of a term whose last day is 31 Dec of YEAR_MAX.
        return YEAR_MIN <= d.astimezone(CST).year <= YEAR_MAX + 1
    except (ValueError, OverflowError):
        return False


def _iso_date(v: Any) -> bool:
    if not isinstance(v, str) or len(v) > 40:
        return False
    try:
        day = date.fromisoformat(v[:10])
        return YEAR_MIN <= day.year <= YEAR_MAX and (len(v) == 10 or _aware_time(v))
    except ValueError:
        return False


def _decimal(v: Any) -> bool:
    if _is_int(v) or isinstance(v, float):
        return v == v and v not in (float("inf"), float("-inf"))
    if not isinstance(v, str) or len(v) > 40:
        return False
    try:
        return Decimal(v).is_finite()
    except InvalidOperation:
        return False


def _text(v: Any, limit: int = MAX_TEXT) -> bool:
    return v is None or (isinstance(v, str) and len(v) <= limit)


def _ident(check: Callable[[str], Any], v: Any) -> bool:
    if v is None:
        return True
    if not isinstance(v, str) or len(v) > 64:
        return False
    try:
        check(v)
    except IdentifierError:
        return False
    return True


def _customer(p: dict) -> str | None:
    fields = p.get("fields", list(CONTACT_FIELDS))
    if not isinstance(fields, list) or any(f not in CONTACT_FIELDS for f in fields) or not fields:
        return "bad_fields"
    for f in fields:
        if f not in p:
            return f"missing_field:{f}"
    for f in ("name", "address", "notes"):
        if f in p and not _text(p[f]):
            return f"bad_text:{f}"
    for f in ("consent_contact", "consent_mail"):
        if f in p and not isinstance(p[f], bool):
            return f"bad_bool:{f}"
    if not _ident(check_phone, p.get("phone")):
        return "bad_phone"
    if not _ident(check_id_number, p.get("id_number")):
        return "bad_id_number"
    return None


def _vehicle(p: dict) -> str | None:
    if not p.get("plate") and not p.get("vin"):
        return "missing_field:plate"
    if not _ident(check_plate, p.get("plate") or None):
        return "bad_plate"
    if not _ident(check_vin, p.get("vin") or None):
        return "bad_vin"
    for f in ("vehicle_class", "use", "energy"):
        if not _text(p.get(f), MAX_KIND):
            return f"bad_text:{f}"
    seats = p.get("seats")
    if seats is not None and (not _is_int(seats) or not 0 <= seats <= 1000):
        return "bad_seats"
    if p.get("registered_on") is not None and not _iso_date(p["registered_on"]):
        return "bad_date:registered_on"
    if p.get("owner_id") is not None and not is_uuid(p["owner_id"]):
        return "bad_ref:owner_id"
    return None


def _valid_source(v: Any) -> bool:
    return v in ("counter", "hq") or (isinstance(v, str) and v.startswith("import:") and len(v) <= 80)


def _policy_term(p: dict) -> str | None:
    for f in ("vehicle_id", "kind", "start_at", "end_at", "source"):
        if p.get(f) is None:
            return f"missing_field:{f}"
    if not is_uuid(p["vehicle_id"]):
        return "bad_ref:vehicle_id"
    if p["kind"] not in TERM_KINDS:
        return "bad_kind"
    for f in ("start_at", "end_at"):
        if not _aware_time(p[f]):
            return f"bad_time:{f}"
    if datetime.fromisoformat(p["end_at"]) <= datetime.fromisoformat(p["start_at"]):
        return "bad_period"
    if p.get("as_of") is not None and not _aware_time(p["as_of"]):
        return "bad_time:as_of"
    for f in ("premium", "float_coef", "vehicle_tax"):
        if p.get(f) is not None and not _decimal(p[f]):
            return f"bad_number:{f}"
    if not _valid_source(p["source"]):
        return "bad_source"
    for f in ("insurer", "policy_no", "verified_by"):
        if not _text(p.get(f), 200):
            return f"bad_text:{f}"
    return None


def _event(p: dict) -> str | None:
    kind = p.get("kind")
    if kind is None:
        return "missing_field:kind"
    if not isinstance(kind, str) or not 0 < len(kind) <= MAX_KIND:
        return "bad_kind"
    if p.get("at") is None:
        return "missing_field:at"
    if not _aware_time(p["at"]):
        return "bad_time:at"
    for f in ("vehicle_id", "corrects"):
        if p.get(f) is not None and not is_uuid(p[f]):
            return f"bad_ref:{f}"
    for f in ("outcome", "staff"):
        if not _text(p.get(f), 200):
            return f"bad_text:{f}"
    if not _text(p.get("note")):
        return "bad_text:note"
    detail = p.get("detail")
    if detail is not None and len(json.dumps(detail, ensure_ascii=False)) > 4 * MAX_TEXT:
        return "bad_text:detail"
    return None


_VALIDATORS = {"customer": _customer, "vehicle": _vehicle, "policy_term": _policy_term, "event": _event}


def validate_payload(entity: str, op: str, entity_id: str, payload: dict) -> str | None:
    """None when the change may be applied, else the short ASCII reason for ``rejected:<why>``."""
    if not is_uuid(entity_id):
        return "bad_id"
    if payload.get("id") != entity_id:
        return "id_mismatch"
    try:  # a lone surrogate ("\ud800") is valid JSON but no text: a counter cannot store it (UTF-8)
        json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return "bad_text"
    if op == "delete":
        if entity == "event":
            return "append_only"  # a correction is a new event, never a deletion
        return None
    return _VALIDATORS[entity](payload)


# --- identity for convergence (the same rule on every replica) ----------------------------------

def term_identity(payload: dict) -> tuple:
    """(vehicle_id, kind, policy_no) when there is a policy number, else (vehicle_id, kind, start, end)."""
    if payload.get("policy_no"):
        return (payload["vehicle_id"], payload["kind"], payload["policy_no"])
    return (payload["vehicle_id"], payload["kind"], payload.get("start_at"), payload.get("end_at"))


def vehicle_identity(payload: dict) -> tuple:
    """("vin", VIN) when there is a VIN, else ("plate", plate)."""
    if payload.get("vin"):
        return ("vin", payload["vin"])
    return ("plate", payload.get("plate"))


def canonical_id(*ids: str) -> str:
    """Of rows sharing one identity, the smaller UUID string is the one every replica keeps."""
    return min(ids)


# --- enrolment -------------------------------------------------------------------------------------

def new_token() -> str:
    """256 random bits, urlsafe base64 without padding (43 characters)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii")


def token_hash(token: str) -> str:
    """What the server stores instead of the token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_batch_key() -> str:
    """32 random bytes as 64 hex characters."""
    return secrets.token_hex(32)


# --- bodies and batch files ------------------------------------------------------------------------

MAGIC = b"RDBATCH1\n"
DIRECTIONS = ("up", "down")
_NONCE = 12
_NAME_RE = re.compile(r"^(?P<device>[0-9a-f-]{36})-(?P<n>[1-9][0-9]{0,17})\.rdbatch$")


def gunzip_limited(data: bytes, limit: int = MAX_BODY_BYTES) -> bytes:
    """Decompress at most ``limit`` bytes; TooLarge beyond it, ProtocolError for bad gzip."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = d.decompress(data, limit + 1)
        if len(out) > limit or d.unconsumed_tail:
            raise TooLarge(f"body over {limit} bytes when decompressed")
        out += d.flush()
    except zlib.error:
        raise ProtocolError("body is not valid gzip") from None
    if len(out) > limit:
        raise TooLarge(f"body over {limit} bytes when decompressed")
    if not d.eof:
        raise ProtocolError("body is truncated gzip")
    return out


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def loads(text: str | bytes) -> Any:
    """JSON as RFC 8259 has it: Python's json also reads NaN and Infinity, which head office then
    stored and served in its feed, breaking every strict parser that pulls it (HTTP 422 instead)."""
    return json.loads(text, parse_constant=_not_json)


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
            or not _is_int(header.get("n")) or header.get("direction") not in DIRECTIONS):
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
