"""Sub-command implementations; desktop.cli parses, these act."""
from __future__ import annotations

import argparse

from desktop.services.record import OUTCOMES

__all__ = ["OUTCOMES", "dispatch"]


def dispatch(args: argparse.Namespace) -> int:
    from . import admin_cmds, data_cmds, print_cmds, store_cmds

    table = {
        "init": store_cmds.cmd_init,
        "demo": store_cmds.cmd_demo,
        "lookup": store_cmds.cmd_lookup,
        "record": store_cmds.cmd_record,
        "staff": admin_cmds.cmd_staff,
        "settings": admin_cmds.cmd_settings,
        "audit": admin_cmds.cmd_audit,
        "self-check": admin_cmds.cmd_self_check,
        "backup": admin_cmds.cmd_backup,
        "restore": admin_cmds.cmd_restore,
        "sync": admin_cmds.cmd_sync,
        "import": data_cmds.cmd_import,
        "export": data_cmds.cmd_export,
        "slip": print_cmds.cmd_slip,
        "letters": print_cmds.cmd_letters,
    }
    if args.cmd is None:
        from . import gui_cmd

        return gui_cmd.cmd_gui(args)
    return table[args.cmd](args)
