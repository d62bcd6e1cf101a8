"""The page caches are bounded (a counter PC's memory): every lane's connection gets the small cache,
only the connection that answers lookups the big one, and it keeps it for the next keystroke."""
from __future__ import annotations

import threading

from desktop.services import lookup
from desktop.store import engine as engine_mod
from tests.conftest import AT


def _cache_kib(engine) -> int:
    with engine.connect() as conn:
        size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.rollback()
    return -size  # negative: KiB


def test_only_the_lookup_connection_gets_the_big_cache(demo_ctx):
    engine = demo_ctx.store().engine
    assert engine_mod.CACHE_KIB < engine_mod.SEARCH_CACHE_KIB
    plate = engine.raw_connection().driver_connection.execute(
        "SELECT plate FROM vehicle WHERE deleted = 0 LIMIT 1").fetchone()[0]
    sizes: dict[str, int] = {}

    def other_lane():  # another lane's thread: its own connection, never a lookup
        sizes["other"] = _cache_kib(engine)

    def search_lane():
        sizes["before"] = _cache_kib(engine)
        assert lookup.find(engine, plate, AT)
        sizes["after"] = _cache_kib(engine)
        assert lookup.find(engine, plate[:3], AT)
        sizes["again"] = _cache_kib(engine)

    for fn in (search_lane, other_lane):
        t = threading.Thread(target=fn)
        t.start()
        t.join()
    assert sizes == {"before": engine_mod.CACHE_KIB, "after": engine_mod.SEARCH_CACHE_KIB,
                     "again": engine_mod.SEARCH_CACHE_KIB, "other": engine_mod.CACHE_KIB}
