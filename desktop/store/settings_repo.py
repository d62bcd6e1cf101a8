"""Key/value settings stored in the (encrypted) store: counter name, phone, lead_days, …"""
from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine


def get_all(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        out = {k: v for k, v in conn.execute(text("SELECT key, value FROM settings"))}
        conn.rollback()
    return out


def get(engine: Engine, key: str) -> str | None:
    return get_all(engine).get(key)


def put(conn: Connection, key: str, value: str | None) -> None:
    conn.execute(
        text("INSERT INTO settings(key, value) VALUES (:k, :v) "
             "ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
        {"k": key, "v": value},
    )
