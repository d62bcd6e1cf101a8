"""Payload rules of the wire protocol (DESIGN §6): is a well-formed change's payload acceptable?

``validate_payload`` returns None or the short ASCII reason for ``rejected:<why>`` (the change's
device_seq is used up, the queue moves on). Reasons never carry the offending value (it may be
personal). Pure: stdlib and desktop.core only; both sides import it through desktop.sync.protocol.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop.core.identifiers import IdentifierError, check_id_number, check_phone, check_plate, check_vin
from desktop.core.timeutil import CST, YEAR_MAX, YEAR_MIN

MAX_UTC_OFFSET = timedelta(hours=14)  # the widest real offsets are -12 h and +14 h

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
    # "" is "none" (a car known by its VIN alone); any other non-text ([], {}, false, 0) is bad,
    # never "none": head office would serve it and every counter fail to store it.
    if not _ident(check_plate, None if p.get("plate") == "" else p.get("plate")):
        return "bad_plate"
    if not _ident(check_vin, None if p.get("vin") == "" else p.get("vin")):
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
    if detail is not None and (_nested_deeper(detail, MAX_DETAIL_DEPTH)
                               or len(json.dumps(detail, ensure_ascii=False)) > 4 * MAX_TEXT):
        return "bad_text:detail"
    return None


MAX_DETAIL_DEPTH = 16  # the counter writes 1–2 levels; ~1000 reach the JSON parser's recursion limit


def _nested_deeper(obj: Any, limit: int) -> bool:
    """Lists/objects nested more than `limit` deep (checked without recursion). Stored as sent, a
    detail ~1000 deep made a pulled page fail to parse at a counter with a deeper call stack."""
    level = [obj]
    for _ in range(limit + 1):
        level = [v for o in level if isinstance(o, list | dict) for v in (o.values() if isinstance(o, dict) else o)]
        if not level:
            return False
    return True


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



_KNOWN = {"customer": ("id", *CONTACT_FIELDS, "fields"), "vehicle": ("id", *VEHICLE_FIELDS),
          "policy_term": ("id", *TERM_FIELDS), "event": ("id", *EVENT_FIELDS)}


def known_fields(entity: str, op: str, payload: dict) -> dict:
    """The payload with only the fields of its entity (a delete: only "id"). What head office
    stores and serves to every counter: keys no rule looked at (a newer client's, or megabytes
    of junk) are not kept to be fanned out on each pull and snapshot."""
    keep = ("id",) if op == "delete" else _KNOWN[entity]
    return {k: payload[k] for k in keep if k in payload}
