"""find_ids cuts each exact key at `limit` and skips the prefix scans once a key fills it: the list a
clerk sees (which vehicles, in which order) must be the one the whole key set gives."""
from __future__ import annotations

from desktop.core.search_keys import query_keys, query_prefixes
from desktop.store import vehicles_repo


def _all_keys(engine) -> list[tuple[str, str]]:
    """Every key that finds a vehicle: the search keys, and a live vehicle's plate as the plate
    kind (the plate column's index answers those since 0014)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT key, vehicle_id FROM search_key UNION "
                                    "SELECT 'P' || plate, id FROM vehicle WHERE deleted = 0 AND plate IS NOT NULL "
                                    "ORDER BY 1, 2").fetchall()
        conn.rollback()
    return [(k, v) for k, v in rows]


def _reference(rows, exact, prefixes, limit) -> list[tuple[str, int]]:
    """Every exact match read, then the prefix scans as the store answers them (key order, at most
    2*limit rows each, none once 4*limit vehicles are found), best rank per vehicle, rank then id."""
    best: dict[str, int] = {}
    rank_of = dict(exact)
    for key, vid in rows:
        if key in rank_of and rank_of[key] < best.get(vid, 99):
            best[vid] = rank_of[key]
    for prefix, rank in prefixes:
        if len(best) >= limit * 4:
            break
        for _key, vid in [r for r in rows if r[0].startswith(prefix)][:limit * 2]:
            if rank < best.get(vid, 99):
                best[vid] = rank
    return sorted(best.items(), key=lambda kv: (kv[1], kv[0]))[:limit]


def test_cut_lists_equal_the_whole_key_set(demo_ctx):
    engine = demo_ctx.store().engine
    rows = _all_keys(engine)
    # Common initials, 4-digit tails (phone and ID at once), a plate office, syllables: with a
    # small limit most of them have more matches than the list shows.
    queries = ["wl", "zw", "lj", "wj", "zh", "w", "wang", "li", "zhang", "京A", "粤B", "王", "张", "李"]
    queries += sorted({k[1:5] for k, _ in rows if k[0] == "4"})[:40]
    queries += sorted({k[1:5] for k, _ in rows if k[0] == "E" and k.endswith("X")})[:10]
    cut = 0
    with engine.connect() as conn:
        for q in queries:
            exact, prefixes = query_keys(q), query_prefixes(q)
            for limit in (1, 3, 8, 50):
                want = _reference(rows, exact, prefixes, limit)
                assert vehicles_repo.find_ids(conn, exact, prefixes, limit) == want, (q, limit)
                cut += len(want) == limit
        conn.rollback()
    assert cut > len(queries)  # the cut itself was exercised, not only short lists


def test_a_masked_owner_keeps_every_other_field():
    """The list row's owner is masked field by field: the address, consents and notes the card shows
    (and any field CustomerRec gains later) come through unchanged."""
    from dataclasses import fields

    from desktop.services.lookup import masked_owner
    from desktop.store.records import CustomerRec

    o = CustomerRec("0190a1b2-0000-7000-8000-000000000001", "林安君", "13800001234", "110101199003071234",
                    "北京市东城区示例路 1 号", False, True, "只在下午联系")
    m = masked_owner(o)
    assert "安" not in m.name and "0000" not in m.phone and "19900307" not in m.id_number
    masked = {"name", "phone", "id_number"}
    assert {f.name: getattr(m, f.name) for f in fields(o) if f.name not in masked} == \
           {f.name: getattr(o, f.name) for f in fields(o) if f.name not in masked}


def test_bundle_term_times_read_as_stored_equal_the_converted_column(demo_ctx):
    """load_bundles reads term instants as stored (epoch seconds since 0012) and decodes them itself:
    the card and the status must see the same instants, printed the same way, as the column's
    ISOTIME converter gives."""
    from desktop.store.records import parse_iso
    from desktop.store.uuidcol import blob

    engine = demo_ctx.store().engine
    with engine.connect() as conn:
        ids = vehicles_repo.all_vehicle_ids(conn)[:60]
        bundles = vehicles_repo.load_bundles(conn, ids)
        db = conn.connection.driver_connection
        checked = 0
        for b in bundles:
            want = {r[0]: tuple(parse_iso(x) for x in r[1:]) for r in db.execute(
                "SELECT id, start_at, end_at, as_of FROM policy_term WHERE vehicle_id = ?", (blob(b.vehicle.id),))}
            got = {t.id: (t.start_at, t.end_at, t.as_of) for t in b.terms}
            assert got == want
            assert [x.isoformat() for v in got.values() for x in v if x] == \
                   [x.isoformat() for v in want.values() for x in v if x]
            assert all(x.isoformat().endswith("+08:00") for v in got.values() for x in v if x)
            checked += len(got)
        stored = db.execute("SELECT typeof(+end_at) FROM policy_term LIMIT 1").fetchone()[0]
        conn.rollback()
    assert checked > 60 and stored == "integer"  # the epoch path itself was read
