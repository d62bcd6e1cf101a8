"""Where passphrases and passwords come from: an environment variable, else a no-echo prompt on a
terminal, else a clear error naming the variable (the command line never hangs waiting for input)."""
from __future__ import annotations

import getpass
import os
import sys

from desktop.store.errors import SecretMissing

PASSPHRASE_ENV = "RENEWDESK_PASSPHRASE"
STAFF_PASSWORD_ENV = "RENEWDESK_STAFF_PASSWORD"
NEW_STAFF_PASSWORD_ENV = "RENEWDESK_NEW_STAFF_PASSWORD"


def _interactive() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def secret(env: str, prompt: str, confirm: bool = False) -> str:
    value = os.environ.get(env)
    if value is not None and value != "":
        return value
    if not _interactive():
        raise SecretMissing(f"需要{prompt}：请设置环境变量 {env}（当前没有终端可以输入）。")
    first = getpass.getpass(f"{prompt}: ")
    if confirm and getpass.getpass(f"再次输入{prompt}: ") != first:
        raise SecretMissing(f"两次输入的{prompt}不一致。")
    if not first:
        raise SecretMissing(f"{prompt}不能为空。")
    return first


def passphrase(confirm: bool = False) -> str:
    return secret(PASSPHRASE_ENV, "数据库口令", confirm)


def staff_password(name: str) -> str:
    return secret(STAFF_PASSWORD_ENV, f"员工 {name} 的密码")


def new_staff_password(name: str) -> str:
    return secret(NEW_STAFF_PASSWORD_ENV, f"新员工 {name} 的密码", confirm=True)
