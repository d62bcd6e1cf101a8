"""0015 on a store made by the previous version (tests/unit/data/store_0010.db brought to 0014 by
the app's own steps), with terms from import batches as the importer names them and sources in
other forms a sync peer could send: every term survives and reads back the same, an import
batch's source takes 17 bytes instead of 43, the card still names the batch, new terms are stored
the small way, and the downgrade gives the old text back."""
from __future__ import annotations

from datetime import timedelta

from alembic.script import ScriptDirectory

from desktop.core.ids import new_id
from desktop.services import lookup
from desktop.store import migrate, writes
from desktop.store.records import TermRec, iso
from desktop.store.timecol import stored
from desktop.store.uuidcol import blob
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0010, downgrade, old_store, rows

_BEFORE = ScriptDirectory.from_config(migrate._config()).get_revision("0015").down_revision
_BATCH = new_id()
_ODD = ("import:" + _BATCH.upper(), "import:demo", "import:" + _BATCH.replace("-", ""), "hq", "counter")


def _add_terms(engine, vid: str, sources, as_the_old_version: bool = True) -> None:
    """BI terms of `vid` with these sources: as the version before 0015 wrote them (the source as
    its text), or through today's writes."""
    start = AT - timedelta(days=30)
    terms = [TermRec(new_id(), vid, "BI", iso(start + timedelta(days=i)), iso(start + timedelta(days=365 + i)),
                     source=s, as_of=iso(AT)) for i, s in enumerate(sources)]
    with engine.begin() as conn:
        if not as_the_old_version:
            writes.insert_terms(conn, terms)
            return
        for t in terms:
            conn.exec_driver_sql("INSERT INTO policy_term(id, vehicle_id, kind, start_at, end_at, source, as_of) "
                                 "VALUES (?, ?, 'BI', ?, ?, ?, ?)",
                                 (blob(t.id), blob(vid), stored(t.start_at), stored(t.end_at), t.source,
                                  stored(t.as_of)))


def _source_types(engine) -> dict[str, str]:
    """{source as read back: how it is stored (text | blob)}."""
    with engine.connect() as conn:
        out = dict(conn.exec_driver_sql("SELECT source, typeof(source) FROM policy_term").fetchall())
        conn.rollback()
    return out


def test_upgrade_keeps_every_term_and_stores_batch_sources_small(tmp_path):
    engine, meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    vid = meta["registered_vehicle"]
    _add_terms(engine, vid, ("import:" + _BATCH,) * 3 + _ODD)
    before = rows(engine, COLUMNS_0010)
    shown = {m.vehicle_id: [t.source for t in m.bundle.terms] for m in lookup.find(engine, meta["registered_plate"], AT)}
    assert set(_source_types(engine).values()) == {"text"}

    migrate.upgrade(engine, backup_dir=None)

    assert migrate.current_revision(engine) == migrate.head_revision()
    assert rows(engine, COLUMNS_0010) == before  # every row, each source read back as the same text
    kinds = _source_types(engine)
    assert kinds.pop("import:" + _BATCH) == "blob"
    assert set(kinds.values()) == {"text"} and set(_ODD) <= set(kinds)  # the other forms as they were
    got = {m.vehicle_id: [t.source for t in m.bundle.terms] for m in lookup.find(engine, meta["registered_plate"], AT)}
    assert got == shown and ("import:" + _BATCH) in got[vid]
    # A new import's terms are stored the small way and read back the same.
    later = new_id()
    _add_terms(engine, vid, ("import:" + later,), as_the_old_version=False)
    assert _source_types(engine)["import:" + later] == "blob"
    engine.dispose()


def test_downgrade_gives_the_old_text_back(tmp_path):
    engine, meta = old_store(tmp_path, "0010")
    migrate.upgrade(engine, backup_dir=None, target=_BEFORE)
    _add_terms(engine, meta["registered_vehicle"], ("import:" + _BATCH,) + _ODD)
    before = rows(engine, COLUMNS_0010)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, _BEFORE)
    assert migrate.current_revision(engine) == _BEFORE
    assert rows(engine, COLUMNS_0010) == before
    assert set(_source_types(engine).values()) == {"text"}
    engine.dispose()
