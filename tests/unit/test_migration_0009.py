"""0009 on a store made by the previous version (tests/unit/data/store_0008.db: main at migration
0008 filled 60 demo vehicles, registered 林安君's car, recorded an outcome and logged a letter):
ids become 16-byte BLOBs read back as the same strings, search keys lose their prefixes and gain
full pinyin, every row and every answer survives, and the writes work on the new schema."""
from __future__ import annotations

import json

from desktop.core.search_keys import full_pinyin
from desktop.services import lookup
from desktop.services.auth import StaffSession
from desktop.services.record import record_outcome
from desktop.services.register import NewRegistration, register
from desktop.store import migrate
from tests.conftest import AT
from tests.unit.migration_helpers import COLUMNS_0008, SEARCH_KEY, downgrade, old_store, rows

_OLD_KIND = {"pl": "P", "vin": "V", "v6": "6", "ph": "T", "p4": "4", "id": "I", "i4": "E", "nm": "N", "py": "Y"}
_COLUMNS = {**COLUMNS_0008, **SEARCH_KEY}


def _answers(engine, queries):
    return {q: sorted(json.dumps(m.to_json(), ensure_ascii=False, sort_keys=True) for m in lookup.find(engine, q, AT))
            for q in queries}


def test_upgrade_from_a_0008_store_keeps_every_row_as_blob_ids(tmp_path):
    engine, meta = old_store(tmp_path, "0008")
    assert migrate.current_revision(engine) == "0008"
    before = rows(engine, _COLUMNS)
    assert all(isinstance(r[0], str) and len(r[0]) == 36 for r in before["vehicle"])  # text ids before
    assert {k.split(":", 1)[0] for k, _ in before["search_key"]} == set(_OLD_KIND)
    with engine.connect() as conn:
        plates = [r[0] for r in conn.exec_driver_sql("SELECT plate FROM vehicle ORDER BY plate LIMIT 5")]
        phone4 = conn.exec_driver_sql("SELECT substr(phone, -4) FROM customer WHERE phone IS NOT NULL LIMIT 1").scalar()
        conn.rollback()

    copy = migrate.upgrade(engine, backup_dir=tmp_path / "backups")

    assert copy is not None and copy.exists()
    assert migrate.current_revision(engine) == migrate.head_revision()
    after = rows(engine, _COLUMNS)
    for t in COLUMNS_0008:  # the same rows, ids read back as the same strings
        assert after[t] == before[t], t
    names = {vid: name for vid, name in _vehicle_owner_names(engine)}
    expected_keys = {(_OLD_KIND[k.split(":", 1)[0]] + k.split(":", 1)[1], v) for k, v in before["search_key"]}
    expected_keys |= {("F" + p, vid) for vid, name in names.items() for p in full_pinyin(name)}
    expected_keys = {(k, v) for k, v in expected_keys if k[0] not in "VI"}  # 0011: VIN and ID by column index
    # 0014: a live vehicle's plate, stored in its normal form, by the plate column's index.
    expected_keys -= {("P" + r[1], r[0]) for r in after["vehicle"] if r[1] and r[-1] == 0}
    assert after["search_key"] == expected_keys
    with engine.connect() as conn:
        for t, cols in COLUMNS_0008.items():
            for col in [c for c in cols.split(", ") if c == "id" or c.endswith("_id") or c == "corrects"]:
                bad = conn.exec_driver_sql(f"SELECT count(*) FROM {t} WHERE {col} IS NOT NULL AND "
                                           f"(typeof({col}) != 'blob' OR length({col}) != 16)").scalar()
                assert bad == 0, (t, col)
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert "created_at" not in [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(policy_term)")]
        conn.rollback()

    # Answers: a plate, the last four of a phone, and the new full pinyin of the registered owner.
    found = lookup.find(engine, "linanjun", AT)
    assert meta["registered_vehicle"] in [m.vehicle_id for m in found]
    assert [m.vehicle_id for m in lookup.find(engine, "lin", AT)] and phone4
    for p in plates:
        assert [m.plate for m in lookup.find(engine, p, AT)][:1] == [p]
    assert lookup.find(engine, phone4, AT)

    # The write paths work on the new schema (counter register, then record on that vehicle).
    admin = StaffSession("admin", "admin")
    reg = register(engine, admin, NewRegistration(plate="京A9X876", name="王小明", phone="13800001234"), now=AT)
    record_outcome(engine, admin, reg.vehicle_id, "declined", now=AT)
    wang = [m for m in lookup.find(engine, "wangxiaoming", AT) if m.vehicle_id == reg.vehicle_id]
    assert wang and wang[0].plate == "京A9X876" and wang[0].last_outcome == "declined"


def _vehicle_owner_names(engine):
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT v.id, c.name FROM vehicle v JOIN customer c ON c.id = v.owner_id "
                                    "WHERE v.deleted = 0 AND c.name IS NOT NULL").fetchall()
        conn.rollback()
    return rows


def test_downgrade_to_0008_gives_the_old_rows_back(tmp_path):
    engine, _meta = old_store(tmp_path, "0008")
    before = rows(engine, _COLUMNS)
    migrate.upgrade(engine, backup_dir=None)
    downgrade(engine, "0008")
    assert migrate.current_revision(engine) == "0008"
    assert rows(engine, _COLUMNS) == before
