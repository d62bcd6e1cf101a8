"""HTTP to head office (DESIGN §6): TLS verified against the OS trust store, plain http only to loopback.

Every failure becomes one of the SyncError kinds below with a Chinese message; none carries a
payload or a token. A failed exchange always means "resend later": the caller keeps its queue.
"""
from __future__ import annotations

import gzip
import ipaddress
import json
import ssl
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpx

from . import protocol

GZIP_OVER = 64 * 1024  # bodies above this go gzip-compressed (Content-Encoding: gzip)


class SyncError(Exception):
    # What each becomes for the user (and so its exit code) is decided in desktop.services.sync;
    # desktop.cli.EXIT_CODES is the one table of exit codes.
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Unreachable(SyncError):
    """Head office did not answer (or answered 5xx): nothing is lost, try later. Exit 6."""


class Revoked(SyncError):
    """401: the device token is unknown or revoked. Exit 4."""


class Refused(SyncError):
    """A 4xx other than 401/410: the request itself was refused (a bug or a bad setting). Exit 2."""


class CursorGone(SyncError):
    """410: the stored cursor is older than head office keeps tombstones; rebuild from the snapshot."""


class BadServerUrl(SyncError):
    """A head office address that cannot be used (not https, not loopback for http)."""


def _is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """The normalised base URL, or BadServerUrl: https anywhere, http only to this machine."""
    raw = (url or "").strip().rstrip("/")
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadServerUrl(f"总部地址无法识别：{raw or '（空）'}。请写成 https://总部地址[:端口]。")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise BadServerUrl("总部地址必须使用 https://（加密连接）；只有本机测试地址（127.0.0.1、localhost）"
                           "可以用 http://。")
    if parts.query or parts.fragment:
        raise BadServerUrl("总部地址不应带 ? 或 # 之后的部分。")
    return raw


def _ssl_context() -> ssl.SSLContext:
    import truststore

    return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


@dataclass(frozen=True)
class Reply:
    body: dict
    server_ms: int | None  # head office's clock (the Date header), for the clock-ahead check


class Transport:
    """One head office: enrol, health, push, pull, snapshot."""

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 30.0):
        self.base = check_url(base_url)
        self.token = token
        verify: ssl.SSLContext | bool = _ssl_context() if self.base.startswith("https:") else False
        self._http = httpx.Client(verify=verify, timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
                                  follow_redirects=False, trust_env=False)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _headers(self) -> dict[str, str]:
        h = {"Accept": "application/json"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        return h

    def _send(self, method: str, path: str, body: dict | None = None, params: dict | None = None) -> Reply:
        headers = self._headers()
        content = None
        if body is not None:
            content = protocol.dumps(body)
            headers["Content-Type"] = "application/json"
            if len(content) > GZIP_OVER:
                content = gzip.compress(content, compresslevel=5)
                headers["Content-Encoding"] = "gzip"
        try:
            r = self._http.request(method, self.base + path, content=content, params=params, headers=headers)
        except httpx.TimeoutException:
            raise Unreachable("总部没有及时应答（超时）。改动仍在待同步队列中，稍后会自动重试。") from None
        except (httpx.TransportError, OSError) as exc:
            if isinstance(exc, httpx.ConnectError) and "CERTIFICATE" in str(exc).upper():
                raise Unreachable("总部的加密证书无法验证（不受本机信任）。请联系总部 IT。改动不会丢失。") from None
            raise Unreachable("连不上总部（网络不通或总部未开机）。改动仍在待同步队列中，稍后会自动重试。") from None
        return self._reply(r)

    def _reply(self, r: httpx.Response) -> Reply:
        server_ms = None
        if r.headers.get("date"):
            try:
                server_ms = int(parsedate_to_datetime(r.headers["date"]).timestamp() * 1000)
            except (TypeError, ValueError):
                server_ms = None
        if r.status_code == 401:
            raise Revoked("总部不认可本柜台（设备已被注销或凭据无效）。请管理员用新的注册码重新注册：renewdesk sync "
                          "--server 地址 --enroll 注册码。")
        if r.status_code == 410:
            raise CursorGone("同步游标已过期，需要从总部快照重建。")
        if r.status_code >= 500 or r.status_code in (408, 429):
            raise Unreachable(f"总部暂时无法处理（HTTP {r.status_code}）。改动不会丢失，稍后会自动重试。")
        if r.status_code >= 400:
            raise Refused(_refusal(r))
        try:
            body = r.json()
        except (ValueError, json.JSONDecodeError):
            raise Unreachable("总部的应答无法读取（不是 JSON）。改动不会丢失，稍后会自动重试。") from None
        if not isinstance(body, dict):
            raise Unreachable("总部的应答格式不对。改动不会丢失，稍后会自动重试。")
        return Reply(body, server_ms)

    # -- endpoints ------------------------------------------------------------------------------
    def enroll(self, code: str, counter: str) -> dict:
        return self._send("POST", "/v1/enroll", {"code": code, "counter": counter}).body

    def health(self) -> Reply:
        return self._send("GET", "/v1/health")

    def push(self, body: dict) -> Reply:
        return self._send("POST", "/v1/sync/push", body)

    def pull(self, cursor: int, limit: int = protocol.PULL_DEFAULT) -> dict:
        return self._send("GET", "/v1/sync/pull", params={"cursor": cursor, "limit": limit}).body

    def snapshot(self, page: int) -> dict:
        return self._send("GET", "/v1/sync/snapshot", params={"page": page}).body


def _refusal(r: httpx.Response) -> str:
    if r.status_code == 400 and "/enroll" in str(r.request.url):
        return "注册码无效或已用过。请向总部要一个新的注册码（renewdesk-server enroll-code）。"
    if r.status_code == 413:
        return "一次发送的改动太多或太大，总部拒收（HTTP 413）。"
    return f"总部拒绝了这次请求（HTTP {r.status_code}）。改动仍在队列中；如反复出现请联系总部 IT。"
