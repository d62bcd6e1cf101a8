"""Background pruning while serving: once an hour, drop what the retention no longer keeps."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from .sync import prune

log = logging.getLogger(__name__)
INTERVAL_S = 3600.0


def start_pruning(engine: Engine, retention_days: float) -> threading.Event:
    """A daemon thread (it ends with the process); set the returned event to stop it sooner."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(INTERVAL_S):
            try:
                prune(engine, retention_days)
            except DBAPIError:
                log.warning("pruning skipped: database unavailable")

    threading.Thread(target=loop, name="prune", daemon=True).start()
    return stop
