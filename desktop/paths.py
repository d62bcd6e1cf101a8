"""Where things live: the data dir (per machine or --data-dir) and shipped resources.

Portable mode: a `portable.txt` beside a frozen executable keeps the data dir next to it,
so an agency can run RenewDesk from a USB stick without touching the user profile.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_NAME = "RenewDesk"
DATA_DIR_ENV = "RENEWDESK_DATA_DIR"


def _bundle_root() -> Path:
    # PyInstaller unpacks data files under sys._MEIPASS; a source checkout keeps them at the repo root.
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    """A file shipped with the app, e.g. resource_path("fonts", "wqy-microhei.ttc")."""
    return _bundle_root().joinpath("resources", *parts)


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data dir: --data-dir, else RENEWDESK_DATA_DIR, else portable dir, else the platform's."""
    if override:
        return Path(override).expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    if getattr(sys, "frozen", False):
        exe_dir = Path(sys.executable).resolve().parent
        if (exe_dir / "portable.txt").exists():
            return exe_dir / "data"
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
