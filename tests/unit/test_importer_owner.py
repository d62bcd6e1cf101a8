"""A row that names the owner but gives no ID number or phone still records who owns the car."""
from __future__ import annotations

from openpyxl import Workbook

from desktop.core.fakes import FakeData
from desktop.core.masking import mask_name
from desktop.services import letters
from desktop.services import lookup as lookup_svc
from desktop.services.importer import run_import
from tests.conftest import AT

HEAD = ["车牌号", "险种", "保险起期", "保险止期", "被保险人", "地址"]


def _book(path, rows):
    wb = Workbook()
    ws = wb.active
    ws.append(HEAD)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_owner_name_and_address_without_phone_or_id(tmp_path, app_ctx, admin):
    fake = FakeData(5)
    plate, name, address = fake.plate("ordinary"), fake.name(), fake.address()
    f = _book(tmp_path / "a.xlsx", [[plate, "交强险", "2025-12-11", "2026-12-10", name, address]])
    engine = app_ctx.store().engine

    first = run_import(engine, admin, f, at=AT)
    assert (first.rows, first.imported) == (1, 1)
    (m,) = lookup_svc.find(engine, plate, AT)
    assert m.owner == name[0] + "*" * (len(name) - 1)
    assert m.bundle.owner.address == address
    assert [x.vehicle_id for x in lookup_svc.find(engine, name, AT)] == [m.vehicle_id]  # found by name
    # DUE in 9 days with a name and address on file: a letter, not "no_consent".
    sel = letters.select(engine, 30, False, "due", AT, 90)
    assert [s.bundle.vehicle.plate for s in sel.letters] == [plate]

    again = run_import(engine, admin, f, at=AT)
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 1)


def test_a_new_name_on_the_car_is_a_new_owner_and_a_dry_run_counts_the_same(tmp_path, app_ctx, admin):
    fake = FakeData(6)
    plate = fake.plate("ordinary")
    engine = app_ctx.store().engine
    run_import(engine, admin, _book(tmp_path / "a.xlsx", [[plate, "交强险", "2025-12-11", "2026-12-10",
                                                             fake.name(), fake.address()]]), at=AT)
    newer = fake.name()
    f = _book(tmp_path / "b.xlsx", [[plate, "交强险", "2025-12-11", "2026-12-10", newer, fake.address()]])
    dry = run_import(engine, admin, f, dry_run=True, at=AT)
    real = run_import(engine, admin, f, at=AT)
    assert dry.to_json() == real.to_json() and real.imported == 1
    (m,) = lookup_svc.find(engine, plate, AT)
    assert m.bundle.owner.name == mask_name(newer)   # lookup hands out masked names only


def test_rejected_phone_is_masked_in_its_normal_form(tmp_path, app_ctx, admin):
    fake = FakeData(8)
    wb = Workbook()
    ws = wb.active
    ws.append(["车牌号", "险种", "保险止期", "被保险人", "联系电话"])
    ws.append([fake.plate("ordinary"), "交强险", "2026-12-10", fake.name(), "+86 128 1234 5678"])
    wb.save(tmp_path / "p.xlsx")
    report = run_import(app_ctx.store().engine, admin, tmp_path / "p.xlsx", dry_run=True, at=AT)
    (rej,) = report.rejected
    assert rej["column"] == "联系电话" and rej["value"] == "128****5678"


def test_a_masked_name_is_rejected_and_the_car_keeps_its_owner(tmp_path, app_ctx, admin):
    # Our own masked export (车主 张**) read back with its phone and ID columns cut away: each
    # row used to make a new owner literally named "张**" and hand the car to it (real name,
    # phone, address and consent detached: 300 of 300 cars in a demo store, "imported": 300).
    fake = FakeData(9)
    plate, name, address = fake.plate("ordinary"), fake.name(), fake.address()
    engine = app_ctx.store().engine
    run_import(engine, admin, _book(tmp_path / "a.xlsx", [[plate, "交强险", "2025-12-11", "2026-12-10",
                                                             name, address]]), at=AT)
    for masked in (mask_name(name), name[0] + "＊" * (len(name) - 1)):
        f = _book(tmp_path / "b.xlsx", [[plate, "交强险", "2025-12-11", "2026-12-10", masked, None]])
        report = run_import(engine, admin, f, at=AT)
        (rej,) = report.rejected
        assert (report.rows, report.imported, report.updated) == (1, 0, 0)
        assert rej["column"] == "被保险人" and rej["value"] == mask_name(name) and "脱敏" in rej["reason"]
        (m,) = lookup_svc.find(engine, plate, AT)
        assert m.bundle.owner.address == address
