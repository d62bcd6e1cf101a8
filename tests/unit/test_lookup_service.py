"""Lookup (DESIGN §7): every query form finds the vehicle, exact matches first, at most 50, and every
statement the repository runs is served by an index."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, text

from desktop.core.ids import new_id
from desktop.core.masking import mask_name, mask_phone
from desktop.core.status import Term
from desktop.services import lookup
from desktop.store import vehicles_repo, writes
from desktop.store.records import CustomerRec, TermRec, VehicleRec
from desktop.store.uuidcol import blob
from tests.conftest import AT

STATUSES = {"ACTIVE", "DUE", "RENEWED", "LAPSED", "PENDING", "NONE"}
FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def _pick(engine, where: str = "1 = 1") -> dict:
    sql = ("SELECT v.id, v.plate, v.vin, c.name, c.phone, c.id_number FROM vehicle v "
           "JOIN customer c ON c.id = v.owner_id WHERE length(c.phone) = 11 AND c.id_number IS NOT NULL "
           f"AND length(v.plate) = 7 AND {where} ORDER BY v.id LIMIT 1")
    with engine.connect() as c:
        r = c.execute(text(sql)).one()
        c.rollback()
    return dict(zip(("id", "plate", "vin", "name", "phone", "idn"), r, strict=True))


@pytest.fixture
def car(demo_ctx) -> dict:
    return _pick(demo_ctx.store().engine)


def _find(ctx, q: str) -> list[lookup.LookupMatch]:
    return lookup.find(ctx.store().engine, q, AT)


def _ids(matches) -> list[str]:
    return [m.vehicle_id for m in matches]


def _assert_ranked(matches) -> None:
    ranks = [m.rank for m in matches]
    assert ranks == sorted(ranks)
    assert len(set(_ids(matches))) == len(matches)  # each vehicle once


def test_plate_in_odd_spellings(demo_ctx, car):
    p = car["plate"]
    for q in (p, p.lower(), f" {p[:2]} {p[2:]} ", p.translate(FULL), f"{p[:2]}·{p[2:]}",
              f"{p[0]}{p[1].lower()}－{p[2:5]} {p[5:]}", "\u3000" + p[:2] + "\u3000" + p[2:].translate(FULL)):
        m = _find(demo_ctx, q)
        assert m and m[0].vehicle_id == car["id"] and m[0].rank == 0, q
        assert m[0].plate == p  # shown normalised
        _assert_ranked(m)


def test_plate_prefix_finds_as_you_type(demo_ctx, car):
    m = _find(demo_ctx, car["plate"][:4].lower())
    assert car["id"] in _ids(m)
    assert all(x.plate.startswith(car["plate"][:4]) for x in m if x.rank == 2)


def test_full_vin_and_last_six(demo_ctx, car):
    vin = car["vin"]
    full = _find(demo_ctx, vin.lower())
    assert _ids(full) == [car["id"]] and full[0].rank == 0
    six = _find(demo_ctx, vin[-6:])
    assert car["id"] in _ids(six)
    assert all(m.vin.endswith(vin[-6:]) for m in six)


def test_vin_read_aloud_with_letters_o_i_q_for_digits(demo_ctx):
    # A VIN never holds I, O or Q (domain-rules §5): a clerk copying 0 as O or 1 as I still finds
    # the car, by the full VIN (an exact match) and by its last six.
    car = _pick(demo_ctx.store().engine, "instr(substr(v.vin, 12), '0') > 0 AND instr(v.vin, '1') > 0")
    vin = car["vin"]
    misread = vin.replace("0", "O").replace("1", "I")
    full = _find(demo_ctx, misread.lower())
    assert _ids(full) == [car["id"]] and full[0].rank == 0
    six = _find(demo_ctx, vin[-6:].replace("0", "Q"))
    assert car["id"] in _ids(six)
    assert all(m.vin.endswith(vin[-6:]) for m in six)


def test_plate_typed_with_letters_o_i_for_digits(demo_ctx):
    # A plate's serial holds no I or O (domain-rules §5): 粤B1O345 can only be 粤B10345.
    car = _pick(demo_ctx.store().engine, "instr(substr(v.plate, 3), '0') > 0")
    misread = car["plate"][:2] + car["plate"][2:].replace("0", "O").replace("1", "I")
    m = _find(demo_ctx, misread.lower())
    assert m and m[0].vehicle_id == car["id"] and m[0].rank == 0


def test_phone_full_in_common_formats(demo_ctx, car):
    ph = car["phone"]
    for q in (ph, f"{ph[:3]} {ph[3:7]} {ph[7:]}", f"+86 {ph}", f"{ph[:3]}-{ph[3:7]}-{ph[7:]}"):
        m = _find(demo_ctx, q)
        assert m and m[0].vehicle_id == car["id"] and m[0].rank == 0, q
        assert m[0].phone == mask_phone(ph) and ph not in repr(m[0].to_json())


def test_phone_last_four_and_id_last_four(demo_ctx, car):
    engine = demo_ctx.store().engine
    by_phone = _find(demo_ctx, car["phone"][-4:])
    assert car["id"] in _ids(by_phone)
    by_id = _find(demo_ctx, car["idn"][-4:].lower())
    assert car["id"] in _ids(by_id)
    for m in by_phone + by_id:  # every hit really ends with the four (phone, or the 18-digit ID)
        with engine.connect() as c:
            ph, idn = c.execute(text("SELECT phone, id_number FROM customer c JOIN vehicle v ON v.owner_id = c.id "
                                     "WHERE v.id = :v"), {"v": blob(m.vehicle_id)}).one()
        assert (ph or "").endswith(car["phone"][-4:]) or (idn or "").endswith(car["idn"][-4:].upper())


def test_full_id_number(demo_ctx, car):
    m = _find(demo_ctx, car["idn"].lower())
    assert _ids(m)[:1] == [car["id"]] and m[0].rank == 0


def test_name_and_pinyin_initials(demo_ctx, car):
    from desktop.core.search_keys import pinyin_initials

    by_name = _find(demo_ctx, car["name"])
    assert car["id"] in _ids(by_name)
    assert all(m.owner == mask_name(car["name"]) for m in by_name if m.rank == 1)
    ini = pinyin_initials(car["name"])[0]
    for q in (ini, ini.lower()):
        by_py = _find(demo_ctx, q)
        assert car["id"] in _ids(by_py), q
        _assert_ranked(by_py)


def test_exact_matches_rank_first(demo_ctx, car):
    """A 6-character query that is another car's VIN tail and a plate prefix: exact plate first."""
    engine = demo_ctx.store().engine
    other = _pick(engine, f"v.id != '{car['id']}'")
    m = _find(demo_ctx, car["plate"])
    assert m[0].rank == 0
    tail = other["vin"][-6:]
    _add(engine, "柳伊", plate=None, vin="LSVAU2180N2" + tail)  # a second car with the same VIN tail
    m = _find(demo_ctx, other["vin"])
    assert m[0].vehicle_id == other["id"] and m[0].rank == 0
    tails = _find(demo_ctx, tail)
    assert len(tails) >= 2 and {x.rank for x in tails} == {1}


def _add(engine, name: str, plate: str | None, vin: str | None = None, terms: bool = True) -> str:
    cid, vid = new_id(), new_id()
    cust = CustomerRec(cid, name, "13900001111", None, None)
    veh = VehicleRec(vid, plate, vin, cid)
    with engine.begin() as c:
        writes.insert_customers(c, (cust,), AT)
        writes.insert_vehicles(c, (veh,), AT)
        if terms:
            writes.insert_terms(c, (TermRec.of(vid, Term(kind="CI", start_at=AT - timedelta(days=10),
                                                         end_at=AT + timedelta(days=355), insurer="华诚财险",
                                                         policy_no=None, source="counter", as_of=AT,
                                                         verified_by="admin", id=new_id())),))
        vehicles_repo.replace_search_keys(c, veh, cust)
    return vid


def test_at_most_fifty(demo_ctx):
    engine = demo_ctx.store().engine
    for i in range(60):
        _add(engine, "欧阳娜娜", plate=f"琼A{i:05d}")
    m = _find(demo_ctx, "欧阳娜娜")
    assert len(m) == lookup.MAX_MATCHES == 50
    assert len(_find(demo_ctx, "OYNN")) == 50
    assert len(_find(demo_ctx, "13900001111")) == 50


def test_results_carry_status_source_and_as_of(demo_ctx):
    seen = set()
    for q in ("王", "张", "李", "刘", "陈", "杨", "赵", "黄", "周", "吴"):
        for m in _find(demo_ctx, q):
            j = m.to_json()
            assert j["status"] in STATUSES
            seen.add(j["status"])
            if j["ci_end_date"] is not None:
                assert j["source"] == "import:demo" and j["insurer"]
                assert j["as_of"] == (AT - timedelta(days=3)).isoformat()  # "+08:00"
    assert len(seen) >= 4


def test_no_match_and_blank(demo_ctx):
    assert _find(demo_ctx, "琼Z99999") == []
    assert _find(demo_ctx, "   ") == []
    assert _find(demo_ctx, "完全不存在的名字") == []


def test_vehicle_without_terms_is_none(demo_ctx):
    vid = _add(demo_ctx.store().engine, "诸葛亮", plate="川A00001", terms=False)
    (m,) = _find(demo_ctx, "川a 00001")
    assert m.vehicle_id == vid and m.coverage.status == "NONE"
    j = m.to_json()
    assert j["ci_end_date"] is None and j["source"] is None and j["as_of"] is None


_BAD_SCAN = re.compile(r"\bSCAN (search_key|vehicle|policy_term|customer|event)\b")


def test_every_lookup_statement_uses_an_index(demo_ctx, car):
    engine = demo_ctx.store().engine
    traced: list[str] = []  # the driver's trace: statements with their values, whichever layer ran them
    with engine.connect() as conn:
        conn.connection.driver_connection.set_trace_callback(traced.append)
        conn.rollback()
    try:
        for q in (car["plate"], car["plate"][:4], car["vin"], car["vin"][-6:], car["phone"],
                  car["phone"][-4:], car["idn"][-4:], car["name"], car["name"][:1], "ZW"):
            lookup.find(engine, q, AT)
    finally:
        with engine.connect() as conn:
            conn.connection.driver_connection.set_trace_callback(None)
            conn.rollback()
    captured = [s for s in traced if s.lstrip().upper().startswith("SELECT")]
    tables = {t for s in captured for t in ("search_key", "vehicle", "customer", "policy_term", "event")
              if re.search(rf"\b(FROM|JOIN) {t}\b", s)}  # the owner comes by a join
    assert tables == {"search_key", "vehicle", "customer", "policy_term", "event"}
    assert any(">=" in s for s in captured) and any(" IN (" in s for s in captured)
    raw = engine.raw_connection()
    try:
        for stmt in captured:
            plan = [r[3] for r in raw.driver_connection.execute("EXPLAIN QUERY PLAN " + stmt)]
            assert plan, stmt
            for line in plan:
                assert not _BAD_SCAN.search(line), f"{line!r} in plan of {stmt}"
                if re.search(r"\b(search_key|vehicle|customer|policy_term|event)\b", line):
                    assert "USING" in line and ("INDEX" in line or "PRIMARY KEY" in line), (line, stmt)
    finally:
        raw.close()


def test_due_list_query_reads_the_ci_vehicle_index(demo_ctx):
    engine = demo_ctx.store().engine
    captured: list[tuple[str, tuple]] = []

    def grab(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, tuple(parameters)))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        with engine.connect() as c:
            assert vehicles_repo.vehicles_with_ci_end_between(c, AT, AT + timedelta(days=30))
            c.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    stmts = [x for x in captured if "policy_term" in x[0]]
    assert stmts  # epoch-second ends and ends kept as text (desktop.store.timecol), one pass (0020)
    raw = engine.raw_connection()
    try:
        for stmt, params in stmts:
            plan = [r[3] for r in raw.driver_connection.execute("EXPLAIN QUERY PLAN " + stmt, params)]
            # the covering partial index of 交强险 terms, not the table (0020 dropped the end_at index)
            assert any("COVERING INDEX ix_policy_term_ci_vehicle" in line for line in plan), plan
    finally:
        raw.close()
