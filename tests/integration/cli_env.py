"""Run the real console script in a throwaway data dir, the way scripts and the contract do."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EXE = Path(sys.executable).with_name("renewdesk")
AT = "2026-12-01T10:00:00"


def cli_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, RENEWDESK_DATA_DIR=str(data_dir), RENEWDESK_PASSPHRASE="cli-passphrase",
               RENEWDESK_STAFF_PASSWORD="cli-admin-pw", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
               QT_QPA_PLATFORM="offscreen")
    env.pop("RENEWDESK_DEBUG", None)
    env.update(extra)
    return env


def run(env: dict[str, str], *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *args], env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
