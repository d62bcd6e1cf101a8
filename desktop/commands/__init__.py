"""Sub-command implementations; desktop.cli parses, these act."""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import json
import sys

from desktop.services.record import OUTCOMES

__all__ = ["OUTCOMES", "dispatch"]


# command -> (module, function). Imported on demand: `lookup` need not load Qt printing or the
# Excel readers, which would cost every command a few hundred milliseconds of start-up. Being
# imported by name, PyInstaller cannot see these modules: build.spec collects desktop.* whole.
_COMMANDS = {
    "init": ("store_cmds", "cmd_init"),
    "demo": ("store_cmds", "cmd_demo"),
    "lookup": ("store_cmds", "cmd_lookup"),
    "record": ("store_cmds", "cmd_record"),
    "staff": ("admin_cmds", "cmd_staff"),
    "settings": ("admin_cmds", "cmd_settings"),
    "audit": ("admin_cmds", "cmd_audit"),
    "self-check": ("self_check", "cmd_self_check"),
    "backup": ("admin_cmds", "cmd_backup"),
    "restore": ("admin_cmds", "cmd_restore"),
    "sync": ("sync_cmds", "cmd_sync"),
    "import": ("data_cmds", "cmd_import"),
    "export": ("data_cmds", "cmd_export"),
    "slip": ("print_cmds", "cmd_slip"),
    "letters": ("print_cmds", "cmd_letters"),
    # after-sales (issue 14)
    "guide": ("aftersales_cmds", "cmd_guide"),
    "insurers": ("aftersales_cmds", "cmd_insurers"),
    "complaint": ("aftersales_cmds", "cmd_complaint"),
    "complaints": ("aftersales_cmds", "cmd_complaints"),
    "sms": ("aftersales_cmds", "cmd_sms"),
    "worklist": ("renewal_cmds", "cmd_worklist"),
    "contact": ("renewal_cmds", "cmd_contact"),
    "assign": ("renewal_cmds", "cmd_assign"),
    "report": ("renewal_cmds", "cmd_report"),
    "customer": ("customer_cmds", "cmd_customer"),  # contact details (issue 11)
    # the vehicle card's dates and premium (issue 13 items 5, 6)
    "float-notice": ("card_cmds", "cmd_float_notice"),
    "inspection": ("card_cmds", "cmd_inspection"),
    None: ("gui_cmd", "cmd_gui"),
}


def dispatch(args: argparse.Namespace) -> int:
    module, func = _COMMANDS[args.cmd]
    run = getattr(importlib.import_module(f"{__name__}.{module}"), func)
    if not getattr(args, "json", False) or args.cmd is None:
        return run(args)
    return _json_only(run, args)


def _json_only(run, args: argparse.Namespace) -> int:
    """DESIGN §7: with --json, stdout holds only the JSON — for every command.

    Commands print their own JSON; one that has only words to say (backup, restore, slip, …)
    gets them wrapped as {"ok": true, "messages": [...]} instead of breaking a script's parser.
    On an error nothing reaches stdout: the one-line message goes to stderr as always.
    """
    buf = io.StringIO()
    try:
        with contextlib.redirect_stdout(buf):
            code = run(args)
    except BaseException:
        # A command may print its JSON and then fail (audit verify: the report, then exit 5):
        # the JSON it printed still goes out; words printed before an error do not.
        if _is_json(buf.getvalue()):
            sys.stdout.write(buf.getvalue())
        raise
    text = buf.getvalue()
    if not _is_json(text):
        text = json.dumps({"ok": code == 0, "messages": [ln for ln in text.splitlines() if ln.strip()]},
                          ensure_ascii=False, indent=2) + "\n"
    sys.stdout.write(text)
    return code


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True
