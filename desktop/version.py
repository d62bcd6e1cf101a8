"""The app's version: from the installed package's metadata (pyproject.toml is the one source).

A frozen build carries the metadata too (build.spec copies it); if it is ever missing, the
pyproject.toml the spec bundles (or the checkout's own) is read instead, so `--version` never
has to guess.
"""
from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

DIST = "renewdesk"


def _from_pyproject() -> str | None:
    roots = [Path(getattr(sys, "_MEIPASS", "")), Path(__file__).resolve().parent.parent]
    for root in roots:
        try:
            text = (root / "pyproject.toml").read_text(encoding="utf-8")
        except OSError:
            continue
        m = re.search(r'(?m)^\[project\][^\[]*?^version\s*=\s*"([^"]+)"', text)
        if m:
            return m.group(1)
    return None


def version() -> str:
    try:
        return metadata.version(DIST)
    except metadata.PackageNotFoundError:
        return _from_pyproject() or "unknown"
