"""Rotating log files in <data dir>/logs/, with personal data masked before anything is written.

Everyone else just uses ``logging.getLogger(__name__)``; the command line and the window call
``configure(data_dir)`` once at start. The filter sits on our handlers, so a record from any
library (SQLAlchemy's parameter dumps included) is cleaned the same way:
- ID numbers (18 digits or 17 + X, and 15 digits) keep 前6后4, mobiles 前3后4 (desktop.core.masking);
- a name given as ``姓名/车主/owner/name=…`` keeps its first character;
- keys (64 hex digits, ``x'…'``), ``password=…``/``passphrase=…``/``query=…`` values and the
  ``[parameters: …]`` block of a database error are dropped outright.
Nothing here may fail the app: an unusable logs folder means no file log, not a crash.
"""
from __future__ import annotations

import logging
import logging.handlers
import re
from pathlib import Path

from desktop.core.masking import mask_id, mask_name, mask_phone

LOG_DIR = "logs"
LOG_FILE = "renewdesk.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d] %(message)s"

_HANDLER_TAG = "_renewdesk_handler"

_SQL_PARAMS = re.compile(r"\[parameters: [^\n]*")  # SQLAlchemy prints them on a line of their own
_SQL_TEXT = re.compile(r"\[SQL: .*?\](?=\s*(\(|\[|$))", re.S)
_RAW_KEY = re.compile(r"x'[0-9a-fA-F]{16,}'|\b[0-9a-fA-F]{64}\b")
_SECRET_KV = re.compile(r"(?i)\b(password|passphrase|pw|passwd|secret|key|query|q)(\s*[=:]\s*)(\S+)")
_ID18 = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_ID15 = re.compile(r"(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?|0086[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})[- ]?(\d{7,8})(?!\d)")
_NAME_KV = re.compile(r"(?i)(姓名|车主|客户|被保险人|投保人|owner|name|customer)(\s*[=:：]\s*['\"]?)"
                      r"([\u4e00-\u9fffA-Za-z·]{2,20})")


def scrub(text: str) -> str:
    """The one masking pass for log text (also used for crash reports and the 诊断包)."""
    if not text:
        return text
    text = _SQL_PARAMS.sub("[parameters: (removed)]", text)
    text = _SQL_TEXT.sub("[SQL: (removed)]", text)
    text = _RAW_KEY.sub("(key removed)", text)
    text = _SECRET_KV.sub(lambda m: f"{m.group(1)}{m.group(2)}(removed)", text)
    text = _ID18.sub(lambda m: mask_id(m.group(0).upper()), text)
    text = _ID15.sub(lambda m: mask_id(m.group(0)), text)
    text = _MOBILE.sub(lambda m: mask_phone(m.group(1) + m.group(2) + m.group(3)), text)
    text = _LANDLINE.sub(lambda m: f"{m.group(1)}****{m.group(2)[-2:]}", text)
    text = _NAME_KV.sub(lambda m: f"{m.group(1)}{m.group(2)}{mask_name(m.group(3))}", text)
    return text


class MaskingFilter(logging.Filter):
    """Rewrites each record's message (and any traceback) masked, before a handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record
            message = str(record.msg)
        record.msg, record.args = scrub(message), None
        if record.exc_info:
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_info, record.exc_text = None, scrub(formatted)
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True


def log_dir(data_dir: Path) -> Path:
    return Path(data_dir) / LOG_DIR


def configure(data_dir: Path, level: int = logging.INFO) -> Path | None:
    """Send the root logger to <data dir>/logs/renewdesk.log (rotating, masked). Idempotent: a
    second call (a test, a restore that changes nothing) replaces our handler instead of adding one.
    Returns the log file, or None when the folder cannot be written (the app runs on)."""
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _HANDLER_TAG, False):
            root.removeHandler(h)
            h.close()
    folder = log_dir(data_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(folder / LOG_FILE, maxBytes=MAX_BYTES,
                                                       backupCount=BACKUPS, encoding="utf-8", delay=True)
    except OSError:
        return None
    setattr(handler, _HANDLER_TAG, True)
    handler.addFilter(MaskingFilter())
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    # SQLAlchemy at INFO would log every statement with its parameters: never.
    for noisy in ("sqlalchemy", "alembic", "httpx", "httpcore", "PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return folder / LOG_FILE


def shutdown() -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, _HANDLER_TAG, False):
            root.removeHandler(h)
            h.close()


def reference() -> str:
    """A short reference a clerk can read out to support, to find the logged traceback."""
    import secrets
    from datetime import datetime

    return f"{datetime.now():%m%d%H%M}-{secrets.token_hex(2).upper()}"
