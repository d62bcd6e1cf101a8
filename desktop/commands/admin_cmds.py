"""staff, settings, audit verify, backup, restore (self-check and sync live in their own modules)."""
from __future__ import annotations

import argparse
from pathlib import Path

from desktop import credentials
from desktop.services import auth, backups
from desktop.services import settings as settings_svc
from desktop.services import staff as staff_svc
from desktop.services.errors import BadInput, VerificationFailed
from desktop.store import audit, backup, keys
from desktop.store.engine import verify_readable
from desktop.store.errors import DamagedStore

from .common import acting_staff, context, print_json


def cmd_staff(args: argparse.Namespace) -> int:
    """staff add|disable|enable|reset-password|role|passwd|list; the services check the role."""
    ctx = context(args)
    session = acting_staff(ctx, args)
    engine = ctx.store().engine
    sub, name = args.staff_cmd, getattr(args, "name", None)
    if sub == "add":
        auth.require(session, "admin")  # before asking for a password nobody may set
        auth.add_staff(engine, session, name, args.role, credentials.new_staff_password(name))
        print(f"已添加员工 {name}（{auth.ROLE_LABEL[args.role]}）")
    elif sub == "disable":
        auth.disable_staff(engine, session, name)
        print(f"已停用员工 {name}")
    elif sub == "enable":
        staff_svc.enable(engine, session, name)
        print(f"已启用员工 {name}")
    elif sub == "reset-password":
        auth.require(session, "admin")
        staff_svc.reset_password(engine, session, name, credentials.new_staff_password(name))
        print(f"已重设员工 {name} 的密码（锁定已解除）")
    elif sub == "role":
        staff_svc.change_role(engine, session, name, args.role)
        print(f"员工 {name} 的角色现为{auth.ROLE_LABEL[args.role]}")
    elif sub == "passwd":  # one's own: the current password is the one --as logged in with
        staff_svc.change_own_password(engine, session, credentials.staff_password(session.name),
                                      credentials.new_staff_password(session.name))
        print(f"员工 {session.name} 的密码已修改")
    else:
        rows = staff_svc.list_staff(engine, session)
        if args.json:
            print_json({"staff": [{"name": r.name, "role": r.role, "active": r.active,
                                   "failed_logins": r.failed_count, "locked_minutes": r.locked_minutes}
                                  for r in rows]})
        else:
            for r in rows:
                state = "已停用" if not r.active else (f"锁定中（{r.locked_minutes} 分钟）" if r.locked_minutes else "在用")
                print(f"{r.name:<16} {auth.ROLE_LABEL[r.role]:<4} {state}")
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    ctx = context(args)
    session = acting_staff(ctx, args)
    engine = ctx.store().engine
    if args.settings_cmd == "set":
        value = settings_svc.put(engine, session, args.key, args.value)
        print(f"{args.key} = {_shown(value)}")
        return 0
    values = settings_svc.as_dict(ctx.settings())
    if args.key and args.key not in values:
        raise BadInput(f"没有设置项 {args.key}。可用：{', '.join(values)}")
    if args.json:
        print_json({args.key: values[args.key]} if args.key else
                   {"version": settings_svc.SETTINGS_VERSION, "settings": values,
                    "synced": list(settings_svc.synced_keys())})
    elif args.key:
        print(_shown(values[args.key]))
    else:
        for k, v in values.items():
            print(f"{k} = {_shown(v)}  # {settings_svc.BY_KEY[k].label}{'（全机构同步）' if settings_svc.BY_KEY[k].synced else ''}")
    return 0


def _shown(v: object) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


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


def cmd_backup(args: argparse.Namespace) -> int:
    """backup OUT: OUT is the file, or a folder where the name says counter and date (backups.destination)."""
    ctx = context(args)
    session = acting_staff(ctx, args)
    target = Path(args.out).expanduser()
    # A folder that cannot be one (a path under a file) is the user's typo (exit 2), not our
    # failure (exit 1).
    folder = backups.destination_folder(target)
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise BadInput(f"无法把备份写到 {target}：{existing} 是一个文件，不是文件夹。"
                       "请给一个文件夹（例如 U 盘）或备份文件名（例如 续保台.rdbak）。")
    out = backups.backup_now(ctx.store(), session, target, ctx.settings())
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
    aside = backup.restore_backup(backups.backup_file(Path(args.inp)), ctx.data_dir, credentials.passphrase)
    store = ctx.store()
    verify_readable(store.engine)
    audit.record(store.engine, "restore", actor, Path(args.inp).name)
    msg = f"已从备份恢复到 {ctx.data_dir}。请用备份中的员工账号登录。"
    if aside:
        msg += f" 原有文件已移到 {aside}。"
    print(msg)
    return 0

