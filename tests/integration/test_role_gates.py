"""Every role gate (DESIGN §4: clerk < supervisor < admin), failing then passing, in the services
and in every gated sub-command of the command line (exit 4 and a clear refusal).

The CLI runs in-process through desktop.cli.main (the same code the console script runs) so the
whole table stays quick; tests/integration/test_cli.py covers the real subprocess."""
from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from desktop import cli
from desktop.cli import exit_code_for
from desktop.services import auth, backups, documents, export, importer, reveal, staff
from desktop.services import settings as settings_svc
from desktop.services.errors import NotAllowed
from desktop.store import vehicles_repo
from tests.conftest import ADMIN_PASSWORD, AT, PASSPHRASE

PASSWORDS = {"clerk": "clerk-pass-1", "super": "super-pass-1", "admin": ADMIN_PASSWORD}
ROLE_OF = {"clerk": "clerk", "super": "supervisor", "admin": "admin"}
BELOW = {"supervisor": ["clerk"], "admin": ["clerk", "super"]}
ALLOWED = {"supervisor": "super", "admin": "admin"}


def _book(path: Path) -> Path:
    wb = openpyxl.Workbook()
    wb.active.append(["车牌号", "交强险止期"])
    wb.active.append(["京A12345", "2027-01-31"])
    wb.save(path)
    return path


def _any_vehicle(engine) -> str:
    with engine.connect() as conn:
        vid = vehicles_repo.all_vehicle_ids(conn)[0]
        conn.rollback()
    return vid


# (gate, role needed, call(ctx, session, tmp)) — one row per gated service function.
SERVICES = [
    ("import", "supervisor", lambda c, s, t: importer.run_import(c.store().engine, s, _book(t / "a.xlsx"))),
    ("import dry run", "supervisor",
     lambda c, s, t: importer.run_import(c.store().engine, s, _book(t / "a.xlsx"), dry_run=True)),
    ("letters", "supervisor", lambda c, s, t: documents.write_letters(
        c.store().engine, s, c.settings(), t / "l.pdf", 30, False, "address", AT, documents.default_resources())),
    ("reveal", "supervisor", lambda c, s, t: reveal.reveal(c.store().engine, s, _any_vehicle(c.store().engine), "客户来电核对")),
    ("full export", "admin", lambda c, s, t: export.export_xlsx(c.store().engine, s, "status", t / "e.xlsx", AT, 90,
                                                                 full=True)),
    ("staff add", "admin", lambda c, s, t: auth.add_staff(c.store().engine, s, "新人", "clerk", "xinren-pw-1")),
    ("staff disable", "admin", lambda c, s, t: auth.disable_staff(c.store().engine, s, "clerk")),
    ("staff enable", "admin", lambda c, s, t: staff.enable(c.store().engine, s, "clerk")),
    ("staff reset password", "admin",
     lambda c, s, t: staff.reset_password(c.store().engine, s, "clerk", "reset-pw-1")),
    ("staff role", "admin", lambda c, s, t: staff.change_role(c.store().engine, s, "clerk", "supervisor")),
    ("staff list", "admin", lambda c, s, t: staff.list_staff(c.store().engine, s)),
    ("settings", "admin", lambda c, s, t: settings_svc.put(c.store().engine, s, "lead_days", "60")),
    ("settings many", "admin",
     lambda c, s, t: settings_svc.put_many(c.store().engine, s, {"counter_name": "2号柜台", "lead_days": 30})),
    ("backup", "admin", lambda c, s, t: backups.backup_now(c.store(), s, t, c.settings())),
    ("restore over a store", "admin", lambda c, s, t: backups.restore(
        backups.backup_now(c.store(), c.login("admin", ADMIN_PASSWORD), t / "bk", c.settings()),
        t / "elsewhere", lambda: PASSPHRASE, s, store_exists=True)),
]


@pytest.mark.parametrize("gate,needs,call", SERVICES, ids=[g for g, _, _ in SERVICES])
def test_service_gate(demo_ctx, tmp_path, gate, needs, call):
    for who in BELOW[needs]:
        session = demo_ctx.login(who, PASSWORDS[who])
        with pytest.raises(NotAllowed) as exc:
            call(demo_ctx, session, tmp_path)
        assert "权限不足" in exc.value.message and exit_code_for(exc.value) == 4
    who = ALLOWED[needs]
    call(demo_ctx, demo_ctx.login(who, PASSWORDS[who]), tmp_path)  # then passing


def test_own_password_change_is_for_everyone_and_only_their_own(demo_ctx):
    engine = demo_ctx.store().engine
    clerk = demo_ctx.login("clerk", "clerk-pass-1")
    staff.change_own_password(engine, clerk, "clerk-pass-1", "clerk-new-pw")
    assert demo_ctx.login("clerk", "clerk-new-pw").name == "clerk"
    # The function only ever changes the session's own account: the admin's password still works.
    assert demo_ctx.login("admin", ADMIN_PASSWORD).role == "admin"


# (argv, role needed, extra environment) — every gated sub-command of DESIGN §7 and issue 15.
CLI = [
    (["import", "{book}"], "supervisor", {}),
    (["import", "{book}", "--dry-run"], "supervisor", {}),
    (["letters", "--due-within", "30", "--pdf", "{tmp}/l.pdf"], "supervisor", {}),
    (["export", "status", "--xlsx", "{tmp}/e.xlsx", "--full"], "admin", {}),
    (["staff", "add", "新人", "--role", "clerk"], "admin", {"RENEWDESK_NEW_STAFF_PASSWORD": "xinren-pw-1"}),
    (["staff", "disable", "clerk"], "admin", {}),
    (["staff", "enable", "clerk"], "admin", {}),
    (["staff", "reset-password", "clerk"], "admin", {"RENEWDESK_NEW_STAFF_PASSWORD": "reset-pw-1"}),
    (["staff", "role", "clerk", "--role", "supervisor"], "admin", {}),
    (["staff", "list", "--json"], "admin", {}),
    (["settings", "set", "lead_days", "60"], "admin", {}),
    (["backup", "{tmp}"], "admin", {}),
    (["demo", "--vehicles", "3", "--at", "2026-12-01T10:00"], "admin", {}),
]


def _cli(monkeypatch, capsys, data: Path, who: str, argv: list[str], extra: dict[str, str]) -> tuple[int, str]:
    for k, v in {"RENEWDESK_DATA_DIR": str(data), "RENEWDESK_PASSPHRASE": PASSPHRASE,
                 "RENEWDESK_STAFF_PASSWORD": PASSWORDS[who], **extra}.items():
        monkeypatch.setenv(k, v)
    code = cli.main([*argv, "--as", who])
    return code, capsys.readouterr().err


@pytest.mark.parametrize("argv,needs,extra", CLI, ids=[" ".join(a[:2]) for a, _, _ in CLI])
def test_cli_gate(demo_ctx, tmp_path, monkeypatch, capsys, argv, needs, extra):
    data = demo_ctx.data_dir
    demo_ctx.close()
    book = _book(tmp_path / "b.xlsx")
    argv = [a.replace("{book}", str(book)).replace("{tmp}", str(tmp_path)) for a in argv]
    for who in BELOW[needs]:
        code, err = _cli(monkeypatch, capsys, data, who, argv, extra)
        assert code == 4, (who, argv, err)
        assert "权限不足" in err and f"需要{auth.ROLE_LABEL[needs]}权限" in err and "\n" not in err.strip()
    who = ALLOWED[needs]
    code, err = _cli(monkeypatch, capsys, data, who, argv, extra)
    assert code == 0, (who, argv, err)


def test_cli_clerk_changes_own_password(demo_ctx, monkeypatch, capsys):
    data = demo_ctx.data_dir
    demo_ctx.close()
    code, err = _cli(monkeypatch, capsys, data, "clerk", ["staff", "passwd"],
                     {"RENEWDESK_NEW_STAFF_PASSWORD": "clerk-new-pw"})
    assert code == 0, err
    code, err = _cli(monkeypatch, capsys, data, "clerk", ["lookup", "京A"], {})
    assert code == 4  # the old password no longer works
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", "clerk-new-pw")
    assert cli.main(["lookup", "京A", "--as", "clerk"]) == 0


@pytest.mark.parametrize("blank", ["", "  "])
def test_cli_blank_as_is_bad_input_not_the_admin(demo_ctx, monkeypatch, capsys, blank):
    """`--as "$STAFF"` with the variable unset is a slip, not "act as the admin" (DESIGN §7: the
    admin is the default only when --as is absent): exit 2 with one line, nobody logged in."""
    data = demo_ctx.data_dir
    demo_ctx.close()
    for k, v in {"RENEWDESK_DATA_DIR": str(data), "RENEWDESK_PASSPHRASE": PASSPHRASE,
                 "RENEWDESK_STAFF_PASSWORD": PASSWORDS["admin"]}.items():
        monkeypatch.setenv(k, v)
    for argv in (["staff", "list", "--json", "--as", blank], ["--as", blank, "settings", "set", "lead_days", "60"]):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert "--as" in err and "\n" not in err
    assert cli.main(["staff", "list", "--json"]) == 0  # absent --as is still the admin


@pytest.mark.parametrize("blank", ["", "  "])
def test_cli_blank_data_dir_is_bad_input_not_the_default_store(demo_ctx, monkeypatch, capsys, blank):
    """`--data-dir "$D"` with the variable unset is a slip too: it fell back to RENEWDESK_DATA_DIR or
    the system's folder and acted on that store. Exit 2 with one line, before or after the command."""
    data = demo_ctx.data_dir
    demo_ctx.close()
    for k, v in {"RENEWDESK_DATA_DIR": str(data), "RENEWDESK_PASSPHRASE": PASSPHRASE,
                 "RENEWDESK_STAFF_PASSWORD": PASSWORDS["admin"]}.items():
        monkeypatch.setenv(k, v)
    for argv in (["staff", "list", "--json", "--data-dir", blank], ["--data-dir", blank, "lookup", "京A"]):
        assert cli.main(argv) == 2, argv
        err = capsys.readouterr().err.strip()
        assert "--data-dir" in err and "\n" not in err
    assert cli.main(["staff", "list", "--json"]) == 0  # absent --data-dir is still RENEWDESK_DATA_DIR
