"""A batch of letters is drawn by a child process (spawn), so the window keeps its GIL: the PDF is
the same letters, progress arrives, a cancel leaves no file, a bad template says so in Chinese."""
from __future__ import annotations

import pdfplumber
import pytest

from desktop.core.masking import mask_plate
from desktop.printing import letters_process
from desktop.services import documents
from desktop.services import letters as letters_svc
from desktop.services import settings as settings_svc
from tests.conftest import AT


@pytest.fixture
def batch(demo_ctx, monkeypatch):
    monkeypatch.setattr(letters_process, "CHILD_MIN_LETTERS", 1)  # the demo's few letters go to the child too
    monkeypatch.setattr(letters_process, "PROGRESS_EVERY", 2)
    e = demo_ctx.store().engine
    s = settings_svc.load(e)
    sel = letters_svc.select(e, 30, False, "address", AT, s.lead_days)
    assert len(sel.letters) >= 4
    return sel, s


def test_a_child_process_draws_the_batch(batch, tmp_path):
    sel, s = batch
    seen: list[tuple[int, int]] = []
    out = tmp_path / "letters.pdf"
    pages = documents.render_letters(sel, s, out, AT, documents.default_resources(), lambda d, t: seen.append((d, t)))
    assert pages == len(sel.letters)  # one page a letter
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == pages
        first = pdf.pages[0].extract_text()
    assert mask_plate(sel.letters[0].bundle.vehicle.plate) in first  # the first letter, its plate masked
    assert seen and seen[-1][1] == len(sel.letters)
    assert [p.name for p in out.parent.glob("letters*")] == ["letters.pdf"]  # no part file left


def test_a_cancelled_batch_leaves_no_file(batch, tmp_path):
    sel, s = batch
    outdir = tmp_path / "out"
    outdir.mkdir()
    out = outdir / "letters.pdf"
    assert documents.render_letters(sel, s, out, AT, documents.default_resources(), cancel=lambda: True) is None
    assert list(outdir.iterdir()) == []  # neither the PDF nor a part of it


def test_the_child_s_failure_is_a_chinese_message(batch, tmp_path):
    sel, s = batch
    res = documents.default_resources()
    bad = tmp_path / "bad_font.ttc"
    bad.write_bytes(b"not a font")
    with pytest.raises(letters_process.PrintError) as e:
        documents.render_letters(sel, s, tmp_path / "x.pdf", AT, documents.Resources(bad, res.letter_template))
    assert "字体" in str(e.value)  # what is wrong, in Chinese (the font file cannot be read)
    assert not (tmp_path / "x.pdf").exists()


def test_an_empty_selection_is_one_page_saying_so(demo_ctx, tmp_path):
    # A blank page and "pages": 0 disagreed; the page now says there is nothing to mail, and why.
    s = settings_svc.load(demo_ctx.store().engine)
    sel = letters_svc.Selection([], [letters_svc.Skipped("京A***45", "no_consent")], 30, True)
    out = tmp_path / "none.pdf"
    assert documents.render_letters(sel, s, out, AT, documents.default_resources()) == 1
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        text = "".join(pdf.pages[0].extract_text().split())
    for part in ("没有需要寄出的提醒信", "30天内到期，以及脱保3年内", "有1辆车不寄信", "生成时间"):
        assert part in text, part
