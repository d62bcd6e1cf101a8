"""Command line (DESIGN §7). No sub-command opens the window.

Exit codes: 0 ok, 2 bad input (one line on stderr), 3 wrong key, 4 wrong staff password or role,
5 a verification failed (damaged store, audit verify, restore), 6 head office unreachable.
EXIT_CODES below is the ONE place a failure becomes an exit code; 1 means a bug of ours, never input.
"""
from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import sys

from desktop import commands, logs
from desktop.core.errors import (
    AuthFailed,
    BadInput,
    NotAllowed,
    RenewDeskError,
    Unreachable,
    VerificationFailed,
    WrongKey,
)
from desktop.paths import data_dir
from desktop.version import version

# What a failure means -> its exit code (DESIGN §7). Looked up along the class's MRO, so a new
# subclass (DamagedStore, SecretMissing, an io reader error…) inherits its parent's code.
EXIT_CODES: dict[type[RenewDeskError], int] = {
    BadInput: 2,
    WrongKey: 3,
    AuthFailed: 4,
    NotAllowed: 4,
    VerificationFailed: 5,
    Unreachable: 6,
}
INTERNAL = 1


def exit_code_for(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls in EXIT_CODES:
            return EXIT_CODES[cls]
    return INTERNAL

log = logging.getLogger("desktop.cli")

class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2, no usage dump
        self.exit(2, f"renewdesk: {message}（用 --help 查看用法）\n")


MAX_DAYS = 3660  # ten years: a wider window is a typo, and date arithmetic must never overflow
MAX_VEHICLES = 5_000_000


def _bounded_int(name: str, lo: int, hi: int):
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} 应为整数，收到「{text[:20]}」") from None
        if not lo <= value <= hi:
            raise argparse.ArgumentTypeError(f"{name} 应在 {lo} 到 {hi} 之间，收到 {text[:20]}")
        return value

    return parse


def _globals(p: argparse.ArgumentParser, top: bool) -> None:
    # Global options are accepted before or after the sub-command; SUPPRESS keeps a sub-parser
    # from overwriting a value given before the sub-command.
    d = None if top else argparse.SUPPRESS
    p.add_argument("--data-dir", default=d, help="数据目录（默认：RENEWDESK_DATA_DIR 或系统目录）")
    p.add_argument("--as", dest="as_staff", default=d, metavar="STAFF", help="以哪位员工身份操作")
    p.add_argument("--json", action="store_true", default=False if top else argparse.SUPPRESS,
                   help="machine-readable output (stdout holds only JSON)")
    p.add_argument("--at", default=d, metavar="ISO-DATETIME", help="evaluate as of this time (naive = UTC+8)")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="renewdesk", description="续保台 RenewDesk")
    _globals(p, top=True)
    p.add_argument("--demo", action="store_true", help="open the window on the bundled demo store")
    p.add_argument("--version", action="version", version=f"renewdesk {version()}")
    sub = p.add_subparsers(dest="cmd", parser_class=_Parser)

    def cmd(name: str, **kw) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, **kw)
        _globals(sp, top=False)
        return sp

    sp = cmd("init", help="create the encrypted store and an admin")
    sp.add_argument("--org")
    sp.add_argument("--counter")
    sp.add_argument("--admin", default="admin")

    sp = cmd("demo", help="create/fill a demo store")
    sp.add_argument("--vehicles", type=_bounded_int("--vehicles", 0, MAX_VEHICLES), default=2000)
    sp.add_argument("--seed", type=int, default=1)
    sp.add_argument("--admin", default="admin")

    sp = cmd("lookup")
    sp.add_argument("query", nargs="+")

    sp = cmd("record")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--outcome", required=True, choices=commands.OUTCOMES)
    for opt in ("--insurer", "--policy-no", "--start", "--end", "--note"):
        sp.add_argument(opt)
    sp.add_argument("--confirm-past-start", action="store_true",
                    help="the new cover really starts before now (audited)")
    sp.add_argument("--premium", metavar="YUAN", help="交强险 premium on the new policy")
    sp.add_argument("--vehicle-tax", metavar="YUAN", help="车船税 collected with the new 交强险")
    sp.add_argument("--next", metavar="DATE", help="unreachable / will_come: the follow-up day, YYYY-MM-DD")

    sp = cmd("import")
    sp.add_argument("file")
    sp.add_argument("--dry-run", action="store_true")
    sp.add_argument("--report")
    sp.add_argument("--sheet")
    sp.add_argument("--map", action="append", default=[], metavar="HEADER=field")

    sp = cmd("export")
    sp.add_argument("what", choices=["due", "status"])
    sp.add_argument("--within", type=_bounded_int("--within", 0, MAX_DAYS), default=None,
                    help="due: days ahead (default 30); status lists every vehicle")
    sp.add_argument("--xlsx", required=True)
    sp.add_argument("--full", action="store_true", help="unmasked personal data (admin, audited)")

    sp = cmd("slip")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--pdf", required=True)
    sp.add_argument("--paper", default="a4", choices=["a4", "a5", "80mm", "58mm"])

    sp = cmd("letters")
    sp.add_argument("--due-within", type=_bounded_int("--due-within", 0, MAX_DAYS), required=True)
    sp.add_argument("--include-lapsed", action="store_true")
    sp.add_argument("--order", choices=["address", "due"], default="address")
    sp.add_argument("--pdf", required=True)

    sp = cmd("staff")
    ssub = sp.add_subparsers(dest="staff_cmd", required=True, parser_class=_Parser)
    a = ssub.add_parser("add")
    _globals(a, top=False)
    a.add_argument("name")
    a.add_argument("--role", required=True, choices=["clerk", "supervisor", "admin"])
    for verb in ("disable", "enable", "reset-password"):
        d = ssub.add_parser(verb)
        _globals(d, top=False)
        d.add_argument("name")
    r = ssub.add_parser("role")
    _globals(r, top=False)
    r.add_argument("name")
    r.add_argument("--role", required=True, choices=["clerk", "supervisor", "admin"])
    for verb in ("passwd", "list"):
        _globals(ssub.add_parser(verb), top=False)

    sp = cmd("settings")
    ssub = sp.add_subparsers(dest="settings_cmd", required=True, parser_class=_Parser)
    g = ssub.add_parser("get")
    _globals(g, top=False)
    g.add_argument("key", nargs="?")
    s = ssub.add_parser("set")
    _globals(s, top=False)
    s.add_argument("key")
    s.add_argument("value")

    sp = cmd("sync")
    sp.add_argument("--server")
    sp.add_argument("--enroll")
    sp.add_argument("--export-batch")
    sp.add_argument("--apply-batch")

    sp = cmd("backup")
    sp.add_argument("out")
    sp = cmd("restore")
    sp.add_argument("inp", metavar="IN")
    sp = cmd("audit")
    sp.add_argument("audit_cmd", choices=["verify"])
    sp = cmd("self-check")
    _aftersales(cmd)

    # Renewal work (issue 13): worklist, contact, assign, report.
    from desktop.commands.renewal_cmds import add_parsers as add_renewal_parsers
    add_renewal_parsers(cmd)

    # Contact details (issue 11): customer QUERY --phone/--address/--consent-*.
    from desktop.commands.customer_cmds import add_parsers as add_customer_parsers
    add_customer_parsers(cmd)

    # The vehicle card's 浮动告知单 and 年检 (issue 13 items 5, 6): float-notice, inspection.
    from desktop.commands.card_cmds import add_parsers as add_card_parsers
    add_card_parsers(cmd)
    return p


def _aftersales(cmd) -> None:
    """Issue 14: claims guidance, the insurer directory, complaints, SMS lists."""
    from desktop.printing.guide_template import ACCIDENTS

    sp = cmd("guide", help="理赔指引")
    sp.add_argument("query", nargs="+")
    sp.add_argument("--accident", required=True, choices=ACCIDENTS)
    sp.add_argument("--pdf", required=True)
    sp.add_argument("--paper", default="a4", choices=["a4", "a5", "80mm"])

    sp = cmd("insurers", help="保险公司通讯录")
    isub = sp.add_subparsers(dest="insurers_cmd", parser_class=_Parser)
    s = isub.add_parser("set")
    _globals(s, top=False)
    s.add_argument("key")
    for opt in ("--name", "--short", "--aliases", "--claims-phone", "--roadside-phone", "--report-within-hours",
                "--branch-address", "--branch-hours"):
        s.add_argument(opt)
    s.add_argument("--confirm", action="store_true", help="mark this entry's numbers 已核实")

    sp = cmd("complaints", help="投诉/纠纷列表（逾期的在前）")
    sp.add_argument("--open", action="store_true", help="only complaints not yet closed")
    sp = cmd("complaint", help="登记和跟进投诉/纠纷")
    csub = sp.add_subparsers(dest="complaint_cmd", required=True, parser_class=_Parser)
    a = csub.add_parser("add")
    _globals(a, top=False)
    a.add_argument("query", nargs="+")
    a.add_argument("--category", required=True)
    a.add_argument("--due", required=True)
    a.add_argument("--note", required=True)
    a.add_argument("--promised", help="what the counter promised the customer")
    a.add_argument("--owner", help="staff member who follows it up (default: you)")
    f = csub.add_parser("follow")
    _globals(f, top=False)
    f.add_argument("id")
    f.add_argument("--note", required=True)
    f.add_argument("--owner")
    f.add_argument("--due")
    m = csub.add_parser("move")
    _globals(m, top=False)
    m.add_argument("id")
    m.add_argument("--to", required=True, choices=["open", "waiting_insurer", "resolved", "closed"])
    m.add_argument("--note")
    sh = csub.add_parser("show")
    _globals(sh, top=False)
    sh.add_argument("id")

    sp = cmd("sms", help="短信提醒名单（CSV/xlsx，尊重同意与停止联系）")
    sp.add_argument("--due-within", type=_bounded_int("--due-within", 0, MAX_DAYS), required=True)
    sp.add_argument("--include-lapsed", action="store_true")
    sp.add_argument("--csv")
    sp.add_argument("--xlsx")
    sp.add_argument("--full", action="store_true", help="full phones and names (admin, audited)")


def one_line(message: str) -> str:
    """DESIGN §7: the message on stderr is one line, even when it echoes what the user typed
    (`--at $'\\n'`): control characters are shown as escapes, never written as line breaks."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in message)


# Options naming files or folders: a POSIX file name may hold any bytes (argv keeps them as
# surrogate escapes); every other argument is text that the store (UTF-8) must be able to hold.
_PATH_ARGS = frozenset({"data_dir", "file", "pdf", "xlsx", "csv", "report", "out", "inp", "export_batch",
                        "apply_batch"})


def _not_text(args: argparse.Namespace) -> str | None:
    """The first text argument that is not UTF-8 (`--note $'\\xff'` in a UTF-8 locale), or None."""
    for name, value in vars(args).items():
        if name in _PATH_ARGS:
            continue
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, str):
                try:
                    v.encode("utf-8")
                except UnicodeEncodeError:
                    return name
    return None


def _parse(argv: list[str] | None) -> argparse.Namespace:
    """parse_args, except that a query's words may stand on both sides of an option
    (`lookup 粤b --json 12345`): argparse ends a nargs="+" positional at the first option and
    calls the words after it unrecognised; they are the rest of the QUERY (DESIGN §7)."""
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if isinstance(getattr(args, "query", None), list) and not any(e.startswith("-") for e in extra):
            args.query.extend(extra)
        else:
            parser.error("unrecognized arguments: " + " ".join(extra))
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    bad = _not_text(args)
    if bad:  # else the store's UTF-8 encoder fails mid-command: exit 1, a bug of ours
        opt = "查询内容" if bad == "query" else "--" + bad.replace("_", "-")
        print(f"renewdesk: {opt} 含有无法识别的字符（不是 UTF-8 文本），请检查终端或脚本的编码。", file=sys.stderr)
        return 2
    given = getattr(args, "data_dir", None)
    if isinstance(given, str) and not given.strip():  # `--data-dir "$D"` unset: never the default store
        print("renewdesk: --data-dir 需要一个目录，例如 --data-dir D:\\续保台数据（不写 --data-dir 即默认目录）。",
              file=sys.stderr)
        return 2
    if args.cmd in ("slip", "letters", "self-check", "guide") and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # renders need no display
    _start_log(args)
    # The log names the command and how it ended, never its arguments (queries, names, files).
    log.info("command %s started", args.cmd or "gui")
    try:
        code = commands.dispatch(args)
    except RenewDeskError as exc:
        print(f"renewdesk: {one_line(exc.message)}", file=sys.stderr)
        code = exit_code_for(exc)
        log.warning("command %s refused: %s (exit %s)", args.cmd, type(exc).__name__, code)
    except KeyboardInterrupt:
        print("renewdesk: 已取消", file=sys.stderr)
        code = 130
    except Exception as exc:  # never a traceback (it could carry personal data) unless asked for
        if os.environ.get("RENEWDESK_DEBUG"):
            raise
        ref = logs.reference()
        log.error("command %s failed [%s]", args.cmd, ref, exc_info=True)  # masked by logs.MaskingFilter
        print(f"renewdesk: 内部错误（{type(exc).__name__}，编号 {ref}）。设置 RENEWDESK_DEBUG=1 可查看详情。",
              file=sys.stderr)
        code = INTERNAL
    sys.stdout.flush()
    log.info("command %s ended: exit %s", args.cmd or "gui", code)
    return code


def _start_log(args: argparse.Namespace) -> None:
    """Rotating masked log in <data dir>/logs (the demo window logs in its own data dir)."""
    try:
        where = data_dir(getattr(args, "data_dir", None))
    except Exception:  # an unusable --data-dir is reported by the command itself
        where = None
    if where is not None and args.cmd is None and getattr(args, "demo", False) and not getattr(args, "data_dir", None):
        where = where / "demo"
    if where is None or logs.configure(where) is None:
        # No log file (the data dir is a file, cannot be made…): without a handler, logging's
        # last resort would print our WARNING lines on stderr beside the one-line message (§7).
        logging.getLogger().addHandler(logging.NullHandler())


if __name__ == "__main__":  # pragma: no cover
    # The frozen app's child processes (desktop.io.parse_process reads a large import there) start
    # this same executable: freeze_support() runs the child's work and exits before any CLI.
    multiprocessing.freeze_support()
    sys.exit(main())
