"""Qt translation: English source strings in code (self.tr / QCoreApplication.translate), zh_CN
shipped as resources/translations/renewdesk_zh_CN.ts.

The .qm is never committed. At start-up we use a .qm built by the build step
(`pyside6-lrelease resources/translations/renewdesk_zh_CN.ts`) when it is newer than the .ts;
else we build one with PySide6's lrelease into a cache dir; and if no lrelease is available (a
trimmed install) a translator that reads the .ts directly serves the same strings.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QTranslator

from desktop.paths import resource_path

LOCALE = "zh_CN"


def ts_path(locale: str = LOCALE) -> Path:
    return resource_path("translations", f"renewdesk_{locale}.ts")


def read_ts(path: Path) -> dict[tuple[str, str], str]:
    """{(context, source): translation} for every finished (non-empty, not obsolete) message."""
    out: dict[tuple[str, str], str] = {}
    root = ET.parse(path).getroot()
    for ctx in root.iter("context"):
        name = ctx.findtext("name") or ""
        for msg in ctx.iter("message"):
            src = msg.findtext("source")
            tr = msg.find("translation")
            if src is None or tr is None:
                continue
            if tr.get("type") in ("obsolete", "vanished"):
                continue
            text = "".join(tr.itertext())
            if text:
                out[(name, src)] = text
    return out


class TsTranslator(QTranslator):
    """Serves a .ts file directly (the fallback when no lrelease is at hand)."""

    def __init__(self, path: Path, parent=None):
        super().__init__(parent)
        self._map = read_ts(path)

    def isEmpty(self) -> bool:  # noqa: N802 - Qt override
        return not self._map

    def translate(self, context, source_text, disambiguation=None, n=-1):  # noqa: ANN001 - Qt override
        return self._map.get((context, source_text), "")


def _lrelease() -> str | None:
    import PySide6

    here = Path(PySide6.__file__).parent
    for cand in (here / "lrelease", here / "lrelease.exe", Path(sys.executable).parent / "pyside6-lrelease"):
        if cand.exists():
            return str(cand)
    return shutil.which("pyside6-lrelease") or shutil.which("lrelease")


def build_qm(ts: Path, out_dir: Path | None = None) -> Path | None:
    """Compile the .ts with lrelease (None if lrelease is missing or fails)."""
    tool = _lrelease()
    if tool is None:
        return None
    digest = hashlib.sha256(ts.read_bytes()).hexdigest()[:16]
    out_dir = out_dir or Path(tempfile.gettempdir()) / "renewdesk-qm"
    out_dir.mkdir(parents=True, exist_ok=True)
    qm = out_dir / f"{ts.stem}-{digest}.qm"
    if qm.exists():
        return qm
    tmp = qm.with_suffix(".tmp.qm")
    try:
        subprocess.run([tool, "-silent", str(ts), "-qm", str(tmp)], check=True, capture_output=True, timeout=60)
        tmp.replace(qm)
    except (OSError, subprocess.SubprocessError):
        tmp.unlink(missing_ok=True)
        return None
    return qm


def install(app: QCoreApplication, locale: str = LOCALE) -> QTranslator | None:
    """Install the zh_CN translator on `app`; returns it (keep a reference) or None."""
    ts = ts_path(locale)
    if not ts.exists():
        return None
    shipped = ts.with_suffix(".qm")
    # A frozen build ships the .qm it compiled from this very .ts (copied files' times mean nothing).
    fresh = shipped.exists() and (getattr(sys, "frozen", False) or shipped.stat().st_mtime >= ts.stat().st_mtime)
    qm = shipped if fresh else build_qm(ts)
    translator: QTranslator | None = None
    if qm is not None:
        t = QTranslator(app)
        if t.load(str(qm)):
            translator = t
    if translator is None:
        translator = TsTranslator(ts, app)
    app.installTranslator(translator)
    install_qt_own(app, locale)
    return translator


def install_qt_own(app: QCoreApplication, locale: str = LOCALE) -> QTranslator | None:
    """Qt's own strings (print, file and message dialogs: 取消, 打印…) in Chinese, from the
    qtbase_zh_CN.qm that ships with PySide6 (and in the frozen build's Qt folder)."""
    t = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not t.load(f"qtbase_{locale}", folder):
        return None
    app.installTranslator(t)
    app.qt_own_translator = t  # type: ignore[attr-defined]  # kept alive with the app
    return t
