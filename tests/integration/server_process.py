"""Running `renewdesk-server` as a real process on 127.0.0.1 for tests (and the fault campaign)."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

BIN = Path(sys.executable).with_name("renewdesk-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


class Server:
    """One `renewdesk-server` process; `start()` waits (bounded) until /v1/health answers."""

    def __init__(self, db_url: str, data_dir: Path, env: dict | None = None) -> None:
        self.db_url, self.data_dir, self.env = db_url, data_dir, env or {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> Server:
        self.log = open(self.data_dir / f"server-{self.port}.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [str(BIN), "--db", self.db_url, "--data-dir", str(self.data_dir), "serve", "--port", str(self.port)],
            stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log, env={**os.environ, **self.env})
        for _ in range(600):
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not answer /v1/health within 60 s")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        if getattr(self, "log", None):
            self.log.close()

    def enroll(self, counter: str = "1号柜台", branch: str = "示例店") -> tuple[str, dict, str]:
        """(device_id, auth headers, batch_key) of a newly enrolled counter, through the CLI and the API."""
        out = cli("enroll-code", "--branch", branch, "--json", "--db", self.db_url)
        assert out.returncode == 0, out.stderr
        code = json.loads(out.stdout)["code"]
        r = httpx.post(self.url + "/v1/enroll", json={"code": code, "counter": counter}, timeout=30)
        r.raise_for_status()
        d = r.json()
        return d["device_id"], {"Authorization": f"Bearer {d['token']}"}, d["batch_key"]
