"""`renewdesk-server`: serve head office, or manage it (DESIGN §7).

    renewdesk-server [--db URL] [--data-dir DIR] [--host H] [--port P]     serve
    renewdesk-server enroll-code --branch NAME [--json]
    renewdesk-server revoke DEVICE_ID
    renewdesk-server apply-batch FILE --reply DIR [--json]
    renewdesk-server devices [--json] | prune

Server options go before or after the sub-command. The database is a SQLite file
`headoffice.db` in the data dir (--data-dir, else RENEWDESK_DATA_DIR, else the platform's) unless
--db (or RENEWDESK_SERVER_DB) names another, e.g. postgresql+psycopg://user@host/renewdesk.
Exit codes: 0 ok, 2 bad input, 5 a batch file failed verification, 6 the database cannot be reached.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

DB_ENV = "RENEWDESK_SERVER_DB"
ADMIN_ENV = "RENEWDESK_SERVER_ADMIN_PASSWORD"
RETENTION_ENV = "RENEWDESK_SERVER_RETENTION_DAYS"
DATA_DIR_ENV = "RENEWDESK_DATA_DIR"
DEFAULT_PORT = 8750


class _Exit(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _globals(parser: argparse.ArgumentParser, top: bool) -> None:
    # Sub-parsers get the same options with SUPPRESS defaults, so "before or after" both work.
    d = (lambda v: v) if top else (lambda v: argparse.SUPPRESS)
    parser.add_argument("--db", default=d(None), help="database URL (default: SQLite in the data dir)")
    parser.add_argument("--data-dir", default=d(None), help="data dir (default RENEWDESK_DATA_DIR or the platform's)")
    parser.add_argument("--host", default=d("127.0.0.1"), help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=d(DEFAULT_PORT), help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--retention-days", type=float, default=d(None),
                        help="keep feed payloads and tombstones this many days (default 90)")
    parser.add_argument("--ssl-certfile", default=d(None), help="TLS certificate (else put a TLS proxy in front)")
    parser.add_argument("--ssl-keyfile", default=d(None), help="TLS key")
    parser.add_argument("--json", action="store_true", default=d(False), help="print JSON only")


def _port(text: str) -> int:
    """A TCP port, 0-65535 (0 = any free one): a bigger number would reach the socket as a traceback."""
    try:
        port = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口应为整数 / port must be an integer: {text[:20]}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"端口应在 0 到 65535 之间 / port must be 0-65535: {text[:20]}")
    return port


MAX_RETENTION_DAYS = 36_500  # a century; inf or 1e308 days cannot be turned into a cut-off instant


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        raise _Exit(2, f"参数有误 / bad arguments: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="renewdesk-server", description="RenewDesk head office (续保台总部)")
    _globals(p, True)
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    s = sub.add_parser("serve", help="serve the sync API and the head-office page (default)")
    _globals(s, False)
    s = sub.add_parser("enroll-code", help="print a one-time enrolment code for a counter")
    s.add_argument("--branch", required=True)
    _globals(s, False)
    s = sub.add_parser("revoke", help="revoke a device: its token and batch key stop working")
    s.add_argument("device_id")
    _globals(s, False)
    s = sub.add_parser("apply-batch", help="apply an offline batch file and write the reply batch")
    s.add_argument("file")
    s.add_argument("--reply", required=True, metavar="DIR")
    _globals(s, False)
    s = sub.add_parser("devices", help="list enrolled devices")
    _globals(s, False)
    s = sub.add_parser("prune", help="drop payloads and tombstones older than the retention")
    _globals(s, False)
    return p


def data_dir(override: str | None) -> Path:
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("RenewDesk", appauthor=False))


def db_url(args: argparse.Namespace) -> str:
    url = args.db or os.environ.get(DB_ENV)
    if url:
        return url
    return f"sqlite:///{data_dir(args.data_dir) / 'headoffice.db'}"


def retention_days(args: argparse.Namespace) -> float:
    raw = args.retention_days if args.retention_days is not None else os.environ.get(RETENTION_ENV, 90)
    try:
        days = float(raw)
    except ValueError:
        raise _Exit(2, f"保留天数应为数字 / {RETENTION_ENV} must be a number") from None
    if not 0 <= days <= MAX_RETENTION_DAYS:  # also refuses nan and inf
        raise _Exit(2, f"保留天数应在 0 到 {MAX_RETENTION_DAYS} 之间 / retention days must be 0-{MAX_RETENTION_DAYS}")
    return days


def _engine(args: argparse.Namespace):  # noqa: ANN202
    from sqlalchemy.exc import DBAPIError

    from .db import BadDatabaseURL, make_engine, upgrade

    try:
        engine = make_engine(db_url(args))
        upgrade(engine)
    except BadDatabaseURL as e:
        raise _Exit(2, str(e)) from None
    except (DBAPIError, OSError) as e:
        reason = type(getattr(e, "orig", None) or e).__name__
        raise _Exit(6, f"无法连接数据库，请检查 --db 地址和数据库服务 / cannot reach the database ({reason})") from None
    return engine


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api import ServerConfig, create_app
    from .db import get_meta, set_meta, write_tx
    from .page import hash_password
    from .sync import prune

    logging.getLogger("server").setLevel(logging.INFO)  # serving logs requests and counts, never payloads
    engine = _engine(args)
    days = retention_days(args)
    password = os.environ.pop(ADMIN_ENV, None)  # hashed at once; the plain text does not stay around
    with write_tx(engine) as conn:
        if password:
            set_meta(conn, "admin_hash", hash_password(password))
        admin_hash = get_meta(conn, "admin_hash")
    prune(engine, days)
    app = create_app(ServerConfig(engine, retention_days=days, admin_hash=admin_hash))
    from .housekeeping import start_pruning

    start_pruning(engine, days)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.ssl_certfile:
        print("注意：未配置 TLS，柜台只接受本机的 http 地址；请用 --ssl-certfile/--ssl-keyfile 或在前面加 TLS 代理 / "
              "warning: plain http off loopback - counters accept https only", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="warning",
                ssl_certfile=args.ssl_certfile, ssl_keyfile=args.ssl_keyfile)
    return 0


def _run(args: argparse.Namespace) -> int:
    cmd = args.command or "serve"
    if cmd == "serve":
        return _serve(args)
    from . import devices

    branch = devices.clean_name(args.branch) if cmd == "enroll-code" else None
    if cmd == "enroll-code" and branch is None:
        raise _Exit(2, "网点名称应为 1 到 100 个字 / --branch must be 1 to 100 printable characters")
    engine = _engine(args)
    if cmd == "enroll-code":
        code = devices.create_code(engine, branch)
        print(json.dumps({"code": code}) if args.json else f"登记码 / enrolment code（{branch}，7 天内有效，只能用一次）: {code}")
    elif cmd == "revoke":
        if not devices.revoke(engine, args.device_id):
            raise _Exit(2, "没有这台在用的设备 / no active device with that id")
        print(json.dumps({"revoked": args.device_id}) if args.json else f"已停用 / revoked: {args.device_id}")
    elif cmd == "devices":
        devs = devices.list_devices(engine)
        if args.json:
            print(json.dumps({"devices": devs}, ensure_ascii=False))
        else:
            for d in devs:
                print(f"{d['id']}  {d['branch']} / {d['counter']}  next_seq={d['next_seq']}"
                      f"{'  revoked' if d['revoked_at'] else ''}")
    elif cmd == "prune":
        from .sync import prune

        print(json.dumps({"feed_floor": prune(engine, retention_days(args))}))
    elif cmd == "apply-batch":
        return _apply_batch(engine, args)
    return 0


def _apply_batch(engine, args: argparse.Namespace) -> int:  # noqa: ANN001
    from desktop.sync.protocol import BatchError

    from .batch import BatchInputError, apply_batch

    file = Path(args.file)
    if not file.is_file():
        raise _Exit(2, f"找不到批次文件 / batch file not found: {file.name}")
    reply = Path(args.reply).expanduser().resolve()
    # Checked before applying (nothing is made yet: a refused batch leaves no folder behind): a
    # reply that could not be written came after the commit, and read as a failure.
    existing = next(p for p in (reply, *reply.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK):
        raise _Exit(2, f"回执目录 {reply} 无法创建（{existing} 不是可写的文件夹），未做任何更改 / "
                       "--reply DIR is not a folder that can be made: nothing applied")
    try:
        done = apply_batch(engine, file, reply)
    except BatchError as e:
        raise _Exit(5, f"批次文件校验失败，未做任何更改 / batch file refused, nothing applied: {e}") from None
    except BatchInputError as e:
        raise _Exit(2, str(e)) from None
    except OSError as e:
        raise _Exit(2, f"无法读写批次文件 / cannot read or write the batch: {e.strerror}") from None
    if args.json:
        print(json.dumps(done.to_json(), ensure_ascii=False))
    elif done.again:
        print(f"批次 {done.n} 已经处理过，没有任何更改；回执已重新写到 {done.reply_path} / "
              f"batch already applied: nothing changed")
    else:
        c = done.counts
        print(f"批次 {done.n}：接收 {c.applied}，重复 {c.duplicates}，被拒 {c.rejected}，暂缓 {c.deferred}；"
              f"回执：{done.reply_path} / applied {c.applied}, duplicate {c.duplicates}, "
              f"rejected {c.rejected}, deferred {c.deferred}")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        args = build_parser().parse_args(argv)
        code = _run(args)
    except _Exit as e:
        print(str(e), file=sys.stderr)
        code = e.code
    except KeyboardInterrupt:
        code = 130
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()
