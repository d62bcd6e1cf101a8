"""The real `renewdesk` console script: `import` (DESIGN §7 JSON contract, exit codes, --dry-run,
--report, --map) and `export` (real .xlsx with date cells, frozen header, filter, masking)."""
from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from desktop.io.rows import MSG_NO_VEHICLE
from tests.unit.test_importer import HEADERS, Messy, _save

RENEWDESK = Path(sys.executable).with_name("renewdesk")
AT = "2026-12-01T10:00:00+08:00"
STAFF_PASSWORD = "cli-admin-pass-1"
REPORT_KEYS = {"file", "sheet", "header_row", "columns", "rows", "imported", "updated", "duplicates", "rejected",
               "warnings"}


def _env(data_dir: Path, password: str = STAFF_PASSWORD) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENEWDESK_")}
    env.update(RENEWDESK_DATA_DIR=str(data_dir), RENEWDESK_PASSPHRASE="cli-passphrase-1",
               RENEWDESK_STAFF_PASSWORD=password, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


def run(data_dir: Path, *args: str, password: str = STAFF_PASSWORD) -> subprocess.CompletedProcess:
    return subprocess.run([str(RENEWDESK), *args], env=_env(data_dir, password), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


def run_json(data_dir: Path, *args: str) -> dict:
    p = run(data_dir, *args, "--json")
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


@pytest.fixture
def store(tmp_path) -> Path:
    d = tmp_path / "data"
    p = run(d, "init", "--org", "示例汽车销售服务有限公司")
    assert p.returncode == 0, p.stderr
    return d


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, str]:
    """A demo store and the clerk's password that `demo` prints."""
    d = tmp_path_factory.mktemp("demo") / "data"
    p = run(d, "demo", "--vehicles", "200", "--seed", "3", "--at", AT)
    assert p.returncode == 0, p.stderr
    clerk = re.search(r"clerk[^：:]*[：:]\s*(\S+)", p.stdout)
    assert clerk, p.stdout
    return d, clerk.group(1)


def test_import_json_contract_and_exit_0_with_rejected_rows(tmp_path, store):
    m = Messy(61)
    f = m.write(tmp_path / "insurer.xlsx")
    p = run(store, "import", str(f), "--json", "--at", AT)
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)  # stdout holds only the JSON
    assert set(j) == REPORT_KEYS
    assert (j["file"], j["sheet"], j["header_row"]) == (str(f), "续保清单", 3)
    assert j["columns"]["车牌号"] == "plate" and j["columns"]["保险止期"] == "end"
    assert (j["rows"], j["imported"], j["updated"], j["duplicates"]) == (11, 6, 0, 1)
    assert all(set(r) == {"row", "column", "value", "reason"} for r in j["rejected"])
    assert all(set(w) == {"row", "column", "message"} for w in j["warnings"])
    assert [r["row"] for r in j["rejected"]] == [8, 12, 13, 14]
    assert [w["row"] for w in j["warnings"]] == [9, 10, 11]
    assert m.id_c not in p.stdout and m.bad_mobile not in p.stdout

    hit = run_json(store, "lookup", m.plate_a, "--at", AT)["matches"]
    assert len(hit) == 1 and hit[0]["ci_end_date"] == "2026-12-31" and hit[0]["source"].startswith("import:")
    again = run_json(store, "import", str(f), "--at", AT)
    assert (again["imported"], again["updated"], again["duplicates"]) == (0, 0, 7)


def test_dry_run_prints_the_same_and_stores_nothing(tmp_path, store):
    m = Messy(62)
    f = m.write(tmp_path / "insurer.xlsx")

    def files() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(store.iterdir()) if p.is_file()}

    before = files()
    dry = run_json(store, "import", str(f), "--dry-run", "--at", AT)
    assert files() == before  # not one byte: no rows, no audit entry, not even the staff log-in
    assert run_json(store, "lookup", m.plate_a, "--at", AT) == {"matches": []}
    real = run_json(store, "import", str(f), "--at", AT)
    assert dry == real


@pytest.mark.parametrize("name,content", [
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 100),
    ("notes.xlsx", "这不是表格".encode()),
    ("empty.xlsx", b""),
    ("missing.xlsx", None),
])
def test_unreadable_file_exit_2_one_line(tmp_path, store, name, content):
    f = tmp_path / name
    if content is not None:
        f.write_bytes(content)
    p = run(store, "import", str(f), "--json")
    assert p.returncode == 2
    assert p.stdout == ""
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in p.stderr
    assert re.search(r"[\u4e00-\u9fff]", lines[0])


def test_report_lists_rejected_rows_in_source_columns(tmp_path, store):
    m = Messy(63)
    f = m.write(tmp_path / "insurer.xlsx")
    out = tmp_path / "rejects.xlsx"
    j = run_json(store, "import", str(f), "--report", str(out), "--at", AT)
    ws = openpyxl.load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == [*HEADERS, "原行号", "错误原因"]
    assert [r[-2] for r in rows[1:]] == [r["row"] for r in j["rejected"]] == [8, 12, 13, 14]
    assert rows[3][1] is None and rows[3][3] == m.name_h and rows[3][-1] == MSG_NO_VEHICLE
    assert ws.freeze_panes == "A2"


def test_map_override_and_remembered_mapping(tmp_path, store):
    fk = FakeData(64)
    head = ["牌照", "被保险人", "险种", "保险止期"]
    plates = [fk.plate("ordinary") for _ in range(2)]
    a = _save([head, [plates[0], fk.name(), "交强险", date(2026, 12, 31)]], tmp_path / "a.xlsx")
    b = _save([head, [plates[1], fk.name(), "交强险", date(2027, 1, 31)]], tmp_path / "b.xlsx")
    bad = run(store, "import", str(a), "--map", "牌照=no_such_field")
    assert bad.returncode == 2 and "no_such_field" in bad.stderr
    j = run_json(store, "import", str(a), "--map", "牌照=plate", "--at", AT)
    assert j["columns"]["牌照"] == "plate" and (j["imported"], j["rejected"]) == (1, [])
    k = run_json(store, "import", str(b), "--at", AT)  # same header signature: the mapping is remembered
    assert k["columns"]["牌照"] == "plate" and (k["imported"], k["rejected"]) == (1, [])
    assert run_json(store, "lookup", plates[1], "--at", AT)["matches"][0]["ci_end_date"] == "2027-01-31"


def test_per_vehicle_flat_header(tmp_path, store):
    fk = FakeData(65)
    plate = fk.plate("ne_small")
    f = _save([["车牌号", "车架号", "车主", "联系电话", "交强险止期", "商业险止期"],
               [plate, fk.vin(), fk.name(), fk.mobile(), "2026-12-20", "2027-03-01"]], tmp_path / "v.xlsx")
    j = run_json(store, "import", str(f), "--at", AT)
    assert j["columns"]["交强险止期"] == "ci_end" and j["columns"]["商业险止期"] == "bi_end"
    hit = run_json(store, "lookup", plate, "--at", AT)["matches"][0]
    assert (hit["status"], hit["ci_end_date"], hit["bi_end_date"]) == ("DUE", "2026-12-20", "2027-03-01")


def _sheet(path: Path):
    ws = openpyxl.load_workbook(path).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return ws, rows[0], rows[1:]


@pytest.mark.parametrize("what", ["due", "status"])
def test_export_xlsx_dates_frozen_filter_masked(tmp_path, demo, what):
    data, _ = demo
    full = tmp_path / "full.xlsx"
    p = run(data, "export", "status", "--full", "--xlsx", str(full), "--at", AT)
    assert p.returncode == 0, p.stderr
    _, head, full_rows = _sheet(full)
    phones = {r[head.index("联系电话")] for r in full_rows} - {None}
    assert phones and all(re.fullmatch(r"\d{11}|0\d+.*", x) for x in phones)

    out = tmp_path / f"{what}.xlsx"
    p = run(data, "export", what, "--within", "30", "--xlsx", str(out), "--at", AT)
    assert p.returncode == 0, p.stderr
    ws, head, rows = _sheet(out)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == f"A1:O{len(rows) + 1}"
    assert rows and head[0] == "车牌号"
    ends = [r[head.index("交强险止期")] for r in rows if r[head.index("交强险止期")] is not None]
    assert ends and all(isinstance(v, datetime | date) for v in ends)
    if what == "due":
        assert all(0 <= r[head.index("剩余天数")] <= 30 for r in rows)
        assert all(date(2026, 12, 1) <= v.date() <= date(2026, 12, 31) for v in ends)
    else:
        assert len(rows) == len(full_rows) == 200
        assert "--within 只用于到期名单" in p.stderr  # the window it does not apply is said, not dropped
    cells = {str(v) for r in rows for v in r if v is not None}
    assert not any(ph in c for ph in phones for c in cells)
    assert all("*" in r[head.index("联系电话")] for r in rows if r[head.index("联系电话")])


def test_export_full_as_clerk_is_refused(tmp_path, demo):
    data, clerk_password = demo
    out = tmp_path / "full.xlsx"
    p = run(data, "--as", "clerk", "export", "status", "--full", "--xlsx", str(out), "--at", AT,
            password=clerk_password)
    assert p.returncode == 4, p.stderr
    assert not out.exists() and "Traceback" not in p.stderr


def test_reader_warnings_never_reach_stdout_of_import_json(store, tmp_path):
    """xlrd prints "WARNING *** file size … not 512 + multiple of sector size" to stdout for a
    slightly truncated/padded .xls (common in DMS exports): `import --json` must stay pure JSON."""
    import xlwt  # a test dependency: writes a real BIFF .xls
    wb = xlwt.Workbook()
    ws = wb.add_sheet("数据")
    f = FakeData(seed=7)
    for c, h in enumerate(["车牌号码", "车架号", "被保险人", "联系电话", "险种", "保单号", "保险起期", "保险止期"]):
        ws.write(0, c, h)
    for c, v in enumerate([f.plate(), f.vin(), "测试", f.mobile(), "交强险", "P-1", "2026-01-01", "2026-12-31"]):
        ws.write(1, c, v)
    xls = tmp_path / "dms.xls"
    wb.save(str(xls))
    with xls.open("ab") as fh:
        fh.write(b"\0" * 7)  # no longer a multiple of the 512-byte sector: xlrd warns
    p = run(store, "import", str(xls), "--dry-run", "--json")
    assert p.returncode == 0, p.stderr
    assert "WARNING" not in p.stdout
    j = json.loads(p.stdout)
    assert (j["rows"], j["imported"], j["rejected"]) == (1, 1, [])


def test_a_phone_or_id_in_another_column_is_masked_in_the_json(tmp_path, store):
    """Shifted columns (an Excel trap): a mobile or an ID number in the end-date or plate column was
    printed in full in the rejected row's value and reason, though DESIGN §7 says the value is
    masked and §4 masks personal data by one rule everywhere."""
    f = FakeData(71)
    mobile, other, id_no = f.mobile(), f.mobile(), f.id_number()
    path = _save([HEADERS,
                  [1, f.plate("ordinary"), "", f.name(), "", "", "交强险", "P1", "2026-01-01", mobile, "示例财险"],
                  [2, f.plate("ordinary"), "", f.name(), "", "", "交强险", "P2", "2026-01-01", id_no, "示例财险"],
                  [3, other, "", f.name(), "", "", "交强险", "P3", "2026-01-01", "2026-12-31", "示例财险"]],
                 tmp_path / "shifted.xlsx")
    p = run(store, "import", str(path), "--dry-run", "--json", "--at", AT)
    assert p.returncode == 0, p.stderr
    j = json.loads(p.stdout)
    assert [r["row"] for r in j["rejected"]] == [2, 3, 4]
    for full in (mobile, other, id_no):
        assert full not in p.stdout
    assert mobile[:3] + "****" + mobile[-4:] in p.stdout and id_no[:6] + "********" + id_no[-4:] in p.stdout
    text = run(store, "import", str(path), "--dry-run", "--at", AT)
    assert text.returncode == 0 and not any(full in text.stdout for full in (mobile, other, id_no))
