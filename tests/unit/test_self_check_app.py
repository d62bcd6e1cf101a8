"""self-check run in-process leaves a Qt application the window's widgets can use.

Only one Qt application can exist in a process. self-check made a bare QGuiApplication for its PDF
and translation checks, so a process that ran it first (the property test drives cli.main with
random commands, self-check among them) could never show a widget or set a style sheet after it:
the UI tests that followed failed at setup with "no attribute 'setStyleSheet'", depending on which
command hypothesis happened to draw first. Runs in a fresh interpreter: this one has its
application already.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from desktop import cli
out = io.StringIO()
with redirect_stdout(out):
    code = cli.main(["self-check", "--json"])
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication.instance()
app.setStyleSheet("QLabel { font-size: 20pt; }")  # what the window's style does first
QLabel("续保台").show()
print(json.dumps({"code": code, "kind": type(app).__name__, "pdf": json.loads(out.getvalue())["pdf"]}))
"""


def test_self_check_in_process_leaves_a_widget_application(tmp_path):
    env = {**os.environ, "RENEWDESK_DATA_DIR": str(tmp_path / "empty"), "QT_QPA_PLATFORM": "offscreen"}
    for k in ("RENEWDESK_PASSPHRASE", "RENEWDESK_STAFF_PASSWORD"):
        env.pop(k, None)
    p = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=300, stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-2000:]
    got = json.loads(p.stdout.strip().splitlines()[-1])
    assert got["code"] == 0 and got["kind"] == "QApplication" and got["pdf"] == "ok: 1 page", got
