"""The log folder never holds personal data, keys, passwords or query text (issue 15 item 5).

A failing import and a failing lookup are driven through the real console script with a full ID
number, phone and name in play; every file under <data dir>/logs is then read whole.
"""
from __future__ import annotations

import logging
import re

import openpyxl
import pytest
from sqlalchemy import text

from desktop import logs
from desktop.core.fakes import FakeData
from desktop.core.masking import mask_id, mask_phone
from tests.conftest import ADMIN_PASSWORD, PASSPHRASE
from tests.integration.test_cli import run

ID = "11010519491231002X"  # the published test vector
fake = FakeData(915)
PHONE = fake.mobile()
NAME = fake.name()
OTHER_ID = fake.id_number()


def _all_log_text(data_dir) -> str:
    files = [p for p in (data_dir / "logs").rglob("*") if p.is_file()]
    assert files, "nothing was logged at all"
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def _assert_clean(blob: str) -> None:
    for secret in (ID, ID.lower(), OTHER_ID, PHONE, NAME, PASSPHRASE, ADMIN_PASSWORD, "clerk-pass-1"):
        assert secret not in blob, f"{secret[:3]}… found in the logs"
    assert not re.search(r"\b[0-9a-f]{64}\b", blob), "a raw key in the logs"


def _xlsx(path, rows) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "车主", "联系电话", "身份证号", "交强险止期"])
    for r in rows:
        ws.append(r)
    wb.save(path)


@pytest.fixture
def broken_store(app_ctx):
    """A real store whose customer and search tables are gone: every lookup and import fails deep in
    the database layer, where the driver's error carries the statement's parameters."""
    engine = app_ctx.store().engine
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE search_key"))
        conn.execute(text("DROP TABLE customer"))
    data = app_ctx.data_dir
    app_ctx.close()
    return data


def test_failing_import_and_lookup_leave_no_personal_data_in_the_logs(broken_store, tmp_path):
    env = dict(RENEWDESK_PASSPHRASE=PASSPHRASE, RENEWDESK_STAFF_PASSWORD=ADMIN_PASSWORD)
    book = tmp_path / f"客户-{NAME}-{ID}-{PHONE}.xlsx"
    _xlsx(book, [["京A12345", NAME, PHONE, ID, "2026-12-31"], ["京B54321", NAME, PHONE, OTHER_ID, "2027-01-31"]])

    p = run("import", str(book), data=broken_store, **env)
    assert p.returncode != 0 and "Traceback" not in p.stderr
    for q in (ID, PHONE, NAME, ID[-4:]):
        p = run("lookup", q, data=broken_store, **env)
        assert p.returncode != 0 and "Traceback" not in p.stderr and ID not in p.stderr
    # Refusals too: a clerk may not import; a wrong password for a lookup.
    assert run("import", str(book), "--as", "clerk", data=broken_store, RENEWDESK_PASSPHRASE=PASSPHRASE,
               RENEWDESK_STAFF_PASSWORD="clerk-pass-1").returncode == 4
    assert run("lookup", ID, data=broken_store, RENEWDESK_PASSPHRASE=PASSPHRASE,
               RENEWDESK_STAFF_PASSWORD="wrong-" + PHONE).returncode == 4

    blob = _all_log_text(broken_store)
    assert "command import failed" in blob and "command lookup failed" in blob   # the failures were logged
    assert "Traceback" in blob and "OperationalError" in blob                    # with their tracebacks
    _assert_clean(blob)


def test_the_filter_masks_what_any_logger_is_given(tmp_path):
    where = logs.configure(tmp_path)
    try:
        lg = logging.getLogger("desktop.some.module")
        lg.warning("customer id=%s phone %s", ID, "+86 " + PHONE)
        lg.warning("owner=%s 车主：%s landline 020-87654321", NAME, NAME)
        lg.warning("unlock with password=%s key x'%s' raw %s", ADMIN_PASSWORD, "ab" * 32, "cd" * 32)
        lg.warning("query=%s", NAME)
        try:
            raise RuntimeError(f"insert failed [SQL: INSERT INTO customer VALUES (?, ?)] "
                               f"[parameters: ('{NAME}', '{OTHER_ID}')] for {ID}")
        except RuntimeError:
            lg.exception("while importing")
    finally:
        logs.shutdown()
    blob = where.read_text(encoding="utf-8")
    _assert_clean(blob)
    assert mask_id(ID) in blob and mask_phone(PHONE) in blob and NAME[0] + "*" in blob
    assert "87654321" not in blob and "(removed)" in blob and "RuntimeError" in blob


def test_logs_rotate(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    where = logs.configure(tmp_path)
    try:
        for i in range(200):
            logging.getLogger("desktop.x").warning("line %d %s", i, "x" * 40)
    finally:
        logs.shutdown()
    names = sorted(p.name for p in where.parent.iterdir())
    assert "renewdesk.log" in names and "renewdesk.log.1" in names
    assert len(names) <= logs.BACKUPS + 1
