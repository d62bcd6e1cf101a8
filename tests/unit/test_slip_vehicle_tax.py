"""车船税 beside 交强险 on the status slip (issue 13 item 5): collected together, so the slip that
says when the 交强险 ends also says the tax paid with it. Real store, real PDF, every paper."""
from __future__ import annotations

import pdfplumber
import pytest

from tests.conftest import AT
from tests.unit.card_fixtures import add_car

DUE = (("2025-12-20T00:00:00+08:00", "2026-12-20T00:00:00+08:00", "950", "360", "PDZA000000000009"),)


@pytest.mark.parametrize("paper", ["a4", "a5", "80mm", "58mm"])
def test_slip_prints_the_vehicle_tax(app_ctx, tmp_path, monkeypatch, capsys, paper):
    from desktop import cli
    from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

    _, plate = add_car(app_ctx.store().engine, registered="2020-12-10", terms=DUE)
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PASSWORD)
    out = tmp_path / f"slip_{paper}.pdf"
    assert cli.main(["--data-dir", str(app_ctx.data_dir), "slip", plate, "--pdf", str(out), "--paper", paper,
                     "--at", AT.isoformat()]) == 0
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert "车船税360元" in text and "随交强险一并缴纳" in text


def test_no_tax_line_when_unknown(app_ctx, tmp_path, monkeypatch):
    from desktop import cli
    from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

    _, plate = add_car(app_ctx.store().engine, registered=None,
                       terms=((DUE[0][0], DUE[0][1], "950", None, "PDZA000000000010"),))
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PASSWORD)
    out = tmp_path / "slip.pdf"
    assert cli.main(["--data-dir", str(app_ctx.data_dir), "slip", plate, "--pdf", str(out), "--at", AT.isoformat()]) == 0
    with pdfplumber.open(out) as pdf:
        assert "车船税" not in pdf.pages[0].extract_text()


@pytest.mark.parametrize(("stored", "shown"), [("360.0", "车船税360元"), ("420.00", "车船税420元"),
                                              ("480.5", "车船税480.50元")])
def test_tax_from_an_excel_number_prints_as_yuan(app_ctx, tmp_path, monkeypatch, stored, shown):
    # An imported 车船税 cell is a number: stored as "360.0", it printed "车船税 360.0 元".
    from desktop import cli
    from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

    _, plate = add_car(app_ctx.store().engine, registered=None,
                       terms=((DUE[0][0], DUE[0][1], "950", stored, "PDZA000000000011"),))
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PASSWORD)
    out = tmp_path / "slip.pdf"
    assert cli.main(["--data-dir", str(app_ctx.data_dir), "slip", plate, "--pdf", str(out), "--at", AT.isoformat()]) == 0
    with pdfplumber.open(out) as pdf:
        text = pdf.pages[0].extract_text().replace(" ", "").replace("\n", "")
    assert shown in text
