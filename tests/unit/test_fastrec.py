"""fastrec.builder makes the same frozen records as their __init__ (the lookup's read path uses it)."""
from __future__ import annotations

import dataclasses
from datetime import datetime

import pytest

from desktop.core.search_keys import query_keys, query_prefixes
from desktop.core.status import Term
from desktop.store import vehicles_repo
from desktop.store.fastrec import builder
from desktop.store.records import CustomerRec, EventRec, VehicleBundle, VehicleRec
from tests.conftest import AT

T0 = datetime.fromisoformat("2026-03-01T00:00:00+08:00")


@pytest.mark.parametrize("cls, args", [
    (Term, ("CI", T0, AT, "示例保险", "P-1", "counter", AT, "张三", "0b1e7f0e-0000-4000-8000-000000000001")),
    (VehicleRec, ("id-1", "京A12345", "LVSHCAMB1CE000001", None, "K33", "非营运", 5, "汽油", "2020-01-02")),
    (CustomerRec, ("c-1", "王小明", "13800000000", "110101199001011234", "某路1号", True, False, None)),
    (EventRec, ("e-1", "v-1", "outcome", "已续保", None, "备注", "clerk", AT, None)),
    (VehicleBundle, (VehicleRec("v-1", "京A12345", None, None), None, (), ())),
])
def test_builder_gives_the_record_init_gives(cls, args):
    built, made = builder(cls)(*args), cls(*args)
    assert type(built) is cls and built == made and hash(built) == hash(made) and repr(built) == repr(made)
    assert dataclasses.astuple(built) == dataclasses.astuple(made) and vars(built) == vars(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.owner = None  # type: ignore[misc]
    field = dataclasses.fields(cls)[1].name
    assert dataclasses.replace(built, **{field: None}) == dataclasses.replace(made, **{field: None})


def test_builder_refuses_a_class_whose_init_does_more():
    @dataclasses.dataclass(frozen=True)
    class Checked:
        a: int

        def __post_init__(self):
            raise ValueError

    with pytest.raises(TypeError):
        builder(Checked)


def test_a_lookup_reads_in_one_read_transaction(demo_ctx):
    """find_ids begins the connect() block's transaction (SQLAlchemy's autobegin: BEGIN DEFERRED)
    before its first driver read, so load_bundles reads the same snapshot."""
    engine = demo_ctx.store().engine
    with engine.connect() as conn:
        seen: list[str] = []
        db = conn.connection.driver_connection
        db.set_trace_callback(seen.append)
        try:
            ranked = vehicles_repo.find_ids(conn, query_keys("wang"), query_prefixes("wang"), 50)
            assert conn.in_transaction() and db.in_transaction
            vehicles_repo.load_bundles(conn, [vid for vid, _ in ranked])
        finally:
            db.set_trace_callback(None)
        conn.rollback()
    words = [s.split()[0].upper() for s in seen]
    assert ranked and words.count("BEGIN") == 1 and words.index("BEGIN") < words.index("SELECT")
    assert seen[words.index("BEGIN")].strip().upper() == "BEGIN DEFERRED"
