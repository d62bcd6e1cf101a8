"""Reads behind the vehicle card that the lookup bundle does not carry: the money columns of a
vehicle's terms (premium, 浮动系数, 车船税) and the import batches its terms came from."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection

from .uuidcol import blobs


@dataclass(frozen=True)
class TermMoney:
    term_id: str
    premium: str | None
    float_coef: str | None
    vehicle_tax: str | None


@dataclass(frozen=True)
class BatchName:
    batch_id: str
    file: str
    started_at: str


def _marks(n: int) -> str:
    return ",".join("?" * n)


def _chunks(ids: Sequence[str], n: int = 500) -> Iterable[Sequence[str]]:
    for i in range(0, len(ids), n):
        yield ids[i:i + n]


def term_money(conn: Connection, vehicle_ids: Sequence[str]) -> dict[str, TermMoney]:
    """{term id: money} for the vehicles' terms that have any figure recorded."""
    out: dict[str, TermMoney] = {}
    ids = list(dict.fromkeys(vehicle_ids))
    for part in _chunks(ids):
        rows = conn.exec_driver_sql(
            f"SELECT id, premium, float_coef, vehicle_tax FROM policy_term WHERE vehicle_id IN ({_marks(len(part))}) "
            "AND (premium IS NOT NULL OR float_coef IS NOT NULL OR vehicle_tax IS NOT NULL)", blobs(part)).fetchall()
        out.update({r[0]: TermMoney(r[0], r[1], r[2], r[3]) for r in rows})
    return out


def batch_names(conn: Connection, batch_ids: Sequence[str]) -> dict[str, BatchName]:
    """{batch id: file name and start} for the import batches named in terms' source."""
    ids = [b for b in dict.fromkeys(batch_ids) if b]
    if not ids:
        return {}
    rows = conn.exec_driver_sql(f"SELECT id, file, started_at FROM import_batch WHERE id IN ({_marks(len(ids))})",
                                tuple(ids)).fetchall()
    return {r[0]: BatchName(r[0], r[1], r[2]) for r in rows}
