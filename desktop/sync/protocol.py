"""The wire protocol shared by the counter and head office (DESIGN §6).

Pure: stdlib, ``cryptography`` and desktop.core only, so both sides import the same rules. This
module is the one name both sides import: the change shape, the push body and the results live
here, the payload rules in payload_rules, the byte level (strict JSON, bounded gunzip, batch
files) in wire_codec; their public names are re-exported below.
``Change.from_wire`` raises ``ProtocolError`` for a *malformed* change (the server answers 422,
nothing stored); ``validate_payload`` returns the short ASCII reason a *well-formed* one is refused
(``rejected:<why>``, its device_seq is used up). Reasons never carry the offending value.
"""
from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from desktop.core.hlc import HLC, HLCError

from .payload_rules import CONTACT_FIELDS as CONTACT_FIELDS
from .payload_rules import EVENT_FIELDS as EVENT_FIELDS
from .payload_rules import MAX_KIND as MAX_KIND
from .payload_rules import MAX_SEQ, _is_int
from .payload_rules import MAX_TEXT as MAX_TEXT
from .payload_rules import MAX_UTC_OFFSET as MAX_UTC_OFFSET
from .payload_rules import TERM_FIELDS as TERM_FIELDS
from .payload_rules import TERM_KINDS as TERM_KINDS
from .payload_rules import VEHICLE_FIELDS as VEHICLE_FIELDS
from .payload_rules import is_uuid as is_uuid
from .payload_rules import known_fields as known_fields
from .payload_rules import validate_payload as validate_payload
from .wire_codec import DIRECTIONS as DIRECTIONS
from .wire_codec import MAGIC as MAGIC
from .wire_codec import MAX_BODY_BYTES as MAX_BODY_BYTES
from .wire_codec import BatchError as BatchError
from .wire_codec import ProtocolError, TooLarge
from .wire_codec import batch_file_name as batch_file_name
from .wire_codec import decode_batch as decode_batch
from .wire_codec import dumps as dumps
from .wire_codec import encode_batch as encode_batch
from .wire_codec import gunzip_limited as gunzip_limited
from .wire_codec import loads as loads
from .wire_codec import parse_batch_name as parse_batch_name

ENTITIES = ("customer", "vehicle", "policy_term", "event")
OPS = ("upsert", "delete")
MAX_CHANGES = 500
CLOCK_AHEAD_LIMIT_MS = 3_600_000
PULL_DEFAULT = 500
PULL_MAX = 1000

APPLIED = "applied"
DUPLICATE = "duplicate"
DEFERRED_GAP = "deferred:gap"
DEFERRED_CLOCK = "deferred:clock"
SEQ_CONFLICT = "rejected:seq_conflict"
REJECTED_PREFIX = "rejected:"
_CHANGE_KEYS = ("change_id", "device_seq", "entity", "entity_id", "op", "payload", "hlc")


def rejected(why: str) -> str:
    return REJECTED_PREFIX + why


def is_rejected(result: str) -> bool:
    return result.startswith(REJECTED_PREFIX)


def is_deferred(result: str) -> bool:
    return result in (DEFERRED_GAP, DEFERRED_CLOCK)


# --- changes ---------------------------------------------------------------------------------------

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


def parse_push(body: Any, *, allow_empty: bool = False) -> tuple[list[Change], dict | None]:
    """The changes and audit_head of a push body; ProtocolError (422) or TooLarge (413).
    `allow_empty`: an up batch file may carry no change (a counter asking only for the feed)."""
    if not isinstance(body, dict):
        raise ProtocolError("the push body must be a JSON object")
    raw = body.get("changes")
    if not isinstance(raw, list):
        raise ProtocolError("changes must be a list")
    if len(raw) > MAX_CHANGES:
        raise TooLarge(f"at most {MAX_CHANGES} changes per push")
    if not raw and not allow_empty:
        raise ProtocolError("a push carries at least one change")
    changes = [Change.from_wire(c) for c in raw]
    for a, b in zip(changes, changes[1:], strict=False):
        if b.device_seq <= a.device_seq:
            raise ProtocolError("changes must be in ascending device_seq order")
    head = body.get("audit_head")
    if head is not None:
        if (not isinstance(head, dict) or not _is_int(head.get("seq")) or not 0 <= head["seq"] <= MAX_SEQ
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
