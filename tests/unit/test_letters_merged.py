"""One merged reminder per vehicle per date (issue 13 item 5): a letter carries the 车船税 paid with
the 交强险 and, when the 年检 falls due together with it, the 年检 date — one letter, one visit.
Real store, real PDF (text extracted with pdfplumber)."""
from __future__ import annotations

import json
from decimal import Decimal

import pdfplumber

from desktop.core.masking import mask_plate
from desktop.services import letters
from tests.conftest import AT
from tests.unit.card_fixtures import add_car

ENDS_1219 = (("2025-12-20T00:00:00+08:00", "2026-12-20T00:00:00+08:00", "950", "360", "PDZA000000000009"),)


def _cars(engine):
    together, _ = add_car(engine, registered="2020-12-10", terms=ENDS_1219, seed=11)   # 年检 2026-12-31
    apart, _ = add_car(engine, registered="2021-06-10", terms=ENDS_1219, seed=12)      # 年检 2027-06-30
    return together, apart


def test_selection_merges_inspection_only_when_due_together(app_ctx):
    engine = app_ctx.store().engine
    together, apart = _cars(engine)
    sel = {s.bundle.vehicle.id: s for s in letters.select(engine, 30, False, "due", AT, 90).letters}
    assert sel[together].inspection.due.isoformat() == "2026-12-31" and sel[together].vehicle_tax == Decimal("360")
    assert sel[apart].inspection is None and sel[apart].vehicle_tax == Decimal("360")
    assert len(sel) == 2  # one letter per vehicle, never a second one for the 年检


def test_merged_letter_pdf(app_ctx, tmp_path, monkeypatch, capsys):
    from desktop import cli
    from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

    engine = app_ctx.store().engine
    (together, p1), (apart, p2) = (add_car(engine, registered="2020-12-10", terms=ENDS_1219, seed=11),
                                   add_car(engine, registered="2021-06-10", terms=ENDS_1219, seed=12))
    plates = {together: p1, apart: p2}
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PASSWORD)
    base = ["--data-dir", str(app_ctx.data_dir)]
    for key, value in (("counter_phone", "020-12345678"), ("counter_address", "示例市示例路1号"),
                       ("counter_hours", "周一至周日 9:00-17:30")):  # a fully set-up counter: the longest letter
        assert cli.main([*base, "settings", "set", key, value]) == 0
    capsys.readouterr()
    out = tmp_path / "letters.pdf"
    code = cli.main(["--data-dir", str(app_ctx.data_dir), "letters", "--due-within", "30", "--pdf", str(out),
                     "--json", "--at", AT.isoformat(), "--order", "due"])
    assert code == 0 and json.loads(capsys.readouterr().out)["letters"] == 2
    with pdfplumber.open(out) as pdf:
        pages = [(p.extract_text() or "").replace(" ", "") for p in pdf.pages]
    assert len(pages) == 2  # the merged letter still fits one page
    by_car = {vid: "".join(t for t in pages if mask_plate(plates[vid]).replace(" ", "") in t) for vid in plates}
    merged, single = by_car[together], by_car[apart]
    assert "交强险续保和年检提醒" in merged and "年检2026年12月31日到期，请与交强险一并办理" in merged
    assert "车船税360元，续保交强险时一并缴纳" in merged
    assert "到期，请与交强险一并办理" not in single and "交强险续保提醒" in single and "车船税360元" in single
