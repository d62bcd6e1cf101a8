"""The insurer directory: shipped data in resources/directory, admin corrections as synced events.

Why events and not settings: the wire protocol carries customer, vehicle, policy_term and event
only; a correction is an append-only `insurer_directory` event (no vehicle), so every counter folds
the same corrections in the same (at, id) order and converges without a conflict rule of its own.
"""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

from desktop.core.insurers import (
    DirectoryError,
    InsurerEntry,
    apply_correction,
    fold_directory,
    parse_directory,
)
from desktop.core.timeutil import CST
from desktop.paths import resource_path
from desktop.store import audit
from desktop.store.records import iso

from .auth import StaffSession, require
from .errors import BadInput
from .event_log import write_event

EVENT_KIND = "insurer_directory"


def shipped_path() -> Path:
    return resource_path("directory", "insurers.json")


def load_shipped(path: Path | None = None) -> dict[str, InsurerEntry]:
    p = path or shipped_path()
    try:
        data = json.loads(p.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        raise BadInput(f"保险公司通讯录文件无法读取：{p}。请重新安装续保台。") from None
    try:
        return parse_directory(data)
    except DirectoryError as exc:
        raise BadInput(exc.message) from None


def _corrections(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT detail, staff, at FROM event WHERE kind = :k ORDER BY at, id"),
                            {"k": EVENT_KIND}).fetchall()
        conn.rollback()
    out = []
    for detail, staff, at in rows:
        try:
            d = json.loads(detail or "{}")
        except ValueError:
            continue
        out.append({**d, "staff": staff, "at": at})
    return out


def load(engine: Engine, shipped: dict[str, InsurerEntry] | None = None) -> dict[str, InsurerEntry]:
    """The directory as this counter knows it: shipped entries with every stored correction applied."""
    return fold_directory(shipped if shipped is not None else load_shipped(), _corrections(engine))


def listing(engine: Engine, session: StaffSession) -> list[InsurerEntry]:
    require(session, "clerk")
    return sorted(load(engine).values(), key=lambda e: e.key)


def set_entry(engine: Engine, session: StaffSession, key: str, fields: dict, confirmed: bool,
              now: datetime | None = None) -> InsurerEntry:
    """An admin corrects (or adds) one insurer; `confirmed` marks its numbers 已核实 as of now."""
    require(session, "admin")
    now = now or datetime.now(CST)
    key = (key or "").strip().lower()
    current = load(engine)
    try:
        result = apply_correction(current, key, fields, confirmed, session.name, iso(now))
    except DirectoryError as exc:
        raise BadInput(exc.message) from None
    entry = result[key]
    stored = {k: v for k, v in fields.items()}
    if "aliases" in stored:
        stored["aliases"] = list(entry.aliases)
    with engine.begin() as conn:
        write_event(conn, EVENT_KIND, None, {"key": key, "fields": stored, "confirmed": confirmed},
                    None, session.name, now)
        audit.append(conn, "insurer_directory_set", session.name, key,
                     {"fields": sorted(fields), "confirmed": confirmed, "new": key not in current})
    return entry
