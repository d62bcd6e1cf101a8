"""SIGKILL an importing `renewdesk import` at several points: the store still opens, the batch is
all or nothing (its vehicles, its import_batch row and its audit entry together), the audit chain
verifies, a re-run completes and a third run adds nothing (DESIGN §7, one atomic batch)."""
from __future__ import annotations

import json
import subprocess
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from desktop.app import AppContext
from desktop.core.fakes import FakeData
from desktop.store.keyring_port import NoKeyring
from desktop.store.store import DB_FILE
from tests.integration.test_import_cli import RENEWDESK, _env, run, run_json

ROWS = 30_000
AT = "2026-12-01T10:00:00+08:00"
PASSPHRASE = "cli-passphrase-1"  # what test_import_cli._env sets


def _generate(path: Path) -> tuple[int, str]:
    """A per-vehicle DMS export, one row per vehicle; returns (distinct VINs, one plate)."""
    f = FakeData(77)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("在保客户")
    ws.append(["车牌号", "车架号", "车主", "手机号", "交强险止期", "商业险止期"])
    vins, first = set(), None
    for i in range(ROWS):
        plate, vin = f.plate(), f.vin()
        vins.add(vin)
        first = first or plate
        end = date.fromordinal(date(2026, 6, 1).toordinal() + i % 365)
        ci, bi = WriteOnlyCell(ws, end), WriteOnlyCell(ws, end)
        ci.number_format = bi.number_format = "yyyy-mm-dd"
        ws.append([plate, vin, f.name(), f.mobile(), ci, bi])
    wb.save(str(path))
    return len(vins), first


def _state(data: Path) -> tuple[int, int, int]:
    """(vehicles, import batches, audit entries about imports), read with a fresh connection."""
    ctx = AppContext(data, keyring=NoKeyring(), passphrase=lambda: PASSPHRASE)
    try:
        with ctx.store().engine.connect() as conn:
            got = tuple(conn.exec_driver_sql(q).scalar() for q in (
                "SELECT count(*) FROM vehicle", "SELECT count(*) FROM import_batch",
                "SELECT count(*) FROM audit WHERE action = 'import'"))
            conn.rollback()
    finally:
        ctx.close()
    return got


def _wal_size(wal: Path) -> int:
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


def _kill_during_import(data: Path, file: Path, delay: float, after_open: bool) -> str:
    """Start an import and SIGKILL it ``delay`` s after it starts (``after_open``: after its first
    write to the WAL, the login's audit entry, i.e. with the store open and the rows under way), or
    as soon as the WAL has grown by 1 MiB (the batch's pages being written at commit). Returns
    where it was killed, or "finished"."""
    wal = data / (DB_FILE + "-wal")
    base = _wal_size(wal)
    proc = subprocess.Popen([str(RENEWDESK), "import", str(file), "--json", "--at", AT], env=_env(data),
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t0 = None if after_open else time.monotonic()
    try:
        while proc.poll() is None:
            size = _wal_size(wal)
            if t0 is None and size > base:
                t0 = time.monotonic()
            where = ("commit" if size > base + (1 << 20) else
                     "timer" if t0 is not None and time.monotonic() - t0 >= delay else None)
            if where:
                proc.kill()
                proc.wait()
                return where
            time.sleep(0.002)
        return "finished"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("kill")
    data = tmp / "data"
    assert run(data, "init").returncode == 0
    file = tmp / "dms_30000.xlsx"
    vehicles, plate = _generate(file)
    return data, file, vehicles, plate


def test_killed_import_is_all_or_nothing(setup):
    data, file, vehicles, plate = setup
    v0, b0, a0 = _state(data)
    assert (v0, b0) == (0, 0)
    points = [(0.3, False), (0.5, True), (2.0, True), (float("inf"), True)]  # the last: during the commit
    seen = []
    for delay, after_open in points:
        seen.append(_kill_during_import(data, file, delay, after_open))
        # A fresh process opens the store and reads it.
        hit = run(data, "lookup", plate, "--json", "--at", AT)
        assert hit.returncode == 0, hit.stderr
        found = json.loads(hit.stdout)["matches"]
        assert run(data, "audit", "verify").returncode == 0
        v, b, a = _state(data)
        done = b > b0
        # Everything of the batch or nothing of it: vehicles, batch row and audit entry together.
        assert (v, b, a) == ((v0 + vehicles, b0 + 1, a0 + 1) if done else (v0, b0, a0)), seen
        assert bool(found) == done
        if done:
            break  # it finished (or committed just before the kill): the rest adds nothing
    print("kill points:", seen)

    second = run_json(data, "import", str(file), "--at", AT)
    v, b, _ = _state(data)
    assert v == vehicles and second["rows"] == ROWS and second["rejected"] == []
    third = run_json(data, "import", str(file), "--at", AT)
    assert (third["imported"], third["updated"], third["duplicates"]) == (0, 0, ROWS)
    assert _state(data)[0] == vehicles
    assert run(data, "audit", "verify").returncode == 0
