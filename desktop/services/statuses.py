"""Statuses of many vehicles, streamed: the one loop behind due lists, letters and exports."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime

from sqlalchemy.engine import Engine

from desktop.core.status import CoverageStatus, coverage_status
from desktop.store import vehicles_repo
from desktop.store.records import VehicleBundle

CHUNK = 500  # bundles loaded per query: bounded memory on a million-vehicle store


def iter_statuses(engine: Engine, vehicle_ids: Sequence[str], at: datetime, lead_days: int,
                  cancel: Callable[[], bool] | None = None) -> Iterator[tuple[VehicleBundle, CoverageStatus]]:
    """Each vehicle's bundle with its status at `at`, in the order of `vehicle_ids`; stops early
    (without error) when `cancel()` turns true."""
    with engine.connect() as conn:
        for i in range(0, len(vehicle_ids), CHUNK):
            if cancel and cancel():
                break
            for b in vehicles_repo.load_bundles(conn, vehicle_ids[i:i + CHUNK]):
                yield b, coverage_status(b.terms, at, lead_days)
        conn.rollback()
