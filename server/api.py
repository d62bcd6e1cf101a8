"""The head-office HTTP API (DESIGN §6): enrol, push, pull, snapshot, health.

Bodies are read and parsed here, not by pydantic, so each failure gets exactly the status §6
names: 401 for the token, 413 for size, 422 for shape (nothing stored), 400 for an enrolment code,
410 for a cursor past the retention; a database that is down is 503, never a 500.
Logs name the device, the counts and the status, never a payload.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from starlette.concurrency import run_in_threadpool

from desktop.sync.protocol import (
    MAX_BODY_BYTES,
    ProtocolError,
    TooLarge,
    clamp_limit,
    gunzip_limited,
    loads,
    parse_push,
)

from . import devices, sync
from . import openapi_docs as doc
from .db import dialect

log = logging.getLogger(__name__)
MAX_INT = 2**63 - 1


@dataclass
class ServerConfig:
    engine: Engine
    retention_days: float = 90.0
    admin_hash: str | None = None  # scrypt hash of the head-office page's admin password


def _json(status: int, detail: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status, headers=headers)


async def read_json(request: Request) -> object:
    """The request body as JSON: 413 over 8 MiB (sent or unpacked), 415 for an unknown encoding, 422 for bad JSON."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise HTTPException(413, f"request body over {MAX_BODY_BYTES} bytes")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise HTTPException(413, f"request body over {MAX_BODY_BYTES} bytes")
    encoding = request.headers.get("content-encoding", "").strip().lower()
    data = bytes(raw)
    try:
        if encoding in ("gzip", "x-gzip"):
            data = gunzip_limited(data)
        elif encoding not in ("", "identity"):
            raise HTTPException(415, "only Content-Encoding: gzip is accepted")
        return loads(data.decode("utf-8"))  # strict: NaN and Infinity are not JSON
    except TooLarge as e:
        raise HTTPException(413, str(e)) from None
    except ProtocolError as e:
        raise HTTPException(422, str(e)) from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise HTTPException(422, "body is not UTF-8 JSON") from None


def _device(request: Request) -> str:
    engine = request.app.state.config.engine
    dev = devices.device_for_token(engine, request.headers.get("authorization"))
    if dev is None:
        raise HTTPException(401, "missing, malformed, unknown or revoked device token",
                            headers={"WWW-Authenticate": "Bearer"})
    return dev


def create_app(config: ServerConfig) -> FastAPI:
    app = FastAPI(title="RenewDesk head office", version="1",
                  description="Counter ⇄ head-office sync (DESIGN §6). Device calls need "
                              "`Authorization: Bearer <device token>`.")
    app.state.config = config
    bearer = [{"deviceToken": []}]

    @app.middleware("http")
    async def _log(request: Request, call_next):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        response = await call_next(request)
        log.info("%s %s -> %d (%.0f ms)", request.method, request.url.path, response.status_code,
                 (time.perf_counter() - t) * 1000)
        return response

    @app.exception_handler(RequestValidationError)
    async def _bad_query(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Every other error body is {"detail": "<one English sentence>"}; FastAPI's own list of
        # pydantic records (echoing the input) was the one exception, for a bad cursor/limit/page.
        names = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")}) or ["query"]
        return _json(422, f"{', '.join(names)}: must be a whole number in range "
                          "(cursor >= 0, 1 <= limit, page >= 0)")

    @app.exception_handler(DBAPIError)
    async def _db_down(_request: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database error: %s", type(exc.orig).__name__ if exc.orig else type(exc).__name__)
        return _json(503, "database unavailable, try later")

    @app.get("/v1/health", responses={200: doc.json_response(doc.HEALTH_REPLY, "up"),
                                       503: doc.json_response(doc.HEALTH_REPLY, "database unavailable")})
    def health() -> JSONResponse:
        try:
            with config.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1").scalar()
                conn.rollback()
        except DBAPIError:
            return JSONResponse({"ok": False, "db": dialect(config.engine)}, status_code=503)
        return JSONResponse({"ok": True, "db": dialect(config.engine)})

    @app.post("/v1/enroll", openapi_extra=doc.body(doc.ENROLL_BODY),
              responses={200: doc.json_response(doc.ENROLL_REPLY, "enrolled"), **doc.errors(400, 413, 422)})
    async def enroll(request: Request) -> dict:
        body = await read_json(request)
        if not isinstance(body, dict) or not isinstance(body.get("code"), str):
            raise HTTPException(422, "body must be {\"code\": string, \"counter\": string}")
        counter = devices.clean_name(body.get("counter"))
        if counter is None:
            raise HTTPException(422, "counter must be a name of 1 to 100 printable characters")
        try:
            out = await run_in_threadpool(devices.enroll, config.engine, body["code"], counter)
        except devices.EnrollError as e:
            raise HTTPException(400, str(e)) from None
        log.info("enrolled device %s", out.device_id)
        return out.to_wire()

    @app.post("/v1/sync/push", openapi_extra={**doc.body(doc.PUSH_BODY), "security": bearer},
              responses={200: doc.json_response(doc.PUSH_REPLY, "per-change results"),
                         **doc.errors(401, 413, 415, 422, 503)})
    async def push(request: Request) -> JSONResponse:
        device_id = await run_in_threadpool(_device, request)
        body = await read_json(request)
        try:
            changes, head = parse_push(body)
        except TooLarge as e:
            raise HTTPException(413, str(e)) from None
        except ProtocolError as e:
            raise HTTPException(422, str(e)) from None
        try:
            reply, _ = await run_in_threadpool(sync.push, config.engine, device_id, changes, head)
        except sync.Unauthorized:
            raise HTTPException(401, "device revoked", headers={"WWW-Authenticate": "Bearer"}) from None
        return JSONResponse(reply)

    @app.get("/v1/sync/pull", openapi_extra={"security": bearer},
             responses={200: doc.json_response(doc.PULL_REPLY, "one page of the feed"),
                        **doc.errors(401, 410, 422, 503)})
    def pull(request: Request, cursor: int = Query(0, ge=0, le=MAX_INT),
             limit: int = Query(500, ge=1)) -> Response:  # above 1000 is taken as 1000
        device_id = _device(request)
        try:
            page = sync.pull_json(config.engine, cursor, clamp_limit(limit))
        except sync.Gone:
            return _json(410, "cursor is older than the retention: rebuild from /v1/sync/snapshot?page=0")
        sync.mark_pulled(config.engine, device_id)
        return Response(page, media_type="application/json")

    @app.get("/v1/sync/snapshot", openapi_extra={"security": bearer},
             responses={200: doc.json_response(doc.SNAPSHOT_REPLY, "one page of the current state"),
                        **doc.errors(401, 422, 503)})
    def snapshot(request: Request, page: int = Query(0, ge=0, le=10**12)) -> Response:
        _device(request)
        return Response(sync.snapshot(config.engine, page), media_type="application/json")

    def _openapi() -> dict:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            schema = get_openapi(title=app.title, version=app.version, description=app.description,
                                 routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = {
                "deviceToken": {"type": "http", "scheme": "bearer"}}
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = _openapi  # type: ignore[method-assign]
    from .page import add_page_routes

    add_page_routes(app, config)
    return app
