"""Every service that writes puts one outbox row per changed entity in the same transaction, with a
well-formed wire payload, a gap-free device_seq and strictly increasing HLC stamps (DESIGN §6)."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.fakes import FakeData
from desktop.core.hlc import HLC
from desktop.services import letters, settings
from desktop.services.documents import default_resources, log_slip, write_letters
from desktop.services.importer import run_import
from desktop.services.record import NewTerm, record_outcome
from desktop.services.register import FieldErrors, NewRegistration, register
from desktop.store import outbox, writes
from desktop.store.records import CustomerRec, TermRec, VehicleRec
from tests.builders import add_vehicle
from tests.conftest import AT

try:
    from desktop.sync.protocol import validate_payload
except ImportError:  # until head office's protocol module lands on main
    validate_payload = None


def _rows(engine, after: int = 0) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT change_id, device_seq, entity, entity_id, op, payload, hlc, state FROM outbox "
            "WHERE device_seq > ? ORDER BY device_seq", (after,)).fetchall()
        conn.rollback()
    return [dict(change_id=r[0], device_seq=r[1], entity=r[2], entity_id=r[3], op=r[4],
                 payload=json.loads(r[5]), hlc=r[6], state=r[7]) for r in rows]


def _check_well_formed(rows: list[dict]) -> None:
    for r in rows:
        assert r["entity"] in ("customer", "vehicle", "policy_term", "event")
        assert r["op"] in ("upsert", "delete") and r["state"] == "pending"
        assert r["payload"]["id"] == r["entity_id"]
        assert "search_key" not in json.dumps(r["payload"])
        if validate_payload is not None:
            assert validate_payload(r["entity"], r["op"], r["entity_id"], r["payload"]) is None, r


def _check_sequence(rows: list[dict]) -> None:
    seqs = [r["device_seq"] for r in rows]
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free from 1
    stamps = [HLC.parse(r["hlc"]) for r in rows]
    assert all(a < b for a, b in zip(stamps, stamps[1:], strict=False))  # never equal, never backwards
    assert {s.node for s in stamps} == {outbox.LOCAL_NODE}
    assert len({r["change_id"] for r in rows}) == len(rows)


def _entities(rows: list[dict]) -> list[tuple[str, str]]:
    return sorted((r["entity"], r["op"]) for r in rows)


def _workbook(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "车架号", "被保险人", "证件号码", "联系电话", "险种", "保单号", "保险起期", "保险止期", "保险公司"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_every_writing_service_queues_one_change_per_entity(app_ctx, admin, tmp_path):
    engine = app_ctx.store().engine
    f = FakeData(99)
    seen = 0

    def new_rows() -> list[dict]:
        nonlocal seen
        rows = _rows(engine, seen)
        seen = rows[-1]["device_seq"] if rows else seen
        _check_well_formed(rows)
        return rows

    reg = register(engine, admin, NewRegistration(plate=f.plate("ordinary"), vin=f.vin(), name=f.name(),
                                                  phone=f.mobile(), id_number=f.id_number(), address=f.address()))
    rows = new_rows()
    assert _entities(rows) == [("customer", "upsert"), ("vehicle", "upsert")]
    cust = next(r for r in rows if r["entity"] == "customer")["payload"]
    assert cust["id"] == reg.customer_id and set(cust["fields"]) >= {"name", "phone", "id_number"}

    record_outcome(engine, admin, reg.vehicle_id, "renewed_here",
                   NewTerm("安泰财产保险", "PDZA000000000042", "2026-12-02", None), now=AT)
    rows = new_rows()
    assert _entities(rows) == [("event", "upsert"), ("policy_term", "upsert")]
    term = next(r for r in rows if r["entity"] == "policy_term")["payload"]
    assert term["vehicle_id"] == reg.vehicle_id and term["start_at"] == "2026-12-02T00:00:00+08:00"

    log_slip(engine, admin, reg.vehicle_id, "京A00001", "a4")
    rows = new_rows()
    assert [(r["entity"], r["payload"]["kind"], r["payload"]["detail"]) for r in rows] == [
        ("event", "slip_printed", {"paper": "a4"})]

    due = add_vehicle(engine, ci=[("2026-01-01", "2026-12-20")], address="示例市和平路2号")
    new_rows()  # test set-up writes no outbox rows of its own
    res = write_letters(engine, admin, settings.load(engine), tmp_path / "letters.pdf", 60, False, "due", AT,
                        default_resources())
    rows = new_rows()
    assert res.letters >= 1 and [r["payload"]["kind"] for r in rows] == ["letter_printed"] * res.letters
    assert due.id in {r["payload"]["vehicle_id"] for r in rows}
    letters.mark_returned(engine, admin, due.id, "查无此人")
    assert [r["payload"]["kind"] for r in new_rows()] == ["letter_returned"]

    settings.put(engine, admin, "org", "示例汽车服务有限公司")
    rows = new_rows()
    assert [(r["payload"]["kind"], r["payload"]["detail"]) for r in rows] == [
        ("setting", {"key": "org", "value": "示例汽车服务有限公司"})]
    settings.put(engine, admin, "counter_phone", "010-12345678")  # this counter's own: stays local
    assert new_rows() == []

    plate, vin, name, idn, phone = f.plate("ordinary"), f.vin(), f.name(), f.id_number(), f.mobile()
    book = _workbook(tmp_path / "a.xlsx", [
        [plate, vin, name, idn, phone, "交强险", "P0001", date(2026, 1, 5), date(2027, 1, 4), "安泰财产保险"],
        [plate, vin, name, idn, phone, "商业险", "P0002", date(2026, 1, 5), date(2027, 1, 4), "安泰财产保险"]])
    run_import(engine, admin, book, at=AT)
    rows = new_rows()
    assert _entities(rows) == [("customer", "upsert"), ("policy_term", "upsert"), ("policy_term", "upsert"),
                               ("vehicle", "upsert")]
    by_entity = {r["entity"]: r["payload"] for r in rows}
    assert by_entity["vehicle"]["owner_id"] == by_entity["customer"]["id"]
    assert by_entity["policy_term"]["source"].startswith("import:")
    run_import(engine, admin, book, at=AT)
    assert new_rows() == []  # the same file again changes nothing, so queues nothing
    newer = f.mobile()
    run_import(engine, admin, _workbook(tmp_path / "b.xlsx", [
        [plate, vin, name, idn, newer, "交强险", "P0001", date(2026, 1, 5), date(2027, 1, 4), "安泰财产保险"]]), at=AT)
    rows = new_rows()
    assert [(r["entity"], r["payload"]["phone"], r["payload"]["fields"]) for r in rows] == [
        ("customer", newer, ["phone"])]

    _check_sequence(_rows(engine))


def test_dry_run_queues_nothing(app_ctx, admin, tmp_path):
    engine = app_ctx.store().engine
    f = FakeData(5)
    book = _workbook(tmp_path / "a.xlsx", [[f.plate("ordinary"), f.vin(), f.name(), f.id_number(), f.mobile(), "交强险",
                                            "P0001", date(2026, 1, 5), date(2027, 1, 4), "安泰财产保险"]])
    run_import(engine, admin, book, at=AT, dry_run=True)
    assert _rows(engine) == []


def test_sequence_and_clock_survive_a_restart(app_ctx, admin):
    engine = app_ctx.store().engine
    f = FakeData(6)
    for _ in range(3):
        register(engine, admin, NewRegistration(plate=f.plate("ordinary"), name=f.name(), phone=f.mobile()))
    before = _rows(engine)
    with engine.connect() as conn:  # a clock that ran far ahead once (a PC whose time was wrong)
        conn.exec_driver_sql("UPDATE sync_state SET value = ? WHERE key = 'hlc'",
                             (str(HLC(HLC.parse(before[-1]["hlc"]).wall_ms + 86_400_000, 7, "local")),))
        conn.commit()
    app_ctx.close()
    session = app_ctx.login("admin", "admin-pass-1")
    register(app_ctx.store().engine, session, NewRegistration(plate=f.plate("ordinary"), name=f.name()))
    rows = _rows(app_ctx.store().engine)
    assert [r["device_seq"] for r in rows] == list(range(1, 9))
    last = HLC.parse(rows[-1]["hlc"])
    assert last > HLC.parse(rows[-2]["hlc"]) and last.counter >= 8  # after the persisted stamp, not before


def test_enrolled_device_stamps_with_its_id(app_ctx, admin):
    engine = app_ctx.store().engine
    device = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO sync_state(key, value) VALUES ('device_id', ?)", (device,))
    register(engine, admin, NewRegistration(plate=FakeData(8).plate("ordinary"), name="张三"))
    assert {HLC.parse(r["hlc"]).node for r in _rows(engine)} == {device}


def test_a_failed_write_leaves_no_outbox_row_and_no_used_seq(app_ctx, admin):
    engine = app_ctx.store().engine
    f = FakeData(9)
    plate = f.plate("ordinary")
    register(engine, admin, NewRegistration(plate=plate, name=f.name()))
    with pytest.raises(FieldErrors):
        register(engine, admin, NewRegistration(plate=plate, name=f.name()))  # duplicate plate
    register(engine, admin, NewRegistration(plate=f.plate("ordinary"), name=f.name()))
    assert [r["device_seq"] for r in _rows(engine)] == [1, 2, 3, 4]


_flat = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(),
                  st.lists(st.text(), max_size=4), st.decimals(allow_nan=False, allow_infinity=False),
                  st.dictionaries(st.text(), st.integers(), max_size=2))


@given(st.dictionaries(st.text(), _flat, max_size=8))
def test_payload_json_writes_exactly_what_json_writes(payload):
    # The outbox's fast encoder must not change a byte of the wire payload (DESIGN §6).
    assert outbox.payload_json(payload) == json.dumps(payload, ensure_ascii=False, separators=(",", ":"),
                                                      default=str)


_text = st.one_of(st.none(), st.text())
_odd = st.one_of(_text, st.integers(), st.decimals(allow_nan=False, allow_infinity=False), st.booleans())


@given(st.builds(TermRec, id=st.text(), vehicle_id=st.text(), kind=st.sampled_from(["CI", "BI"]), start_at=_text,
                 end_at=_text, insurer=_text, policy_no=_text, premium=_odd, float_coef=_odd, vehicle_tax=_odd,
                 source=st.text(), as_of=_text, verified_by=_text),
       st.builds(VehicleRec, id=st.text(), plate=_text, vin=_text, owner_id=_text, vehicle_class=_text, use=_text,
                 seats=st.one_of(st.none(), st.integers(), st.booleans(), st.text()), energy=_text,
                 registered_on=_text),
       st.builds(CustomerRec, id=st.text(), name=_text, phone=_text, id_number=_text, address=_text,
                 consent_contact=st.one_of(st.booleans(), st.integers(0, 1)),
                 consent_mail=st.one_of(st.booleans(), st.integers(0, 1)), notes=_text))
def test_row_payload_text_is_the_dicts_json(term, vehicle, customer):
    # The import's direct JSON of a row (writes.*_json) is byte for byte what the dict payload
    # gives, whatever a field holds (an odd type goes the dict way): receivers see one wire form.
    assert writes.term_json(term) == outbox.payload_json(writes.term_payload(term))
    assert writes.vehicle_json(vehicle) == outbox.payload_json(writes.vehicle_payload(vehicle))
    assert writes.customer_json(customer) == outbox.payload_json(writes.customer_payload(customer))
    assert json.loads(writes.term_json(term))["id"] == term.id
