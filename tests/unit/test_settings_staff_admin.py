"""The one settings schema (typed, versioned, validated in Chinese, audited, synced ones marked) and
staff administration (lock-out visible, last admin kept, every change audited)."""
from __future__ import annotations

import sys
from datetime import timedelta

import pytest

from desktop import paths
from desktop.services import auth, staff
from desktop.services import settings as settings_svc
from desktop.services.errors import AuthFailed, BadInput
from desktop.store import audit, settings_repo
from desktop.version import _from_pyproject, version
from tests.conftest import ADMIN_PASSWORD, AT


def _audit_actions(engine) -> list[tuple[str, str | None]]:
    from sqlalchemy import text

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT action, target FROM audit ORDER BY seq")).all()
        conn.rollback()
    return [(r[0], r[1]) for r in rows]


def test_schema_and_dataclass_agree_and_org_rules_are_synced():
    assert settings_svc._schema_matches_dataclass()
    assert set(settings_svc.synced_keys()) == {"org"}
    assert "counter_phone" not in settings_svc.synced_keys()  # a counter's own number is its own


@pytest.mark.parametrize("key,value,fragment", [
    ("lead_days", "abc", "应为整数"), ("lead_days", "0", "1 到 365"), ("idle_lock_minutes", "999", "1 到 240"),
    ("auto_backup", "maybe", "是/否"), ("default_paper", "b5", "a4、a5、80mm、58mm"),
    ("counter_phone", "call me", "只能含数字"), ("counter_name", "  ", "不能为空"),
    ("counter_address", "x" * 200, "最多 120"), ("counter_hours", "a\nb", "一行"), ("no_such", "1", "没有设置项"),
])
def test_bad_values_are_refused_in_chinese_and_nothing_changes(app_ctx, admin, key, value, fragment):
    engine = app_ctx.store().engine
    before = settings_svc.load(engine)
    with pytest.raises(BadInput) as exc:
        settings_svc.put(engine, admin, key, value)
    assert fragment in exc.value.message
    assert settings_svc.load(engine) == before


def test_typed_values_round_trip_audited_and_versioned(app_ctx, admin):
    engine = app_ctx.store().engine
    got = settings_svc.put_many(engine, admin, {"lead_days": "45", "auto_backup": "否", "default_paper": "80MM",
                                                "counter_phone": "020-12345678", "backup_keep_days": 7})
    assert got == {"lead_days": 45, "auto_backup": False, "default_paper": "80mm", "counter_phone": "020-12345678",
                   "backup_keep_days": 7}
    s = settings_svc.load(engine)
    assert (s.lead_days, s.auto_backup, s.default_paper, s.backup_keep_days) == (45, False, "80mm", 7)
    assert settings_repo.get(engine, "version") == str(settings_svc.SETTINGS_VERSION)
    logged = [subj for act, subj in _audit_actions(engine) if act == "settings_set"]
    assert sorted(logged) == sorted(got)
    assert audit.verify(engine).ok


def test_all_or_nothing_and_a_hand_edited_value_falls_back(app_ctx, admin):
    engine = app_ctx.store().engine
    with pytest.raises(BadInput):
        settings_svc.put_many(engine, admin, {"counter_name": "2号柜台", "lead_days": "abc"})
    assert settings_svc.load(engine).counter_name == "服务柜台"
    with engine.begin() as conn:
        settings_repo.put(conn, "idle_lock_minutes", "-3")
    assert settings_svc.load(engine).idle_lock_minutes == 5


def test_lockout_visible_and_reset_password_ends_it(app_ctx, admin):
    engine = app_ctx.store().engine
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(AuthFailed):
            auth.login(engine, "clerk", "wrong", now=AT)
    clerk_row = {s.name: s for s in staff.list_staff(engine, admin, now=AT)}["clerk"]
    assert clerk_row.locked_minutes == auth.LOCK_MINUTES and clerk_row.active
    assert {s.name: s for s in staff.list_staff(engine, admin, now=AT + timedelta(minutes=6))}["clerk"].locked_minutes == 0
    staff.reset_password(engine, admin, "clerk", "brand-new-pw")
    assert auth.login(engine, "clerk", "brand-new-pw", now=AT).name == "clerk"  # no wait after a reset
    assert ("staff_password_reset", "clerk") in _audit_actions(engine)


def test_role_change_disable_enable_and_the_last_admin(app_ctx, admin):
    engine = app_ctx.store().engine
    with pytest.raises(BadInput, match="唯一在用的管理员"):
        auth.disable_staff(engine, admin, "admin")
    with pytest.raises(BadInput, match="唯一在用的管理员"):
        staff.change_role(engine, admin, "admin", "clerk")
    staff.change_role(engine, admin, "super", "admin")
    staff.change_role(engine, admin, "admin", "supervisor")  # now allowed: another admin exists
    assert auth.login(engine, "admin", ADMIN_PASSWORD).role == "supervisor"
    new_admin = auth.login(engine, "super", "super-pass-1")
    auth.disable_staff(engine, new_admin, "clerk")
    with pytest.raises(AuthFailed):
        auth.login(engine, "clerk", "clerk-pass-1")
    staff.enable(engine, new_admin, "clerk")
    assert auth.login(engine, "clerk", "clerk-pass-1").role == "clerk"
    acts = [a for a, _ in _audit_actions(engine)]
    assert {"staff_role", "staff_disable", "staff_enable"} <= set(acts)
    with pytest.raises(BadInput):
        staff.change_role(engine, new_admin, "nobody", "clerk")


def test_own_password_needs_the_current_one(app_ctx):
    engine = app_ctx.store().engine
    clerk = auth.login(engine, "clerk", "clerk-pass-1")
    with pytest.raises(AuthFailed):
        staff.change_own_password(engine, clerk, "not-it", "whatever-1")
    with pytest.raises(BadInput):
        staff.change_own_password(engine, clerk, "clerk-pass-1", "short")
    staff.change_own_password(engine, clerk, "clerk-pass-1", "clerk-pass-2")
    assert auth.login(engine, "clerk", "clerk-pass-2").name == "clerk"


def test_version_comes_from_pyproject():
    assert version() == _from_pyproject() != "unknown"


def test_portable_mode_uses_data_beside_the_executable(tmp_path, monkeypatch):
    exe = tmp_path / "RenewDesk" / "renewdesk-cli"
    exe.parent.mkdir()
    exe.write_bytes(b"")
    monkeypatch.delenv(paths.DATA_DIR_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert paths.data_dir() != exe.parent / "data"       # not portable without the marker
    (exe.parent / "portable.txt").write_text("", encoding="utf-8")
    assert paths.data_dir() == exe.parent.resolve() / "data"
    assert paths.data_dir(tmp_path / "x") == (tmp_path / "x").resolve()  # --data-dir still wins
