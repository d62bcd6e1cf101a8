"""JSON schemas of the wire protocol for /openapi.json (documentation only).

The handlers parse bodies themselves (server.api) so that every status code is exactly the one
DESIGN §6 names; these schemas describe the same shapes for clients and for schemathesis.
"""
from __future__ import annotations

from desktop.sync.protocol import ENTITIES, MAX_CHANGES, OPS

_RESULT = {"type": "string", "description": "applied | duplicate | deferred:gap | deferred:clock | rejected:<why>"}
CHANGE = {
    "type": "object",
    "required": ["change_id", "device_seq", "entity", "entity_id", "op", "payload", "hlc"],
    "properties": {
        "change_id": {"type": "string", "format": "uuid"},
        "device_seq": {"type": "integer", "minimum": 1},
        "entity": {"type": "string", "enum": list(ENTITIES)},
        "entity_id": {"type": "string"},
        "op": {"type": "string", "enum": list(OPS)},
        "payload": {"type": "object"},
        "hlc": {"type": "string", "description": "<15-digit wall ms>-<8 hex counter>-<device_id>"},
    },
}
PUSH_BODY = {
    "type": "object",
    "required": ["changes"],
    "properties": {
        "changes": {"type": "array", "minItems": 1, "maxItems": MAX_CHANGES, "items": CHANGE},
        "audit_head": {"type": "object", "required": ["seq", "hash"],
                       "properties": {"seq": {"type": "integer", "minimum": 0}, "hash": {"type": "string"}}},
    },
}
PUSH_REPLY = {
    "type": "object",
    "required": ["results", "expected_seq"],
    "properties": {
        "results": {"type": "array", "items": {
            "type": "object", "required": ["change_id", "device_seq", "result"],
            "properties": {"change_id": {"type": "string"}, "device_seq": {"type": "integer"}, "result": _RESULT,
                           "stored_result": {"type": "string", "description": "with duplicate only: what the "
                                             "stored copy got (applied | rejected:<why>)"}}}},
        "expected_seq": {"type": "integer"},
    },
}
PULL_REPLY = {
    "type": "object",
    "required": ["changes", "cursor", "more"],
    "properties": {
        "changes": {"type": "array", "items": {"allOf": [CHANGE, {
            "type": "object", "required": ["server_seq", "device_id"],
            "properties": {"server_seq": {"type": "integer"}, "device_id": {"type": "string"}}}]}},
        "cursor": {"type": "integer"},
        "more": {"type": "boolean"},
    },
}
SNAPSHOT_REPLY = {
    "type": "object",
    "required": ["page", "rows", "more", "cursor", "pages"],
    "properties": {
        "page": {"type": "integer"}, "more": {"type": "boolean"}, "cursor": {"type": "integer"},
        "pages": {"type": "integer"},
        "rows": {"type": "array", "items": {"type": "object", "required": ["entity", "id", "op", "payload", "hlc"]}},
    },
}
ENROLL_BODY = {
    "type": "object",
    "required": ["code", "counter"],
    "properties": {"code": {"type": "string"}, "counter": {"type": "string", "minLength": 1, "maxLength": 100}},
}
ENROLL_REPLY = {
    "type": "object",
    "required": ["device_id", "token", "batch_key"],
    "properties": {"device_id": {"type": "string"}, "token": {"type": "string"}, "batch_key": {"type": "string"}},
}
HEALTH_REPLY = {
    "type": "object", "required": ["ok", "db"],
    "properties": {"ok": {"type": "boolean"}, "db": {"type": "string", "enum": ["sqlite", "postgresql"]}},
}
ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}


def json_response(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def errors(*codes: int) -> dict:
    text = {400: "unknown or used enrolment code", 401: "missing, malformed, unknown or revoked token",
            410: "cursor older than the retention: rebuild from /v1/sync/snapshot",
            413: "over 500 changes or over 8 MiB (compressed or decompressed)",
            415: "unsupported Content-Encoding (only gzip)",
            422: "malformed body or parameters (nothing stored)",
            503: "database unavailable, try later"}
    return {c: json_response(ERROR, text[c]) for c in codes}


def body(schema: dict) -> dict:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
