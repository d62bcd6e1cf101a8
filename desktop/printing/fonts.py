"""Fonts and the Qt application object that rendering needs.

Printing never locates resources itself: callers pass the font file path
(``desktop.paths.resource_path("fonts/wqy-microhei.ttc")`` in the app).
We ship WenQuanYi Micro Hei because its TrueType outlines give a correct PDF
text layer with Qt's PDF writer; Noto CJK (CFF) does not (see resources/fonts).
Micro Hei has no bold face and Qt's synthetic bold draws each glyph twice (a
doubled text layer), so a real bold Hei ships beside it (BOLD_FONT_FILE, built
from Noto Sans CJK SC Bold as TrueType by tools/make_bold_font.py).
"""
from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication

__all__ = ["BOLD_FONT_FILE", "FontError", "ensure_gui_app", "has_real_bold", "load_font", "make_font"]

BOLD_FONT_FILE = "renewdesk-hei-bold.ttf"  # looked for beside the regular font file

# path (resolved) -> family; addApplicationFont registers a new copy on every
# call, so a batch of 10,000 letters must not call it 10,000 times.
_FAMILIES: dict[str, str] = {}
# regular family -> the family of its real bold face
_BOLD_OF: dict[str, str] = {}
# The application we created, if any. Held here because a QGuiApplication whose
# Python wrapper is garbage-collected is destroyed under Qt's feet (PySide then
# aborts at interpreter exit).
_APP: QGuiApplication | None = None


class FontError(RuntimeError):
    """The font file is missing or Qt cannot read it (message in Chinese)."""


def ensure_gui_app() -> QGuiApplication:
    """Return the running Qt application, creating one if none.

    Font loading and text layout need one. The CLI renders on machines with no
    display, so the offscreen platform is chosen when nothing else was asked for;
    that has to happen before the application object exists. It is a QApplication
    (not the lighter QGuiApplication) because only one can ever exist in a process
    and a print preview or any later widget needs the widget kind.
    """
    global _APP
    app = QGuiApplication.instance()
    if app is None:
        from PySide6.QtWidgets import QApplication

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = _APP = QApplication(["renewdesk-print"])
    return app  # type: ignore[return-value]


def load_font(path: str | os.PathLike[str]) -> str:
    """Register the font file with Qt (once per path) and return its family name."""
    ensure_gui_app()
    p = Path(path)
    key = str(p.resolve()) if p.exists() else str(p)
    if key in _FAMILIES:
        return _FAMILIES[key]
    if not p.is_file():
        raise FontError(f"找不到打印字体文件：{p}。请重新安装续保台，或检查 resources/fonts 目录。")
    font_id = QFontDatabase.addApplicationFont(str(p))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if not families:
        raise FontError(f"打印字体文件无法读取（文件可能已损坏）：{p}")
    # A .ttc holds several faces (Micro Hei and Micro Hei Mono); the first is the
    # proportional one we want.
    _FAMILIES[key] = families[0]
    bold = p.with_name(BOLD_FONT_FILE)
    if bold != p and bold.is_file():
        bold_id = QFontDatabase.addApplicationFont(str(bold))
        bold_families = QFontDatabase.applicationFontFamilies(bold_id) if bold_id >= 0 else []
        if bold_families:
            _BOLD_OF[families[0]] = bold_families[0]
    return families[0]


def has_real_bold(family: str) -> bool:
    return family in _BOLD_OF


def make_font(family: str, size_pt: float, bold: bool = False, dpi: float | None = None) -> QFont:
    """A QFont of our family for print.

    Font merging stays ON: a character missing from our font (a rare name
    character) is then taken from a system font rather than dropped; tests check
    that the ordinary text all comes from ours. Print asks for bold=False and
    draws bold itself (layout.BOLD_STROKE_EM), so the text layer holds each
    character once.
    PreferNoHinting: layout metrics scale linearly, so what we measure is what
    lands on paper.
    With `dpi` (the paint device's resolution) the size is set in device pixels,
    rounded UP: Qt rounds a point size to whole pixels, and 14 pt at 300 dpi
    would come out as 13.92 pt, under the large-print minimum.
    """
    if bold and family in _BOLD_OF:
        f = QFont()
        # Our bold Hei first; symbols it lacks (✔ ✖) come from the regular family.
        f.setFamilies([_BOLD_OF[family], family])
    else:
        f = QFont(family)
    if dpi:
        f.setPixelSize(math.ceil(size_pt * dpi / 72 - 1e-6))
    else:
        f.setPointSizeF(size_pt)
    f.setBold(bold)
    f.setItalic(False)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return f
