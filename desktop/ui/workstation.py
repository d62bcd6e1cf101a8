"""Per-workstation choices (elder mode, printer, paper): a small typed, versioned JSON file.

It lives in the data dir beside the store but is not in it: two PCs of one counter share the
store's settings and keep their own screen and printer choices. A damaged or hand-edited file
falls back to the defaults field by field instead of stopping the counter.
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

FILE_NAME = "workstation.json"
VERSION = 1
PAPERS = ("a4", "a5", "80mm", "58mm")


@dataclass(frozen=True)
class Workstation:
    elder_mode: bool = False
    printer: str = ""      # a QPrinterInfo name; "" = the system default
    paper: str = "a4"
    high_contrast: bool = False  # 大字模式's 高对比度 (white and yellow on black)
    version: int = VERSION


def path_in(data_dir: Path) -> Path:
    return Path(data_dir) / FILE_NAME


def load(data_dir: Path) -> Workstation:
    p = path_in(data_dir)
    try:
        raw = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Workstation()
    if not isinstance(raw, dict):
        return Workstation()
    values: dict = {}
    for f in fields(Workstation):
        if f.name == "version" or f.name not in raw:
            continue
        v = raw[f.name]
        if f.name in ("elder_mode", "high_contrast") and isinstance(v, bool):
            values[f.name] = v
        elif f.name == "printer" and isinstance(v, str):
            values[f.name] = v
        elif f.name == "paper" and v in PAPERS:
            values[f.name] = v
    return Workstation(**values)


def save(data_dir: Path, ws: Workstation) -> None:
    """Atomic: a crash mid-write leaves the old file, never half a file."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    body = json.dumps(asdict(replace(ws, version=VERSION)), ensure_ascii=False, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".workstation-", suffix=".json", dir=data_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, path_in(data_dir))
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
