"""`self-check`: can this install (source or frozen) do its job on this PC?

It always checks the parts a fresh PC needs, with no store of its own: the OS keyring, a
temporary encrypted store (created, closed, reopened with its passphrase), the migrations run
on it, a one-page slip PDF rendered with the shipped font, and the zh_CN translation loaded.
When the data dir already holds a store, it also rehearses that store's migrations on an
encrypted copy and verifies its audit chain (logging in as --as, like every command that opens
the store). The JSON always has {"ok","version","keyring","store","migrations","pdf",
"translation"}, each a short status.
"""
from __future__ import annotations

import argparse
import logging
import platform
import re
import secrets
import tempfile
from datetime import datetime
from pathlib import Path

from desktop.store.keyring_port import KeyringPort, NoKeyring, OsKeyring
from desktop.version import version

from .common import acting_staff, context, print_json

log = logging.getLogger(__name__)
REQUIRED = ("store", "migrations", "pdf", "translation")


def check_keyring(keyring: KeyringPort) -> str:
    st = keyring.status()
    return f"ok: {st.backend}" if st.usable else f"none: {st.reason or st.backend}（每次启动需输入数据库口令）"


def check_temp_store(tmp: Path) -> tuple[str, str]:
    """(store, migrations) statuses for a throw-away store in `tmp`."""
    from desktop.store import migrate
    from desktop.store.store import create_store, open_store

    phrase = secrets.token_urlsafe(12)
    try:
        store = create_store(tmp / "store", phrase, NoKeyring())
        store.close()
        store = open_store(tmp / "store", lambda: phrase, NoKeyring())
    except Exception as exc:  # reported, not raised: self-check lists every broken part
        log.warning("self-check: temporary store failed: %s", type(exc).__name__)
        return f"failed: {type(exc).__name__}", "not run"
    try:
        current, head = migrate.current_revision(store.engine), migrate.head_revision()
        migrations = f"ok: {head}" if current == head else f"failed: at {current}, head {head}"
    except Exception as exc:
        migrations = f"failed: {type(exc).__name__}"
    finally:
        store.close()
    return "ok", migrations


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def check_pdf(tmp: Path) -> str:
    from desktop.core.status import coverage_status
    from desktop.core.timeutil import CST
    from desktop.printing.model import CounterInfo, SlipData
    from desktop.printing.slip import render_slip_pdf
    from desktop.services.documents import default_resources

    now = datetime.now(CST)
    slip = SlipData(plate="京A12345", status=coverage_status([], now), insurer=None, source=None, as_of=None,
                    printed_at=now, counter=CounterInfo("自检柜台", "010-00000000", "自检地址", "9:00-17:00"))
    out = tmp / "self-check.pdf"
    try:
        _qt_app()
        render_slip_pdf(slip, out, "a4", font_path=default_resources().font)
        data = out.read_bytes()
    except Exception as exc:
        log.warning("self-check: PDF failed: %s", type(exc).__name__)
        return f"failed: {type(exc).__name__}"
    n = _pages(data)
    if not data.startswith(b"%PDF") or n != 1:
        return f"failed: {n} pages"
    return "ok: 1 page"


def _qt_app():
    # The widget kind (fonts.ensure_gui_app), not a bare QGuiApplication: only one application can
    # exist in a process, and a self-check run in-process (the window, a test driving cli.main)
    # would otherwise leave one that no widget, style sheet or print preview can use.
    from desktop.printing.fonts import ensure_gui_app

    return ensure_gui_app()


def check_translation(installed: bool = False) -> str:
    """Load zh_CN and look one string up. `installed`: the window has it loaded already (and
    installing a translator from a worker thread is not allowed), so only look it up."""
    try:
        from PySide6.QtCore import QCoreApplication

        from desktop.ui import i18n

        if installed:
            ok = QCoreApplication.translate("LoginDialog", "Log in") != "Log in"
            return "ok: zh_CN (loaded)" if ok else "failed: zh_CN strings missing"
        app = _qt_app()
        translator = i18n.install(app)
        if translator is None:
            return "failed: no zh_CN translation shipped"
        got = QCoreApplication.translate("LoginDialog", "Log in")
        app.removeTranslator(translator)
    except Exception as exc:
        log.warning("self-check: translation failed: %s", type(exc).__name__)
        return f"failed: {type(exc).__name__}"
    kind = "qm" if not isinstance(translator, i18n.TsTranslator) else "ts"
    return f"ok: zh_CN ({kind})" if got != "Log in" else "failed: zh_CN strings missing"


def _data_store_checks(args: argparse.Namespace, out: dict) -> bool:
    """Rehearse the real store's migrations and verify its audit chain; False if either fails."""
    from desktop.store import audit, migrate
    from desktop.store.engine import check_integrity, make_engine, vacuum_into, verify_opens

    ctx = context(args)
    out["data_dir"] = str(ctx.data_dir)
    if not ctx.exists():
        out["data_store"] = "none"
        return True
    session = acting_staff(ctx, args)
    store = ctx.store()
    out["data_store"] = "ok"
    out["key_source"] = store.key_source
    out["schema_revision"] = migrate.current_revision(store.engine)
    out["schema_head"] = migrate.head_revision()
    with tempfile.TemporaryDirectory() as tmp:  # never on the live file
        copy = Path(tmp) / "rehearsal.db"
        vacuum_into(store.engine, copy)
        engine = make_engine(copy, store.key)
        try:
            verify_opens(engine)
            migrate.upgrade(engine, backup_dir=None)
            out["migration_rehearsal"] = "ok"
        finally:
            engine.dispose()
    # The whole-file check lives here, not on the open path (issue 10 item 1).
    problems = check_integrity(store.engine)
    out["integrity"] = "ok" if not problems else f"DAMAGED ({len(problems)})"
    out["audit_chain"] = "ok" if audit.verify(store.engine, store.anchor).ok else "BROKEN"
    audit.record(store.engine, "self_check", session.name)
    ctx.close()
    return out["audit_chain"] == "ok" and out["integrity"] == "ok"


def collect(args: argparse.Namespace | None, keyring: KeyringPort | None = None) -> dict:
    """Every check, as a dict (also what the 诊断包 carries). `args` None: from the window, which
    has the store open and the translation loaded; the data store's own checks are skipped."""
    out: dict[str, object] = {"ok": False, "version": version()}
    out["keyring"] = check_keyring(keyring or OsKeyring())
    with tempfile.TemporaryDirectory(prefix="renewdesk-check-") as tmp:
        out["store"], out["migrations"] = check_temp_store(Path(tmp))
        out["pdf"] = check_pdf(Path(tmp))
    out["translation"] = check_translation(installed=args is None)
    out["python"] = platform.python_version()
    out["platform"] = platform.platform()
    store_ok = _data_store_checks(args, out) if args is not None else True
    out["ok"] = store_ok and all(str(out[k]).startswith("ok") for k in REQUIRED)
    return out


def cmd_self_check(args: argparse.Namespace) -> int:
    result = collect(args)
    if getattr(args, "json", False):
        print_json(result)
    else:
        for k, v in result.items():
            print(f"{k}: {v}")
    log.info("self-check: ok=%s", result["ok"])
    return 0 if result["ok"] else 5
