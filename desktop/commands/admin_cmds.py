"""staff, settings, audit verify, self-check, backup, restore (sync lives in sync_cmds)."""
from __future__ import annotations

import argparse
import platform
import tempfile
from pathlib import Path

from desktop import credentials
from desktop.services import auth
from desktop.services import settings as settings_svc
from desktop.services.errors import BadInput, VerificationFailed
from desktop.store import audit, backup, keys, migrate, staff_repo
from desktop.store.engine import check_integrity, make_engine, vacuum_into, verify_opens, verify_readable
from desktop.store.errors import DamagedStore

from .common import acting_staff, context, print_json


def cmd_staff(args: argparse.Namespace) -> int:
    ctx = context(args)
    session = acting_staff(ctx, args)
    engine = ctx.store().engine
    if args.staff_cmd == "add":
        auth.require(session, "admin")
        auth.add_staff(engine, session, args.name, args.role, credentials.new_staff_password(args.name))
        print(f"已添加员工 {args.name}（{auth.ROLE_LABEL[args.role]}）")
    elif args.staff_cmd == "disable":
        auth.disable_staff(engine, session, args.name)
        print(f"已停用员工 {args.name}")
    else:
        auth.require(session, "admin")
        rows = [{"name": s.name, "role": s.role, "active": s.active} for s in staff_repo.list_all(engine)]
        if args.json:
            print_json({"staff": rows})
        else:
            for r in rows:
                print(f"{r['name']:<16} {auth.ROLE_LABEL[r['role']]:<4} {'在用' if r['active'] else '已停用'}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    ctx = context(args)
    session = acting_staff(ctx, args)
    engine = ctx.store().engine
    if args.settings_cmd == "set":
        settings_svc.put(engine, session, args.key, args.value)
        print(f"{args.key} = {settings_svc.parse_value(args.key, args.value)}")
        return 0
    values = settings_svc.as_dict(ctx.settings())
    if args.key:
        if args.key not in values:
            raise BadInput(f"没有设置项 {args.key}。可用：{', '.join(values)}")
        print(values[args.key])
    else:
        for k, v in values.items():
            print(f"{k} = {v}")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    ctx = context(args)
    session = acting_staff(ctx, args)
    report = audit.verify(ctx.store().engine, ctx.store().anchor)
    if args.json:
        print_json({"ok": report.ok, "entries": report.entries, "first_broken": report.first_broken,
                    "reason": report.reason})
    if not report.ok:
        raise VerificationFailed(f"审计链校验失败：{report.reason}（第一处：#{report.first_broken}）")
    audit.record(ctx.store().engine, "audit_verify", session.name, None, {"entries": report.entries})
    if not args.json:
        print(f"审计链完好：{report.entries} 条记录。")
    return 0


def cmd_self_check(args: argparse.Namespace) -> int:
    import sqlalchemy
    import sqlcipher3

    ctx = context(args)
    session = acting_staff(ctx, args)
    store = ctx.store()
    lines: dict[str, object] = {
        "data_dir": str(ctx.data_dir),
        "python": platform.python_version(),
        "sqlalchemy": sqlalchemy.__version__,
        "sqlcipher": sqlcipher3.connect(":memory:").execute("PRAGMA cipher_version").fetchone()[0],
        "schema_revision": migrate.current_revision(store.engine),
        "schema_head": migrate.head_revision(),
        "keyring": ctx.keyring.status().backend,
        "keyring_usable": ctx.keyring.status().usable,
        "keyring_note": ctx.keyring.status().reason,
        "key_source": store.key_source,
    }
    # Migrations are rehearsed on an encrypted copy in a temp dir, never on the live file.
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "rehearsal.db"
        vacuum_into(store.engine, copy)
        engine = make_engine(copy, store.key)
        try:
            verify_opens(engine)
            migrate.upgrade(engine, backup_dir=None)
            lines["migration_rehearsal"] = "ok"
        finally:
            engine.dispose()
    # The whole-file check lives here, not on the open path (issue 10 item 1).
    problems = check_integrity(store.engine)
    lines["integrity"] = "ok" if not problems else f"DAMAGED ({len(problems)})"
    lines["audit_chain"] = "ok" if audit.verify(store.engine, store.anchor).ok else "BROKEN"
    try:
        from PySide6 import __version__ as pyside_version

        lines["pyside6"] = pyside_version
    except ImportError as exc:  # the counter still looks things up without Qt
        lines["pyside6"] = f"missing ({exc})"
    audit.record(store.engine, "self_check", session.name)
    if getattr(args, "json", False):
        print_json(lines)
    else:
        for k, v in lines.items():
            print(f"{k}: {v}")
    return 0 if lines["audit_chain"] == "ok" and lines["integrity"] == "ok" else 5


def cmd_backup(args: argparse.Namespace) -> int:
    ctx = context(args)
    session = acting_staff(ctx, args)
    auth.require(session, "admin")
    out = backup.write_backup(ctx.store(), Path(args.out), session.name)
    print(f"备份已写入 {out}（需要数据库口令才能恢复）")
    return 0


def _live_store_admin(ctx, args: argparse.Namespace) -> str | None:
    """An admin of the live store, or — when the live database itself is too damaged to log in
    to — whoever holds the live store's own passphrase (it unwraps the live key: exit 3 if not)."""
    try:
        # The login is not recorded in the store about to be moved aside; the restored store's
        # own chain records the restore and who did it.
        session = acting_staff(ctx, args, write_nothing=True)
    except DamagedStore:
        try:
            wrapped = keys.read_wrapped(ctx.data_dir)
        except (DamagedStore, OSError):
            return None  # nothing readable left to protect: the backup's passphrase decides
        keys.unwrap_key(wrapped, credentials.passphrase())
        return None
    auth.require(session, "admin")
    return session.name


def cmd_restore(args: argparse.Namespace) -> int:
    ctx = context(args)
    actor = None
    if ctx.exists():
        # Replacing a live store is an admin's act on THAT store (exit 4 otherwise); on an empty
        # data dir there is nobody to ask, and the backup's passphrase alone restores (DESIGN §4).
        actor = _live_store_admin(ctx, args)
        ctx.close()  # release the live file before it is moved aside
    aside = backup.restore_backup(Path(args.inp), ctx.data_dir, credentials.passphrase)
    store = ctx.store()
    verify_readable(store.engine)
    audit.record(store.engine, "restore", actor, Path(args.inp).name)
    msg = f"已从备份恢复到 {ctx.data_dir}。请用备份中的员工账号登录。"
    if aside:
        msg += f" 原有文件已移到 {aside}。"
    print(msg)
    return 0

