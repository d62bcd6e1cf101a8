"""The card's print button: a slip built from the match, print preview (desktop.printing)."""
from __future__ import annotations

from desktop.store import audit
from desktop.ui import printing_hook
from tests.ui.conftest import open_first, type_query


def test_print_button_opens_preview_with_the_slip(window, by_status, qtbot, monkeypatch):
    m = by_status["LAPSED"][0]
    type_query(qtbot, window, m.plate)
    open_first(qtbot, window)
    seen = []

    def fake_preview(parent, slip, paper, printer, on_choice=None):  # the clerk presses 打印 in the preview
        seen.append((slip, paper))
        return True

    monkeypatch.setattr(printing_hook, "preview", fake_preview)
    assert window.card.print_btn.isEnabled()
    window.card.print_btn.click()
    (slip, paper), = seen
    assert slip.plate == m.plate and slip.status == m.coverage and paper == "a4"
    engine = window.backend.engine
    qtbot.waitUntil(lambda: any(e.action == "slip_print" and e.target == m.plate for e in audit.recent(engine)))


def test_slip_renders_to_pdf(by_status, backend, tmp_path, ui_env):
    m = by_status["DUE"][0]
    slip = printing_hook.slip_for(m, backend.settings, backend.now())
    out = tmp_path / "slip.pdf"
    printing_hook.write_pdf(slip, out)
    assert out.read_bytes().startswith(b"%PDF")
