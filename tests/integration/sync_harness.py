"""Real processes for sync tests: a `renewdesk-server` on a loopback port and counters driven by the
`renewdesk` CLI (and tests/sync_driver.py for writes). Everything is bounded: every wait has a
timeout and every process is killed at the end."""
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

from tests.integration.cli_env import EXE, cli_env, run

SERVER_EXE = Path(sys.executable).with_name("renewdesk-server")
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, data_dir: Path, db_url: str | None = None, fault: str | None = None):
        self.data_dir, self.db_url, self.fault = Path(data_dir), db_url, fault
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.data_dir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        env = dict(os.environ, RENEWDESK_DATA_DIR=str(self.data_dir), RENEWDESK_SERVER_ADMIN_PASSWORD="hq-admin-pw")
        env.pop("RENEWDESK_SERVER_FAULT", None)
        if self.fault:
            env["RENEWDESK_SERVER_FAULT"] = self.fault
        if self.db_url:
            env["RENEWDESK_SERVER_DB"] = self.db_url
        return env

    def start(self) -> Server:
        log = open(self.data_dir / "server.log", "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen([str(SERVER_EXE), "--port", str(self.port)], env=self.env(),
                                     stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {(self.data_dir / 'server.log').read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not come up in 60 s")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=30)
        self.proc = None

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(SERVER_EXE), *args], env=self.env(), capture_output=True, text=True,
                              timeout=120, stdin=subprocess.DEVNULL)

    def enroll_code(self, branch: str) -> str:
        r = self.cli("enroll-code", "--branch", branch, "--json")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["code"]


class Counter:
    def __init__(self, data_dir: Path, name: str, **env_extra: str):
        self.data_dir, self.name = Path(data_dir), name
        self.env = cli_env(self.data_dir, **env_extra)

    def run(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return run(self.env, *args, timeout=timeout)

    def init(self) -> Counter:
        r = self.run("init", "--counter", self.name)
        assert r.returncode == 0, r.stderr
        return self

    def enrol(self, server: Server) -> str:
        r = self.run("sync", "--server", server.url, "--enroll", server.enroll_code(self.name), "--json")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["device_id"]

    def sync(self, timeout: float = 300) -> tuple[int, dict | None, str]:
        r = self.run("sync", "--json", timeout=timeout)
        body = json.loads(r.stdout) if r.returncode == 0 and r.stdout.strip() else None
        return r.returncode, body, r.stderr

    def driver(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "tests.sync_driver", str(self.data_dir), *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout, cwd=REPO, stdin=subprocess.DEVNULL)

    def spawn(self, *args: str, driver: bool = False) -> subprocess.Popen:
        cmd = ([sys.executable, "-m", "tests.sync_driver", str(self.data_dir), *args] if driver
               else [str(EXE), *args])
        return subprocess.Popen(cmd, env=self.env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL, text=True)

    def lookup(self, query: str) -> list[dict]:
        r = self.run("lookup", query, "--json", "--at", "2026-12-01T10:00:00")
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)["matches"]
