"""Issue 11 item 7: every slip (each paper) and letter names the store and counter and gives the
counter's phone, address and hours as extractable text (pdfplumber on the real PDFs)."""
from __future__ import annotations

import pdfplumber
import pytest

from desktop.services import documents, lookup
from desktop.services import settings as settings_svc
from tests.conftest import AT

STORE = {"org": "示例汽车销售服务有限公司", "counter_name": "二号续保柜台", "counter_phone": "0755-26881234",
         "counter_address": "示例市样本区幸福路88号", "counter_hours": "周一至周六 9:00-17:30"}


def _flat(path) -> str:
    with pdfplumber.open(path) as pdf:
        return "".join("".join((p.extract_text() or "").split()) for p in pdf.pages)


@pytest.fixture
def store_settings(demo_ctx, admin):
    engine = demo_ctx.store().engine
    for k, v in STORE.items():
        settings_svc.put(engine, admin, k, v)
    return settings_svc.load(engine)


@pytest.mark.parametrize("paper", ["a4", "a5", "80mm", "58mm"])
def test_slip_names_the_store_on_every_paper(demo_ctx, admin, store_settings, tmp_path, paper):
    from desktop.printing import fonts

    fonts.ensure_gui_app()
    engine = demo_ctx.store().engine
    from desktop.store import vehicles_repo

    with engine.connect() as conn:
        ids = vehicles_repo.all_vehicle_ids(conn)
        conn.rollback()
    # a lapsed car: the longest slip (the consequences), so the store lines must still fit
    m = next(x for x in (lookup.get(engine, i, AT) for i in ids) if x.coverage.status == "LAPSED")
    out = documents.write_slip(engine, admin, m, store_settings, tmp_path / f"s-{paper}.pdf", paper,
                               documents.default_resources(), AT)
    text = _flat(out)
    for v in STORE.values():
        assert "".join(v.split()) in text, (paper, v)


def test_letters_name_the_store_and_give_the_phone_to_call(demo_ctx, admin, store_settings, tmp_path):
    engine = demo_ctx.store().engine
    res = documents.write_letters(engine, admin, store_settings, tmp_path / "l.pdf", 90, True, "due", AT,
                                  documents.default_resources())
    assert res.letters > 0
    with pdfplumber.open(tmp_path / "l.pdf") as pdf:
        first = "".join((pdf.pages[0].extract_text() or "").split())
    for v in STORE.values():
        assert "".join(v.split()) in first, v
    assert "预约电话：0755-26881234" in first


def test_a5_slip_keeps_the_24_hour_phrase_on_one_line(tmp_path):
    from desktop.printing import fonts, model, slip
    from tests.unit.test_printing_slip import FONT, make_slip

    fonts.ensure_gui_app()
    out = tmp_path / "a5.pdf"
    slip.render_slip_pdf(make_slip(model, "DUE"), out, "a5", font_path=FONT)
    with pdfplumber.open(out) as pdf:
        lines = [ln.replace(" ", "") for ln in (pdf.pages[0].extract_text() or "").splitlines()]
    assert any("（当日24时止）" in ln for ln in lines), lines
    assert not any(ln.endswith("（当日") or ln.startswith("24时止") for ln in lines)
