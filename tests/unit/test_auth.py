"""Staff log-in and roles (DESIGN §4): roles nest, 5 failures mean a 5-minute wait, never a disabled account."""
from __future__ import annotations

from datetime import timedelta

import pytest

from desktop.cli import exit_code_for
from desktop.services import auth, lookup, record
from desktop.services import settings as settings_svc
from desktop.services.errors import AuthFailed, BadInput, NotAllowed
from desktop.store import audit, staff_repo
from tests.conftest import ADMIN_PASSWORD, AT

CLERK_PW = "clerk-pass-1"


def _fail(engine, name: str, now, times: int = 1) -> list[str]:
    msgs = []
    for _ in range(times):
        with pytest.raises(AuthFailed) as exc:
            auth.login(engine, name, "wrong-password", now=now)
        msgs.append(exc.value.message)
    return msgs


def test_roles_include_the_ones_before(app_ctx):
    engine = app_ctx.store().engine
    clerk = auth.login(engine, "clerk", CLERK_PW)
    sup = auth.login(engine, "super", "super-pass-1")
    adm = auth.login(engine, "admin", ADMIN_PASSWORD)
    assert [clerk.may(r) for r in ("clerk", "supervisor", "admin")] == [True, False, False]
    assert [sup.may(r) for r in ("clerk", "supervisor", "admin")] == [True, True, False]
    assert [adm.may(r) for r in ("clerk", "supervisor", "admin")] == [True, True, True]
    for who in (clerk, sup, adm):  # everyone may look up
        assert lookup.lookup(engine, who, "京A12345", AT) == []
    for who in (clerk, sup):  # only admin manages staff and settings
        with pytest.raises(NotAllowed):
            auth.add_staff(engine, who, "x" + who.name, "clerk", "password-1")
        with pytest.raises(NotAllowed):
            settings_svc.put(engine, who, "lead_days", "60")
        with pytest.raises(NotAllowed):
            auth.disable_staff(engine, who, "clerk")
    assert staff_repo.get(engine, "xclerk") is None
    assert settings_svc.load(engine).lead_days == 90
    auth.add_staff(engine, adm, "新人", "clerk", "xinren-pass")
    assert auth.login(engine, "新人", "xinren-pass").role == "clerk"


def test_not_allowed_exit_code_is_4(app_ctx):
    clerk = auth.login(app_ctx.store().engine, "clerk", CLERK_PW)
    with pytest.raises(NotAllowed) as exc:
        auth.require(clerk, "admin")
    assert exit_code_for(exc.value) == 4 and "管理员" in exc.value.message


def test_five_failures_mean_a_five_minute_wait(app_ctx):
    engine = app_ctx.store().engine
    t0 = AT
    msgs = _fail(engine, "clerk", t0, 4)
    assert all("锁定" not in m for m in msgs)
    assert auth.login(engine, "clerk", CLERK_PW, now=t0).role == "clerk"  # success resets the count
    msgs = _fail(engine, "clerk", t0, 4)
    assert all("锁定" not in m for m in msgs)
    (fifth,) = _fail(engine, "clerk", t0)
    assert "连续输错 5 次" in fifth and "请 5 分钟后再试" in fifth  # the lock-out message names the wait

    # The right password is refused while waiting, with the time left.
    for minutes, left in ((0, 5), (2, 3), (4.5, 1)):
        with pytest.raises(AuthFailed) as exc:
            auth.login(engine, "clerk", CLERK_PW, now=t0 + timedelta(minutes=minutes))
        assert f"{left} 分钟" in exc.value.message
    row = staff_repo.get(engine, "clerk")
    assert row.active and row.locked_until == t0 + timedelta(minutes=5)

    assert auth.login(engine, "clerk", CLERK_PW, now=t0 + timedelta(minutes=5)).role == "clerk"
    row = staff_repo.get(engine, "clerk")
    assert row.failed_count == 0 and row.locked_until is None


def test_failures_never_disable_the_account(app_ctx):
    engine = app_ctx.store().engine
    t = AT
    for _round in range(4):  # 20 failures in four rounds of five
        _fail(engine, "clerk", t, 5)
        assert staff_repo.get(engine, "clerk").active
        t += timedelta(minutes=5)
    assert auth.login(engine, "clerk", CLERK_PW, now=t).name == "clerk"


def test_lock_is_per_account(app_ctx):
    engine = app_ctx.store().engine
    _fail(engine, "clerk", AT, 5)
    assert auth.login(engine, "admin", ADMIN_PASSWORD, now=AT).role == "admin"


def test_failed_logins_are_audited(app_ctx):
    engine = app_ctx.store().engine
    _fail(engine, "clerk", AT, 6)  # five failures, then one while waiting
    with pytest.raises(AuthFailed):
        auth.login(engine, "ghost", "whatever", now=AT)
    failed = audit.recent(engine, limit=20, action="login_failed")
    assert len(failed) == 7
    reasons = [e.detail for e in reversed(failed)]
    assert sum('"password"' in r for r in reasons) == 5
    assert '"locked"' in reasons[5] and "unknown_or_disabled" in reasons[6]
    assert [e.staff for e in reversed(failed)] == ["clerk"] * 6 + ["ghost"]
    assert all("wrong-password" not in (e.detail or "") for e in failed)
    assert audit.verify(engine).ok


def test_disabled_staff_cannot_log_in(app_ctx, admin):
    engine = app_ctx.store().engine
    auth.disable_staff(engine, admin, "clerk")
    with pytest.raises(AuthFailed):
        auth.login(engine, "clerk", CLERK_PW)
    with pytest.raises(BadInput):
        auth.disable_staff(engine, admin, "nobody")


def test_passwords_are_hashed_and_checked(app_ctx, admin):
    engine = app_ctx.store().engine
    row = staff_repo.get(engine, "clerk")
    assert CLERK_PW not in row.pw_hash and row.pw_hash.startswith("scrypt$")
    assert auth.verify_password(CLERK_PW, row.pw_hash)
    assert not auth.verify_password(CLERK_PW + "x", row.pw_hash)
    assert not auth.verify_password(CLERK_PW, "garbage")
    with pytest.raises(BadInput):
        auth.add_staff(engine, admin, "short", "clerk", "12345")
    with pytest.raises(BadInput):
        auth.add_staff(engine, admin, "clerk", "clerk", "another-pass")  # exists
    with pytest.raises(BadInput):
        auth.add_staff(engine, admin, "boss", "owner", "another-pass")  # no such role


def test_a_staff_name_that_cannot_travel_with_its_events_is_refused(app_ctx, admin):
    """Every event carries its staff name and head office takes 200 characters at most: a 5,000-
    character name was accepted here and each of that person's records rejected at sync; a name
    with a line break split the one-line messages that print it."""
    engine = app_ctx.store().engine
    for name in ("a" * (auth.MAX_STAFF_NAME + 1), "x\ny", "tab\there"):
        with pytest.raises(BadInput):
            auth.add_staff(engine, admin, name, "clerk", "another-pass")
        assert staff_repo.get(engine, name) is None
    auth.add_staff(engine, admin, "王" * auth.MAX_STAFF_NAME, "clerk", "another-pass")


def test_clerk_may_record(demo_ctx):
    engine = demo_ctx.store().engine
    clerk = auth.login(engine, "clerk", CLERK_PW)
    (m, *_) = lookup.lookup(engine, clerk, "王", AT)
    record.record_outcome(engine, clerk, m.vehicle_id, "unreachable", now=AT)
    assert audit.recent(engine, limit=1)[0].action == "record"
