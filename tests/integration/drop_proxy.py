"""A small HTTP proxy on loopback that forwards to head office and, for a share of pushes, drops the
response AFTER head office committed it (the client sees a dead connection, never the reply)."""
from __future__ import annotations

import random
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length", "host"}


class DropProxy:
    def __init__(self, upstream: str, drop_share: float, seed: int):
        self.upstream, self.drop_share = upstream, drop_share
        self.rng = random.Random(seed)
        self.dropped = 0
        self.pushes = 0
        self.lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):  # quiet
                pass

            def _forward(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else None
                headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length",
                                                                                      "connection")}
                try:
                    r = httpx.request(self.command, proxy.upstream + self.path, content=body, headers=headers,
                                      timeout=60)
                except httpx.HTTPError:
                    self.close_connection = True
                    return
                with proxy.lock:
                    # The first push is always dropped, then a share of the rest.
                    drop = self.path.startswith("/v1/sync/push") and (
                        proxy.pushes == 0 or proxy.rng.random() < proxy.drop_share)
                    proxy.pushes += self.path.startswith("/v1/sync/push")
                    proxy.dropped += drop
                if drop:  # committed upstream; the counter never hears of it
                    self.close_connection = True
                    return
                self.send_response(r.status_code)
                for k, v in r.headers.items():
                    if k.lower() not in _HOP:
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(r.content)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(r.content)
                self.close_connection = True

            do_GET = do_POST = _forward  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> DropProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
