"""The ONE place a failure becomes the Chinese text the window shows (issue 10 item 4).

A RenewDesk failure (desktop.core.errors, or another of our own errors with a ``message``) already
carries a Chinese sentence meant for the counter. Anything else is a bug of ours: crash.handle
logs it (masked) under a short reference, and the clerk reads a Chinese sentence with that
reference — never str(exc), which may quote a phone, an ID number or SQL.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.core.errors import RenewDeskError


def known_message(exc: BaseException) -> str | None:
    """Our own sentence for the screen, or None when the failure is not one of ours."""
    text = getattr(exc, "message", None)
    if not isinstance(text, str) or not text:
        return None
    if isinstance(exc, RenewDeskError) or type(exc).__module__.startswith("desktop."):
        return text
    return None


def hint_for(exc: BaseException) -> str:
    """A plain sentence for a failure that is not ours (shown with the log reference)."""
    if isinstance(exc, MemoryError):
        return QCoreApplication.translate("Errors", "The computer ran out of memory for this task. Close other "
                                          "programs and try again; nothing was saved half-way.")
    if isinstance(exc, OSError):
        return QCoreApplication.translate("Errors", "A file or folder could not be used. Check the disk, the "
                                          "folder and its permissions, then try again.")
    return QCoreApplication.translate("Errors", "Something unexpected went wrong. Nothing was saved half-way. "
                                      "Tell your administrator the reference below.")


def message_for(exc: BaseException) -> str:
    known = known_message(exc)
    if known is not None:
        return known
    from . import crash

    ref = crash.handle(type(exc), exc, exc.__traceback__, show=False)
    return crash.user_message(exc, ref)
