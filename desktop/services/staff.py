"""Staff administration (admin): list with lock-out state, enable, reset password, change role;
and every staff member's own password change. Adding and disabling live in auth (init, demo and
the importer's tests use them). Every change is audited with the staff name only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core.timeutil import CST
from desktop.store import audit, staff_repo

from .auth import ROLE_RANK, StaffSession, check_new_password, hash_password, require, verify_password
from .errors import AuthFailed, BadInput


@dataclass(frozen=True)
class StaffInfo:
    name: str
    role: str
    active: bool
    failed_count: int
    locked_minutes: int  # minutes left of a lock-out wait; 0 = may log in now


def list_staff(engine: Engine, actor: StaffSession, now: datetime | None = None) -> list[StaffInfo]:
    require(actor, "admin")
    now = now or datetime.now(CST)
    out = []
    for r in staff_repo.list_all(engine):
        left = (r.locked_until - now).total_seconds() if r.locked_until else 0
        out.append(StaffInfo(r.name, r.role, r.active, r.failed_count, max(0, math.ceil(left / 60))))
    return out


def _existing(engine: Engine, name: str) -> staff_repo.StaffRow:
    row = staff_repo.get(engine, name)
    if row is None:
        raise BadInput(f"没有名为 {name} 的员工。")
    return row


def enable(engine: Engine, actor: StaffSession, name: str) -> None:
    require(actor, "admin")
    _existing(engine, name)
    with engine.begin() as conn:
        staff_repo.set_active(conn, name, True)
        audit.append(conn, "staff_enable", actor.name, name)


def reset_password(engine: Engine, actor: StaffSession, name: str, new_password: str) -> None:
    """Admin sets a new password for someone who forgot theirs; it also ends a lock-out wait."""
    require(actor, "admin")
    _existing(engine, name)
    check_new_password(new_password)
    with engine.begin() as conn:
        staff_repo.set_password(conn, name, hash_password(new_password))
        audit.append(conn, "staff_password_reset", actor.name, name)


def change_role(engine: Engine, actor: StaffSession, name: str, role: str) -> None:
    require(actor, "admin")
    if role not in ROLE_RANK:
        raise BadInput("角色应为 clerk（柜员）、supervisor（主管）或 admin（管理员）。")
    row = _existing(engine, name)
    if row.role == role:
        return
    with engine.begin() as conn:
        if row.role == "admin" and staff_repo.active_admins(conn) == [name]:
            raise BadInput(f"{name} 是唯一在用的管理员，不能改为其他角色。请先把另一位员工设为管理员。")
        staff_repo.set_role(conn, name, role)
        audit.append(conn, "staff_role", actor.name, name, {"from": row.role, "to": role})


def change_own_password(engine: Engine, session: StaffSession, old_password: str, new_password: str) -> None:
    """Any staff member, for their own account only, with the current password."""
    require(session, "clerk")
    row = _existing(engine, session.name)
    if not verify_password(old_password, row.pw_hash):
        audit.record(engine, "staff_password_change_failed", session.name, session.name)
        raise AuthFailed("当前密码不正确，密码未修改。")
    check_new_password(new_password)
    if new_password == old_password:
        raise BadInput("新密码不能与当前密码相同。")
    with engine.begin() as conn:
        staff_repo.set_password(conn, session.name, hash_password(new_password))
        audit.append(conn, "staff_password_change", session.name, session.name)
