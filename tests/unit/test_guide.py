"""Claims guidance slips (理赔指引): real PDFs read back with pdfplumber for every accident type —
page sizes, large print, the checklist boxes, the directory's numbers with 待核实, the vehicle's own
policy numbers, the counter's contact — and the directory's admin gate, audit and outbox rows."""
from __future__ import annotations

import json
import re

import pdfplumber
import pytest
from sqlalchemy import text

from desktop.printing.guide import CHECKBOX
from desktop.printing.guide_template import ACCIDENTS, load_guide_template
from desktop.services import directory, guide, lookup, settings
from desktop.services.errors import BadInput, NotAllowed
from desktop.store.uuidcol import blob
from desktop.sync import protocol
from tests.conftest import AT

from .aftersales_fixtures import BI_NO, CI_NO, add_car

MM = 72 / 25.4
SIZES = {"a4": (595, 842), "a5": (420, 595)}
BODY_MIN = {"a4": 16, "a5": 16, "80mm": 14}
KEY_MIN = {"a4": 18, "a5": 18, "80mm": 18}


@pytest.fixture
def car(app_ctx, admin):
    engine = app_ctx.store().engine
    settings.put(engine, admin, "counter_phone", "020-12345678")
    settings.put(engine, admin, "counter_address", "示例市样本区幸福路 88 号")
    return add_car(engine, admin, seed=41)


def _match(ctx, plate):
    [m] = lookup.find(ctx.store().engine, plate, AT)
    return m


def _write(ctx, session, car, tmp_path, accident="single", paper="a4"):
    out = tmp_path / f"guide-{accident}-{paper}.pdf"
    pages = guide.write_guide(ctx.store().engine, session, _match(ctx, car.plate), ctx.settings(), out, accident,
                              paper, printed_at=AT)
    return out, pages


def _flat(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _text(pdf) -> str:
    return _flat("".join(p.extract_text() or "" for p in pdf.pages))


def _lines(page):
    rows: dict[float, list] = {}
    for c in page.chars:
        rows.setdefault(round(c["top"], 1), []).append(c)
    return [(_flat("".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"]))), max(c["size"] for c in cs))
            for _, cs in sorted(rows.items())]


@pytest.mark.parametrize("accident", ACCIDENTS)
def test_each_accident_type_prints_steps_checklist_numbers_policy_and_contact(app_ctx, admin, car, tmp_path,
                                                                               accident):
    out, pages = _write(app_ctx, admin, car, tmp_path, accident)
    template = load_guide_template(guide.default_guide_resources().template)
    materials = template.accidents[accident].materials
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == pages >= 1
        for page in pdf.pages:
            assert (round(page.width), round(page.height)) == SIZES["a4"]
        text = _text(pdf)
        lines = [ln for p in pdf.pages for ln in _lines(p)]
    assert template.accidents[accident].label in text
    assert car.plate in text  # the owner's own paper: plate in full
    # Every material is a checklist line with its box.
    boxed = [t for t, _ in lines if t.startswith(CHECKBOX)]
    assert len(boxed) == len(materials)
    for m in materials:
        assert any(_flat(m) in t for t in boxed), m
    # 平安's number from the shipped directory, marked unconfirmed; the report line is a key line.
    assert "95511（待核实）" in text
    assert any(t.startswith("报案电话95511") and size >= KEY_MIN["a4"] - 0.1 for t, size in lines)
    assert CI_NO in text and BI_NO in text
    assert "020-12345678" in text and "示例市样本区幸福路88号" in text
    assert f"第{pages}页/共{pages}页" in text
    assert not re.search(r"法律规定|依法|条例|第\d+条", text)  # nothing stated as law
    assert min(size for _, size in lines) >= BODY_MIN["a4"] - 0.1


def test_the_period_printed_is_the_policys_own(app_ctx, admin, car, tmp_path):
    out, _ = _write(app_ctx, admin, car, tmp_path)
    with pdfplumber.open(out) as pdf:
        text = _text(pdf)
    assert "保险期间2026年3月1日至2027年2月28日（当日24时止）" in text


@pytest.mark.parametrize("paper", ["a5", "80mm"])
def test_other_papers_keep_large_print_and_the_band(app_ctx, admin, car, tmp_path, paper):
    out, pages = _write(app_ctx, admin, car, tmp_path, "injury", paper)
    with pdfplumber.open(out) as pdf:
        text = _text(pdf)
        for page in pdf.pages:
            if paper == "a5":
                assert (round(page.width), round(page.height)) == SIZES["a5"]
            else:
                assert page.width == pytest.approx(80 * MM, abs=0.6)
                assert all(4 * MM - 0.5 <= c["x0"] and c["x1"] <= 76 * MM + 0.5 for c in page.chars)
            sizes = [size for _, size in _lines(page)]
            assert min(sizes) >= BODY_MIN[paper] - 0.1
    if paper == "80mm":
        assert pages == 1  # a receipt is one strip as long as its text
    assert "95511（待核实）" in text and car.plate in text


def test_an_admin_confirms_a_number_and_the_guide_drops_the_mark(app_ctx, admin, car, tmp_path):
    engine = app_ctx.store().engine
    directory.set_entry(engine, admin, "pingan", {"claims_phone": "95511", "branch_address": "示例市理赔中心 3 楼"},
                        confirmed=True)
    out, _ = _write(app_ctx, admin, car, tmp_path)
    with pdfplumber.open(out) as pdf:
        text = _text(pdf)
    assert "报案电话95511" in text and "95511（待核实）" not in text
    assert "示例市理赔中心3楼" in text
    # A later edit without confirming makes the entry unconfirmed again (the number changed).
    directory.set_entry(engine, admin, "pingan", {"roadside_phone": "400-000-0000"}, confirmed=False)
    e = directory.load(engine)["pingan"]
    assert not e.confirmed and e.roadside_phone == "400-000-0000" and e.branch_address == "示例市理赔中心 3 楼"


def test_directory_edits_are_admin_only_checked_audited_and_synced(app_ctx, admin, car):
    engine = app_ctx.store().engine
    clerk = app_ctx.login("clerk", "clerk-pass-1")
    with pytest.raises(NotAllowed):
        directory.set_entry(engine, clerk, "pingan", {"claims_phone": "95511"}, confirmed=True)
    with pytest.raises(BadInput, match="不像电话号码"):
        directory.set_entry(engine, admin, "pingan", {"claims_phone": "call 95511"}, confirmed=False)
    with pytest.raises(BadInput, match="名称"):
        directory.set_entry(engine, admin, "newco", {"claims_phone": "95000"}, confirmed=False)
    directory.set_entry(engine, admin, "picc", {"claims_phone": "95518"}, confirmed=True)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT entity, op, payload FROM outbox WHERE payload LIKE '%insurer_directory%'")
                            ).fetchall()
        audits = conn.execute(text("SELECT staff, target FROM audit WHERE action = 'insurer_directory_set'")).fetchall()
        conn.rollback()
    assert len(rows) == 1  # the refused and invalid edits stored nothing
    entity, op, payload = rows[0]
    p = json.loads(payload)
    assert (entity, op, p["kind"], p["vehicle_id"]) == ("event", "upsert", "insurer_directory", None)
    assert p["detail"] == {"key": "picc", "fields": {"claims_phone": "95518"}, "confirmed": True}
    assert protocol.validate_payload("event", "upsert", p["id"], p) is None  # head office will take it
    assert audits == [("admin", "picc")]


def test_a_clerk_prints_and_the_print_is_an_event_in_the_outbox(app_ctx, car, tmp_path):
    clerk = app_ctx.login("clerk", "clerk-pass-1")
    _write(app_ctx, clerk, car, tmp_path, "theft")
    with app_ctx.store().engine.connect() as conn:
        ev = conn.execute(text("SELECT kind, detail, staff FROM event WHERE vehicle_id = :v AND kind = 'guide_printed'"),
                          {"v": blob(car.vehicle_id)}).one()
        ob = conn.execute(text("SELECT count(*) FROM outbox WHERE payload LIKE '%guide_printed%'")).scalar()
        conn.rollback()
    assert json.loads(ev[1]) == {"accident": "theft", "paper": "a4"} and ev[2] == "clerk" and ob == 1


def test_an_insurer_missing_from_the_directory_says_to_use_the_policys_number(app_ctx, admin, tmp_path):
    car = add_car(app_ctx.store().engine, admin, seed=43, insurer="示例财产保险", bi=False)
    out, _ = _write(app_ctx, admin, car, tmp_path, "glass")
    with pdfplumber.open(out) as pdf:
        text = _text(pdf)
    assert "本店通讯录里还没有这家公司的电话" in text and "待核实" not in text and CI_NO in text


def test_a_broken_template_is_a_clear_message_and_no_file(app_ctx, admin, car, tmp_path):
    bad = tmp_path / "guide_bad.txt"
    src = guide.default_guide_resources().template.read_text(encoding="utf-8")
    bad.write_text(src.replace("报案电话 {claims_phone}", "报案电话 {claim_phone}", 1), encoding="utf-8")
    res = guide.GuideResources(guide.default_guide_resources().font, bad, directory.shipped_path())
    out = tmp_path / "x.pdf"
    with pytest.raises(BadInput, match="未知的占位符"):
        guide.write_guide(app_ctx.store().engine, admin, _match(app_ctx, car.plate), app_ctx.settings(), out,
                          "single", "a4", res, AT)
    assert not out.exists() and not list(tmp_path.glob(".*.part"))


def test_printing_draws_the_same_guide_as_the_pdf(app_ctx, admin, car, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    from desktop.printing.fonts import ensure_gui_app
    from desktop.printing.guide import print_guide

    ensure_gui_app()  # a QPrinter needs the application object first
    data = guide.prepare_guide(app_ctx.store().engine, admin, _match(app_ctx, car.plate), "disaster",
                               app_ctx.settings(), printed_at=AT)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    pages = print_guide(data, printer, "a5", font_path=guide.default_guide_resources().font)
    del printer
    with pdfplumber.open(tmp_path / "printed.pdf") as pdf:
        assert len(pdf.pages) == pages
        assert (round(pdf.pages[0].width), round(pdf.pages[0].height)) == SIZES["a5"]
        text = _text(pdf)
    assert car.plate in text and "不要再次启动发动机" in text and "95511（待核实）" in text


@pytest.mark.parametrize("accident", ACCIDENTS)
@pytest.mark.parametrize("paper", ["a4", "a5"])
def test_no_page_ends_on_a_heading(app_ctx, admin, tmp_path, accident, paper):
    """A section heading followed by an insurer or policy sub-heading went over with that sub-heading
    only if the two fitted, but the sub-heading then kept with its own first line and moved: the
    section heading (四、保险公司电话) was left alone at the foot of the page."""
    car = add_car(app_ctx.store().engine, admin, seed=43, insurer="示例财产保险", bi=False)
    out, _ = _write(app_ctx, admin, car, tmp_path, accident, paper)
    with pdfplumber.open(out) as pdf:
        for page in pdf.pages[:-1]:
            body = [t for t, _ in _lines(page) if not re.fullmatch(r"第\d+页/共\d+页", t)]
            assert not re.match(r"[一二三四五六七八九十]、", body[-1]), (paper, accident, body[-3:])
            assert not body[-1].endswith(("（交强险）", "（商业险）")), (paper, accident, body[-3:])
