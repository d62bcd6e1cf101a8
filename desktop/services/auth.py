"""Staff log-in, roles and the lock-out rule (DESIGN §4).

Roles include the ones before: clerk < supervisor < admin. After 5 failed logins in a row an
account waits 5 minutes; failures never disable it. Every attempt is audited (name only).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import math
import os
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from desktop.core.timeutil import CST
from desktop.store import audit, staff_repo

from .errors import AuthFailed, BadInput, NotAllowed

ROLE_RANK = {"clerk": 1, "supervisor": 2, "admin": 3}
ROLE_LABEL = {"clerk": "柜员", "supervisor": "主管", "admin": "管理员"}
MAX_FAILURES = 5
LOCK_MINUTES = 5
_N, _R, _P = 2**14, 8, 1  # scrypt: ~40 ms per check, fine for a login, costly for guessing


@dataclass(frozen=True)
class StaffSession:
    name: str
    role: str

    def may(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    dk = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(dk).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, dk = stored.split("$")
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r),
                             p=int(p), dklen=32)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(dk))


def check_new_password(password: str) -> None:
    if len(password) < 6:
        raise BadInput("密码太短：至少 6 个字符。")


MAX_STAFF_NAME = 64  # well inside the wire's 200 for an event's `staff` (desktop.sync.protocol)


def check_staff_name(name: str) -> str:
    """The stored form of a new staff name (stripped), or BadInput. init checks it before it creates
    the store: a store whose admin could not be added can never be logged in to."""
    name = name.strip()
    if not name:
        raise BadInput("员工名不能为空。")
    if len(name) > MAX_STAFF_NAME or not name.isprintable():  # every event carries it: sync takes 200 at most
        raise BadInput(f"员工名应为 1 到 {MAX_STAFF_NAME} 个字，且不含换行等控制字符。")
    return name


def add_staff(engine: Engine, actor: StaffSession | None, name: str, role: str, password: str) -> None:
    if actor is not None:
        require(actor, "admin")
    name = check_staff_name(name)
    if role not in ROLE_RANK:
        raise BadInput("角色应为 clerk（柜员）、supervisor（主管）或 admin（管理员）。")
    check_new_password(password)
    if staff_repo.get(engine, name) is not None:
        raise BadInput(f"员工 {name} 已存在。")
    with engine.begin() as conn:
        staff_repo.add(conn, name, role, hash_password(password))
        audit.append(conn, "staff_add", actor.name if actor else None, name, {"role": role})


def disable_staff(engine: Engine, actor: StaffSession, name: str) -> None:
    require(actor, "admin")
    with engine.begin() as conn:
        if staff_repo.active_admins(conn) == [name]:  # else nobody could ever manage staff again
            raise BadInput(f"{name} 是唯一在用的管理员，不能停用。请先把另一位员工设为管理员。")
        if staff_repo.set_active(conn, name, False) == 0:
            raise BadInput(f"没有名为 {name} 的员工。")
        audit.append(conn, "staff_disable", actor.name, name)


def login(engine: Engine, name: str, password: str, now: datetime | None = None,
          record_success: bool = True) -> StaffSession:
    """Check a staff member's password. Failures are always audited. `record_success=False` is for
    a command that promises to write nothing at all (an import dry run): the password is still
    checked, but the successful log-in leaves no trace."""
    now = now or datetime.now(CST)
    row = staff_repo.get(engine, name)
    if row is None or not row.active:
        audit.record(engine, "login_failed", name, None, {"reason": "unknown_or_disabled"})
        raise AuthFailed("员工名或密码不正确。")
    if row.locked_until and now < row.locked_until:
        wait = max(1, math.ceil((row.locked_until - now).total_seconds() / 60))  # whole minutes left
        audit.record(engine, "login_failed", name, None, {"reason": "locked"})
        raise _failed(f"连续输错 {MAX_FAILURES} 次，请 {wait} 分钟后再试"
                      f"（{row.locked_until.astimezone(CST):%H:%M} 以后）。", 0, wait)
    if not verify_password(password, row.pw_hash):
        failures = row.failed_count + 1
        locked = now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None
        with engine.begin() as conn:
            # After a wait the count restarts, so the account is never disabled by failures.
            staff_repo.record_failure(conn, name, 0 if locked else failures, locked)
            audit.append(conn, "login_failed", name, None, {"reason": "password", "failures": failures})
        if locked:
            raise _failed(f"员工名或密码不正确。连续输错 {MAX_FAILURES} 次，已锁定 {LOCK_MINUTES} 分钟，请 {LOCK_MINUTES} 分钟后再试。",
                          0, LOCK_MINUTES)
        left = MAX_FAILURES - failures
        raise _failed(f"员工名或密码不正确。还可再试 {left} 次，之后需等 {LOCK_MINUTES} 分钟。", left, None)
    if record_success:
        with engine.begin() as conn:
            staff_repo.record_success(conn, name)
            audit.append(conn, "login", name)
    return StaffSession(row.name, row.role)


def _failed(message: str, attempts_left: int | None, wait_minutes: int | None) -> AuthFailed:
    """AuthFailed with what a log-in screen shows beside the message: tries left, minutes to wait."""
    exc = AuthFailed(message)
    exc.attempts_left = attempts_left  # type: ignore[attr-defined]
    exc.wait_minutes = wait_minutes  # type: ignore[attr-defined]
    return exc


def logout(engine: Engine, session: StaffSession) -> None:
    """The end of a staff member's session at the counter (log out or another staff takes over)."""
    audit.record(engine, "logout", session.name)


def require(session: StaffSession, role: str) -> None:
    if not session.may(role):
        raise NotAllowed(f"权限不足：此操作需要{ROLE_LABEL[role]}权限，当前为{ROLE_LABEL[session.role]}。")
