"""Staff accounts (clerk < supervisor < admin). Passwords arrive already hashed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from desktop.core.errors import BadInput
from desktop.core.ids import new_id
from desktop.core.timeutil import CST

ROLES = ("clerk", "supervisor", "admin")


@dataclass(frozen=True)
class StaffRow:
    id: str
    name: str
    role: str
    pw_hash: str
    active: bool
    failed_count: int
    locked_until: datetime | None


def _row(r) -> StaffRow:
    return StaffRow(r[0], r[1], r[2], r[3], bool(r[4]), r[5] or 0,
                    datetime.fromisoformat(r[6]) if r[6] else None)


_COLS = "id, name, role, pw_hash, active, failed_count, locked_until"


def get(engine: Engine, name: str) -> StaffRow | None:
    with engine.connect() as conn:
        r = conn.execute(text(f"SELECT {_COLS} FROM staff WHERE name = :n"), {"n": name}).first()
        conn.rollback()
    return _row(r) if r else None


def list_all(engine: Engine) -> list[StaffRow]:
    with engine.connect() as conn:
        rows = [_row(r) for r in conn.execute(text(f"SELECT {_COLS} FROM staff ORDER BY name"))]
        conn.rollback()
    return rows


def add(conn: Connection, name: str, role: str, pw_hash: str) -> str:
    if role not in ROLES:
        raise BadInput(f"角色应为 {'/'.join(ROLES)} 之一")
    sid = new_id()
    conn.execute(
        text("INSERT INTO staff(id, name, role, pw_hash, active, failed_count, created_at) "
             "VALUES (:id, :n, :r, :h, 1, 0, :at)"),
        dict(id=sid, n=name, r=role, h=pw_hash, at=datetime.now(CST).isoformat(timespec="seconds")),
    )
    return sid


def set_active(conn: Connection, name: str, active: bool) -> int:
    return conn.execute(text("UPDATE staff SET active = :a WHERE name = :n"), {"a": int(active), "n": name}).rowcount


def record_failure(conn: Connection, name: str, failed_count: int, locked_until: datetime | None) -> None:
    conn.execute(
        text("UPDATE staff SET failed_count = :c, locked_until = :l WHERE name = :n"),
        {"c": failed_count, "l": locked_until.isoformat() if locked_until else None, "n": name},
    )


def record_success(conn: Connection, name: str) -> None:
    conn.execute(text("UPDATE staff SET failed_count = 0, locked_until = NULL WHERE name = :n"), {"n": name})


def set_role(conn: Connection, name: str, role: str) -> int:
    if role not in ROLES:
        raise ValueError(f"角色应为 {'/'.join(ROLES)} 之一")
    return conn.execute(text("UPDATE staff SET role = :r WHERE name = :n"), {"r": role, "n": name}).rowcount


def set_password(conn: Connection, name: str, pw_hash: str) -> int:
    """A new password also ends any lock-out wait (the admin has checked who is asking)."""
    return conn.execute(
        text("UPDATE staff SET pw_hash = :h, failed_count = 0, locked_until = NULL WHERE name = :n"),
        {"h": pw_hash, "n": name},
    ).rowcount


def active_admins(conn: Connection) -> list[str]:
    return [r[0] for r in conn.execute(text("SELECT name FROM staff WHERE role = 'admin' AND active = 1"))]
