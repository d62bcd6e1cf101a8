"""No sub-command: open the window. `--demo` first builds (once) and then opens the demo store."""
from __future__ import annotations

import argparse
import os
from datetime import datetime

from desktop.paths import data_dir

DEMO_PASSPHRASE = "demo-passphrase"
DEMO_ADMIN_PASSWORD = "demo1234"
DEMO_VEHICLES = 3000


def ensure_demo_store(args: argparse.Namespace) -> None:
    """The demo store lives in <data dir>/demo with published demo secrets (fictitious data only)."""
    from desktop.commands.common import context
    from desktop.core.timeutil import CST
    from desktop.services import demo

    if not getattr(args, "data_dir", None):
        args.data_dir = str(data_dir() / "demo")
    os.environ.setdefault("RENEWDESK_PASSPHRASE", DEMO_PASSPHRASE)
    os.environ.setdefault("RENEWDESK_STAFF_PASSWORD", DEMO_ADMIN_PASSWORD)
    ctx = context(args)
    if ctx.exists():
        return
    from desktop.commands.store_cmds import _create

    _create(ctx, "admin", "演示车行", "1号柜台")
    engine = ctx.store().engine
    print(f"正在生成演示数据（{DEMO_VEHICLES} 辆车）…")
    demo.fill_demo(engine, DEMO_VEHICLES, seed=1, at=datetime.now(CST), staff="admin")
    ctx.close()


def cmd_gui(args: argparse.Namespace) -> int:
    if getattr(args, "demo", False):
        ensure_demo_store(args)
    from desktop.ui.main import run

    return run(args)
