"""Reminder letters rendered into a PDF by a child process (issue 10 item 5).

Laying out and drawing a letter is ~4 ms of Python and Qt holding the GIL. In the window's
process a batch of 5,000 took turns with the GUI thread and the database lane for the GIL, and
typing into the search box answered ~6x slower than when idle (bench/search_typing.py --during
letters). A child process draws them instead; the window only sends the letters and reads progress.

Spawn-safe: the "spawn" start method (the only one on Windows, the one PyInstaller supports once
the entry point has called multiprocessing.freeze_support(); desktop.cli does). The child runs a
module-level function of this module; it is sent plain LetterData (masked on paper as ever) and
writes only the file it was given.

Pipe messages, child → parent: ("progress", letters drawn), then ("done", pages),
("cancelled", None), ("error", a Chinese message) or ("failed", the exception's type name: an
exception text could hold an address, which is personal data).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .model import LetterData, PrintError

# Below this a batch is drawn in-process: starting an interpreter with Qt (~1 s) costs more than
# drawing a couple of hundred letters.
CHILD_MIN_LETTERS = 300
PROGRESS_EVERY = 50
POLL_S = 0.1  # how often the parent looks at cancel() while it waits for the child's next message

MSG_CHILD_DIED = "生成提醒信的后台进程意外退出（可能内存不足），没有生成 PDF：请关闭其他程序后重试。"


def _lower_priority() -> None:
    """The batch gives way to the clerk: on a busy counter PC the window's process gets the CPU
    first (Unix nice; on Windows BELOW_NORMAL_PRIORITY_CLASS). Best effort."""
    try:
        if hasattr(os, "nice"):
            os.nice(10)
        elif sys.platform == "win32":
            import ctypes

            kernel32 = ctypes.windll.kernel32
            kernel32.SetPriorityClass(kernel32.GetCurrentProcess(), 0x00004000)  # BELOW_NORMAL
    except (OSError, AttributeError):
        pass


def _serve(conn, out: str, template_path: str, font_path: str, letters: Sequence[LetterData], stop,
           every: int) -> None:
    """The child: draw every letter into `out`, reporting progress; stop when `stop` is set."""
    from desktop.core.errors import BadInput

    from .fonts import FontError, ensure_gui_app
    from .letter import LetterPdfWriter, load_letter_template

    _lower_priority()
    try:
        ensure_gui_app()
        template = load_letter_template(Path(template_path))
        with LetterPdfWriter(out, template, font_path) as writer:
            for i, letter in enumerate(letters, 1):
                if stop.is_set():
                    break
                writer.add(letter)
                if i % every == 0:
                    conn.send(("progress", i))
        conn.send(("cancelled", None) if stop.is_set() else ("done", writer.pages))
    except (BadInput, FontError) as exc:  # our own messages (template, font, file): Chinese, no personal data
        conn.send(("error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - reported by type only
        conn.send(("failed", type(exc).__name__))
    finally:
        conn.close()


def render_pdf(out: Path, template_path: Path, font_path: Path, letters: Sequence[LetterData],
               progress: Callable[[int, int], None] | None = None,
               cancel: Callable[[], bool] | None = None) -> int | None:
    """Draw `letters` into `out` in a child process: the page count, or None when `cancel()` said
    stop. A failure raises PrintError (Chinese); `out` may then be partly written (the caller
    writes to a temporary name)."""
    ctx = multiprocessing.get_context("spawn")
    receive, send = ctx.Pipe(duplex=False)
    stop = ctx.Event()
    child = ctx.Process(target=_serve, args=(send, str(out), str(template_path), str(font_path), list(letters), stop,
                                                      PROGRESS_EVERY),
                        daemon=True, name="renewdesk-letters")
    child.start()
    send.close()  # the child holds the only writing end: EOF once it is gone
    total = len(letters)
    try:
        while True:
            if cancel is not None and cancel():
                stop.set()
            if not receive.poll(POLL_S):
                continue
            try:
                kind, value = receive.recv()
            except EOFError:
                raise PrintError(MSG_CHILD_DIED) from None
            if kind == "progress":
                if progress is not None:
                    progress(value, total)
            elif kind == "done":
                return value
            elif kind == "cancelled":
                return None
            elif kind == "error":
                raise PrintError(value)
            else:
                raise PrintError(f"生成提醒信 PDF 时出错（{value}），没有生成 PDF：请重试，仍不行请联系管理员。")
    finally:
        stop.set()
        child.join(30)
        if child.is_alive():
            child.terminate()
            child.join(5)
        receive.close()
