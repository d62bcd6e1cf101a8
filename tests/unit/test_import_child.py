"""A large sheet is read by a child process (desktop.io.parse_process): the import must come out
exactly as when this process reads it — same counts, same rejections and messages, same refusals
of bad files, the remembered mapping applied, nothing stored on cancel — and no child left behind.

Each test lowers the size threshold to 0 so these small workbooks go through the child too."""
from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from desktop.io import parse_process
from desktop.io.table_reader import MSG_CORRUPT, MSG_EMPTY, MSG_PASSWORD
from desktop.services import import_source
from desktop.services.errors import BadInput
from desktop.services.importer import prepare_import
from tests.unit import test_importer as imp
from tests.unit.test_io_reader import _cfb_encrypted


@pytest.fixture
def in_child(monkeypatch):
    """Every file goes to the child reader; the list collects each child started."""
    monkeypatch.setattr(parse_process, "CHILD_MIN_BYTES", 0)
    started: list[parse_process.SheetInChild] = []
    real = parse_process.SheetInChild.__init__

    def spy(self, *a, **kw):
        started.append(self)
        real(self, *a, **kw)

    monkeypatch.setattr(parse_process.SheetInChild, "__init__", spy)
    yield started
    assert multiprocessing.active_children() == []  # every child reader was stopped or finished


def test_messy_export_row_by_row_through_the_child(tmp_path, app_ctx, admin, in_child):
    imp.test_messy_per_term_export_row_by_row(tmp_path, app_ctx, admin)
    assert len(in_child) == 2  # the import and the import again, both read by a child


def test_the_child_reads_what_this_process_reads(tmp_path, in_child):
    p = imp.Messy(7).write(tmp_path / "insurer.xlsx")
    here = import_source.open_source(p, child_min_bytes=1 << 62)
    expected = list(import_source.records(here))
    here.close()
    seen: list[int] = []
    got = prepare_import(p, progress=seen.append)
    assert len(in_child) == 1
    # The whole head: file, sheet, header row, mapping, each column's header and the signature.
    assert got.records == expected and got.head == here.head and got.head.sheet and got.head.columns


@pytest.mark.parametrize("name,make,message", [
    ("locked.xlsx", _cfb_encrypted, MSG_PASSWORD),
    ("broken.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), MSG_CORRUPT),
    ("empty.xlsx", lambda p: p.write_bytes(b""), MSG_EMPTY),
    ("summary.xlsx", imp._no_header, "没有找到表头"),
])
def test_bad_files_are_refused_with_the_same_message(tmp_path, app_ctx, admin, in_child, name, make, message):
    imp.test_bad_files_store_nothing(tmp_path, app_ctx, admin, name, make, message)
    assert in_child


def test_remembered_mapping_reaches_the_child(tmp_path, app_ctx, admin, in_child):
    imp.test_map_override_is_remembered_for_the_same_header(tmp_path, app_ctx, admin)
    assert len(in_child) == 3


def test_cancel_stops_the_child_and_stores_nothing(tmp_path, app_ctx, admin, in_child):
    imp.test_cancel_midway_stores_nothing(tmp_path, app_ctx, admin)
    assert len(in_child) == 2


def test_a_child_that_dies_is_a_clear_refusal(tmp_path, in_child):
    p = imp.Messy(8).write(tmp_path / "insurer.xlsx")

    def remembered(_signature):  # called while the child waits for the mapping: kill it then
        in_child[0]._proc.kill()  # what the system's out-of-memory killer would do
        in_child[0]._proc.join()

    with pytest.raises(BadInput) as e:
        source = import_source.open_source(Path(p), remembered=remembered)
        try:
            list(import_source.records(source))
        finally:
            source.close()
    assert e.value.message == parse_process.MSG_CHILD_DIED and "重新导入" in e.value.message


def test_search_keys_made_by_the_child_are_the_stored_rows_keys(tmp_path, app_ctx, admin, in_child):
    """The child reader makes each row's search keys; what is stored must be exactly the keys the
    stored vehicles and owners give (desktop.store.search_index derives them the same way), also
    for a car whose owner the second file changes (its row's own keys no longer apply)."""
    from desktop.store import search_index

    m = imp.Messy(9)
    first = m.write(tmp_path / "insurer.xlsx")
    imp._imp(app_ctx, admin, first)
    rows = m.rows()
    for r in rows[3:6]:  # the first car's rows: its owner (same ID number) now has another name
        r[3] = "另一位车主"
    second = imp._save(rows, tmp_path / "again.xlsx")
    rep = imp._imp(app_ctx, admin, second)
    assert rep.updated + rep.imported >= 1 and len(in_child) == 2
    raw = app_ctx.store().engine.raw_connection()
    try:
        db = raw.driver_connection
        stored = set(db.execute("SELECT key, CAST(vehicle_id AS BLOB) FROM search_key").fetchall())
        vids = [r[0] for r in db.execute("SELECT id FROM vehicle WHERE deleted = 0")]
        derived = set(search_index.stored_keys(db, vids, live_only=True))
    finally:
        raw.close()
    assert stored and stored == derived
    assert any(k.endswith("另一位车主") for k, _ in stored)


def _cli_import(app_ctx, path, capsys, monkeypatch) -> dict:
    import json

    from desktop import cli
    from tests.conftest import ADMIN_PASSWORD, PASSPHRASE

    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PASSWORD)
    rc = cli.main(["--data-dir", str(app_ctx.data_dir), "import", str(path), "--dry-run", "--json", "--as", "admin",
                   "--at", "2026-12-01T10:00:00+08:00"])
    out = capsys.readouterr().out
    assert rc == 0, out
    return json.loads(out)


@pytest.mark.parametrize("cores", [1, 2])
def test_the_command_line_reads_in_a_child_only_with_a_second_core(tmp_path, app_ctx, admin, in_child, monkeypatch,
                                                                    capsys, cores):
    """`renewdesk import` has a large sheet parsed by a child while it writes when the machine has a
    second core (the batch then takes about as long as its writes), in its own process on one core;
    the report is the same either way, and the same as the window's reading gives."""
    from desktop.services import importer

    monkeypatch.setattr(importer.os, "cpu_count", lambda: cores)
    p = imp.Messy(10).write(tmp_path / "insurer.xlsx")
    got = _cli_import(app_ctx, p, capsys, monkeypatch)
    assert len(in_child) == (1 if cores == 2 else 0)
    here = imp._imp(app_ctx, admin, p, dry_run=True, in_process=True)
    assert got["rows"] > 0 and got == json_of(here)


def json_of(report) -> dict:
    import json

    return json.loads(json.dumps(report.to_json(), ensure_ascii=False))


def test_the_child_reader_prints_nothing_on_stdout(tmp_path):
    """`import --json` keeps stdout for the JSON: what a reader library prints in the child, from
    Python or from native code, goes to stderr."""
    import subprocess
    import sys

    code = ("import os; from desktop.io import parse_process as p; p._stdout_to_stderr(); "
            "print('from python'); os.write(1, b'from native')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.stdout == ""
    assert "from python" in done.stderr and "from native" in done.stderr
