"""run_import end to end (DESIGN §7, §3 date rules, domain-rules §5 Excel traps): messy insurer and
DMS workbooks built in tmp_path, the report asserted row by row, the store checked afterwards."""
from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from desktop import cli
from desktop.core.fakes import FakeData
from desktop.core.masking import mask_id, mask_phone
from desktop.core.timeutil import DateParseError, parse_end
from desktop.io.rows import MSG_ID_NUMBER_CELL, MSG_NO_VEHICLE
from desktop.io.table_reader import MSG_CORRUPT, MSG_EMPTY, MSG_NOT_SHEET, MSG_PASSWORD
from desktop.services import lookup as lookup_svc
from desktop.services.errors import BadInput
from desktop.services.importer import Cancelled, parse_map, remembered_mapping, run_import
from desktop.store.store import DB_FILE
from tests.conftest import ADMIN_PASSWORD, AT, PASSPHRASE
from tests.unit.test_io_reader import _cfb_encrypted

# Every test here runs through both .xlsx readers (see tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("reader")

HEADERS = ["序号", "车牌号", "车架号", "被保险人", "证件号码", "联系电话", "险种", "保单号", "保险起期", "保险止期",
           "保险公司"]
LANDLINE_WARNING = "座机号码，无法发短信"


def _fw(s: str) -> str:
    """Full-width form of the ASCII characters (what some DMS exports hold)."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


def _serial(d: date) -> int:
    return (d - date(1899, 12, 30)).days


def _bad_check(vin: str) -> str:
    return vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        n = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
        conn.rollback()
    return n


def _find(engine, query: str) -> list[dict]:
    return [m.to_json() for m in lookup_svc.find(engine, query, AT)]


def _imp(ctx, session, path, **kw):
    return run_import(ctx.store().engine, session, Path(path), at=AT, **kw)


def _save(ws_rows, path: Path, merges=(), title="续保清单") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in ws_rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


class Messy:
    """A per-term insurer export: title rows, every trap of domain-rules §5, trailing empty rows."""

    def __init__(self, seed: int = 5) -> None:
        f = FakeData(seed)
        self.f = f
        self.plate_a, self.vin_a, self.name_a, self.id_a, self.mob_a = (f.plate("ordinary"), f.vin(), f.name(),
                                                                        f.id_number(), f.mobile())
        self.plate_b, self.name_b, self.id_b = f.plate("ordinary"), f.name(), f.id_number((1940, 1990))
        self.id_b15 = self.id_b[:6] + self.id_b[8:17]
        self.plate_c, self.id_c = f.plate("ordinary"), f.id_number()
        # What Excel keeps of an 18-digit ID typed into a number cell: 15 significant digits.
        self.id_c_float = float(f"{int(self.id_c[:17] + '0'):.14e}")
        self.plate_d, self.landline = f.plate("ne_small"), f.landline()
        self.plate_e = "使" + f.mobile()[-6:]
        self.plate_f, self.vin_f = f.plate("ordinary"), _bad_check(f.vin(domestic=False))
        self.plate_g, self.bad_mobile = f.plate("ordinary"), "12" + f.mobile()[2:]
        self.name_h = f.name()

    def rows(self) -> list[list]:
        ins = "安泰财产保险"
        a = [self.plate_a, self.vin_a, self.name_a, self.id_a, int(self.mob_a)]
        return [
            ["2026年交强险续保清单"],
            ["导出时间：2026-11-30 09:00"],
            HEADERS,
            [1, *a, "交强险", "JQ-A-001", date(2026, 1, 1), date(2026, 12, 31), ins],            # 4 imported
            [2, *a, "商业险", "SY-A-001", date(2026, 1, 1), _serial(date(2026, 12, 31)), ins],   # 5 imported
            [3, *a, "交强险", "JQ-A-001", date(2026, 1, 1), date(2026, 12, 31), ins],            # 6 duplicate
            [4, _fw(self.plate_b), None, self.name_b, int(self.id_b15), "+86 " + self.f.mobile(), "交强",
             None, "2025/12/2", "2026/12/1", ins],                                               # 7 imported
            [5, self.plate_c, None, self.f.name(), self.id_c_float, self.f.mobile(), "交强险", None,
             None, "2026/12/1", ins],                                                            # 8 rejected
            [6, self.plate_d, None, self.f.name(), None, self.landline, "交强险", None, None,
             "2026年12月1日", ins],                                                              # 9 warning
            [7, self.plate_e, None, self.f.name(), None, None, "交强险", None, None,
             "2026-12-15 12:00:00", ins],                                                        # 10 warning
            [8, self.plate_f, self.vin_f, self.f.name(), None, None, "交强险", None, None,
             "2026-12-20", ins],                                                                 # 11 warning
            [9, self.plate_g, None, self.f.name(), None, self.bad_mobile, "交强险", None, None,
             "2026-12-20", ins],                                                                 # 12 rejected
            [10, None, None, self.name_h, None, None, "交强险", None, None, "2026-12-20", ins],  # 13 rejected
            [11, self.f.plate("ordinary"), None, None, None, None, "交强险", None, None, "2026-02-30", ins],  # 14
            [None, " ", None, "  "],
            [],
            [None, None, " "],
        ]

    def write(self, path: Path) -> Path:
        return _save(self.rows(), path, merges=["A1:K1"])


def _date_error(text: str) -> str:
    with pytest.raises(DateParseError) as e:
        parse_end(text)
    return e.value.message


def test_messy_per_term_export_row_by_row(tmp_path, app_ctx, admin):
    m = Messy()
    p = m.write(tmp_path / "insurer.xlsx")
    rep = _imp(app_ctx, admin, p)
    j = rep.to_json()
    assert set(j) == {"file", "sheet", "header_row", "columns", "rows", "imported", "updated", "duplicates",
                      "rejected", "warnings"}
    assert (j["sheet"], j["header_row"]) == ("续保清单", 3)
    assert j["columns"] == {"车牌号": "plate", "车架号": "vin", "被保险人": "owner", "证件号码": "id_number",
                            "联系电话": "phone", "险种": "kind", "保单号": "policy_no", "保险起期": "start",
                            "保险止期": "end", "保险公司": "insurer"}
    assert (j["rows"], j["imported"], j["updated"], j["duplicates"]) == (11, 6, 0, 1)
    assert j["rows"] == j["imported"] + j["updated"] + j["duplicates"] + len(j["rejected"])
    assert j["rejected"] == [
        {"row": 8, "column": "证件号码", "value": mask_id(str(int(m.id_c_float))), "reason": MSG_ID_NUMBER_CELL},
        {"row": 12, "column": "联系电话", "value": mask_phone(m.bad_mobile), "reason": "手机号第2位应为3–9，请检查"},
        {"row": 13, "column": None, "value": None, "reason": MSG_NO_VEHICLE},
        {"row": 14, "column": "保险止期", "value": "2026-02-30", "reason": _date_error("2026-02-30")},
    ]
    assert [(w["row"], w["column"]) for w in j["warnings"]] == [(9, "联系电话"), (10, "车牌号"), (11, "车架号")]
    assert j["warnings"][0]["message"] == LANDLINE_WARNING
    assert "使馆" in j["warnings"][1]["message"] and "校验位" in j["warnings"][2]["message"]
    assert m.id_c[-4:] not in json.dumps(j, ensure_ascii=False)  # values are masked

    eng = app_ctx.store().engine
    assert _count(eng, "vehicle") == 5 and _count(eng, "policy_term") == 6
    src = f"import:{rep.batch}"
    a = _find(eng, m.plate_a)[0]
    # 2026-12-31 in a date-only column is covered through 12-31; the serial BI end is the same day.
    assert (a["vin"], a["ci_end_date"], a["bi_end_date"], a["source"], a["status"]) == (
        m.vin_a, "2026-12-31", "2026-12-31", src, "DUE")
    assert a["phone"] == mask_phone(m.mob_a)  # the number cell came back as the 11 digits
    b = _find(eng, m.id_b[-4:])  # the 15-digit numeric ID was converted to its 18-digit form
    assert [x["plate"] for x in b] == [m.plate_b] and b[0]["ci_end_date"] == "2026-12-01"
    assert _find(eng, m.plate_e)[0]["ci_end_date"] == "2026-12-15"  # text with a time: an instant
    assert _find(eng, m.plate_d)[0]["ci_end_date"] == "2026-12-01"
    assert _find(eng, m.vin_f)[0]["plate"] == m.plate_f
    assert _find(eng, m.plate_c) == [] and _find(eng, m.plate_g) == []

    again = _imp(app_ctx, admin, p).to_json()
    assert (again["rows"], again["imported"], again["updated"], again["duplicates"]) == (11, 0, 0, 7)
    assert again["rejected"] == j["rejected"]
    assert _count(eng, "vehicle") == 5 and _count(eng, "policy_term") == 6 and _count(eng, "import_batch") == 2


def test_two_level_merged_header_per_vehicle_day_vs_instant(tmp_path, app_ctx, admin):
    f = FakeData(21)
    pa, pb, mob = f.plate("ordinary"), f.plate("ne_small"), f.mobile()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "示例4S店 在保客户"
    ws.append(["车牌号", "车主", "手机号", "交强险", None, "商业险", None])
    ws.append([None, None, None, "起期", "止期", "起期", "止期"])
    for r in ([pa, f.name(), mob, datetime(2026, 1, 1), datetime(2026, 12, 31), date(2026, 1, 1), date(2026, 12, 31)],
              [pb, f.name(), f.mobile(), datetime(2025, 12, 2), datetime(2026, 12, 2), None, None]):
        ws.append(r)
    for row in ws.iter_rows(min_row=4, min_col=4, max_col=5):
        for c in row:
            c.number_format = "yyyy-mm-dd hh:mm:ss"  # a time-formatted column: 00:00:00 is exclusive
    for rng in ("A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:E2", "F2:G2"):
        ws.merge_cells(rng)
    wb.save(tmp_path / "dms.xlsx")

    rep = _imp(app_ctx, admin, tmp_path / "dms.xlsx")
    assert rep.header_row == 3
    assert rep.columns == {"车牌号": "plate", "车主": "owner", "手机号": "phone", "交强险起期": "ci_start",
                           "交强险止期": "ci_end", "商业险起期": "bi_start", "商业险止期": "bi_end"}
    assert (rep.rows, rep.imported, rep.rejected, rep.warnings) == (2, 2, [], [])
    eng = app_ctx.store().engine
    a = _find(eng, pa)[0]
    assert (a["ci_end_date"], a["bi_end_date"], a["days_left"]) == ("2026-12-30", "2026-12-31", 29)
    assert _find(eng, pb)[0]["ci_end_date"] == "2026-12-01"
    assert _find(eng, mob[-4:])[0]["plate"] == pa


def test_newer_phone_updates_and_overlapping_policy_warns(tmp_path, app_ctx, admin):
    m = Messy(8)
    _imp(app_ctx, admin, m.write(tmp_path / "first.xlsx"))
    new_mobile = m.f.mobile()
    rows = [HEADERS,
            [1, m.plate_a, m.vin_a, m.name_a, m.id_a, new_mobile, "交强险", "JQ-A-001", date(2026, 1, 1),
             date(2026, 12, 31), "安泰财产保险"],
            [2, m.plate_a, m.vin_a, m.name_a, m.id_a, new_mobile, "交强险", "JQ-X-999", date(2026, 6, 1),
             date(2027, 5, 31), "华诚财险"]]
    rep = _imp(app_ctx, admin, _save(rows, tmp_path / "second.xlsx"))
    assert (rep.rows, rep.imported, rep.updated, rep.duplicates, rep.rejected) == (2, 1, 1, 0, [])
    assert [(w["row"], w["column"]) for w in rep.warnings] == [(3, None)]
    assert "JQ-X-999" in rep.warnings[0]["message"] and "JQ-A-001" in rep.warnings[0]["message"]
    eng = app_ctx.store().engine
    with eng.connect() as conn:
        phone = conn.exec_driver_sql("SELECT phone FROM customer WHERE id_number = ?", (m.id_a,)).scalar()
        conn.rollback()
    assert phone == new_mobile
    assert _find(eng, new_mobile[-4:])[0]["plate"] == m.plate_a
    a = _find(eng, m.plate_a)[0]
    # The overlapping term is the latest-ending one containing AT: it alone decides the status.
    assert a["status"] == "ACTIVE" and a["ci_end_date"] == "2027-05-31"


def test_a_stored_policy_number_with_other_dates_is_kept_and_warned(tmp_path, app_ctx, admin):
    """The same policy number with another end date (a corrected export, an endorsement) was passed
    over as a plain duplicate: the stored dates stayed and nothing said the row differed."""
    m = Messy(8)
    _imp(app_ctx, admin, m.write(tmp_path / "first.xlsx"))
    before = _find(app_ctx.store().engine, m.plate_a)[0]
    rows = [HEADERS,
            [1, m.plate_a, m.vin_a, m.name_a, m.id_a, None, "交强险", "JQ-A-001", date(2026, 1, 1),
             date(2027, 1, 5), "安泰财产保险"]]
    rep = _imp(app_ctx, admin, _save(rows, tmp_path / "second.xlsx"))
    assert (rep.rows, rep.imported, rep.rejected) == (1, 0, [])
    assert [(w["row"], w["column"]) for w in rep.warnings] == [(2, None)]
    assert "JQ-A-001" in rep.warnings[0]["message"] and "起止日期与已存的不同" in rep.warnings[0]["message"]
    assert _find(app_ctx.store().engine, m.plate_a)[0]["ci_end_date"] == before["ci_end_date"]
    again = _imp(app_ctx, admin, _save(rows[:1] + [rows[1][:9] + [date(2026, 12, 31), "安泰财产保险"]],
                                       tmp_path / "same.xlsx"))
    assert again.duplicates == 1 and again.warnings == []  # the stored dates again: no warning


def _fingerprint(ctx) -> tuple:
    db = Path(ctx.data_dir) / DB_FILE
    wal = db.with_name(db.name + "-wal")
    return tuple(hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None for p in (db, wal))


def test_dry_run_reports_the_same_and_writes_nothing(tmp_path, app_ctx, admin):
    p = Messy(9).write(tmp_path / "insurer.xlsx")
    eng = app_ctx.store().engine
    audits, before = _count(eng, "audit"), _fingerprint(app_ctx)
    dry = _imp(app_ctx, admin, p, dry_run=True)
    assert _fingerprint(app_ctx) == before and _count(eng, "audit") == audits
    assert dry.batch is None and _count(eng, "vehicle") == 0
    real = _imp(app_ctx, admin, p)
    assert dry.to_json() == real.to_json()
    assert _count(eng, "audit") == audits + 1
    # Dry-running what is already stored reports it as duplicates, still writing nothing.
    before = _fingerprint(app_ctx)
    again = _imp(app_ctx, admin, p, dry_run=True)
    assert (again.imported, again.updated, again.duplicates) == (0, 0, 7) and _fingerprint(app_ctx) == before


def test_map_override_is_remembered_for_the_same_header(tmp_path, app_ctx, admin):
    f = FakeData(31)
    plates = [f.plate("ordinary") for _ in range(3)]
    head = ["牌照", "被保险人", "险种", "保险止期"]
    p1 = _save([head, [plates[0], f.name(), "交强险", "2026-12-31"]], tmp_path / "a.xlsx")
    p2 = _save([head, [plates[1], f.name(), "交强险", "2026-12-31"],
                [plates[2], f.name(), "商业险", "2027-01-31"]], tmp_path / "b.xlsx")
    eng = app_ctx.store().engine
    remembered = remembered_mapping(eng)
    guess = _imp(app_ctx, admin, p1, dry_run=True, remembered=remembered)
    assert "牌照" not in guess.columns and guess.rejected[0]["reason"] == MSG_NO_VEHICLE
    with pytest.raises(BadInput, match="--map"):
        parse_map(["牌照plate"])
    rep = _imp(app_ctx, admin, p1, overrides=parse_map(["牌照=plate"]), remembered=remembered)
    assert rep.columns["牌照"] == "plate" and (rep.imported, rep.rejected) == (1, [])
    nxt = _imp(app_ctx, admin, p2, remembered=remembered)
    assert nxt.columns["牌照"] == "plate" and (nxt.rows, nxt.imported, nxt.rejected) == (2, 2, [])
    assert all(_find(eng, pl) for pl in plates)


def test_gbk_csv(tmp_path, app_ctx, admin):
    f = FakeData(41)
    plate, name = f.plate("ordinary"), f.name()
    text = "车牌号,被保险人,联系电话,险种,保险止期\r\n" f"{plate},{name},{f.mobile()},交强险,2026年12月1日\r\n"
    (tmp_path / "dms.csv").write_bytes(text.encode("gbk"))
    rep = _imp(app_ctx, admin, tmp_path / "dms.csv")
    assert (rep.header_row, rep.rows, rep.imported, rep.rejected) == (1, 1, 1, [])
    hit = _find(app_ctx.store().engine, plate)[0]
    assert hit["owner"].startswith(name[0]) and hit["ci_end_date"] == "2026-12-01"


def _no_header(p: Path) -> None:
    _save([["月度汇总"], ["甲", "乙", "丙"], [1, 2, 3]], p)


@pytest.mark.parametrize("name,make,message", [
    ("locked.xlsx", _cfb_encrypted, MSG_PASSWORD),
    ("broken.xlsx", lambda p: p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), MSG_CORRUPT),
    ("empty.xlsx", lambda p: p.write_bytes(b""), MSG_EMPTY),
    ("photo.xlsx", lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64), MSG_NOT_SHEET),
    ("summary.xlsx", _no_header, "没有找到表头"),
])
def test_bad_files_store_nothing(tmp_path, app_ctx, admin, name, make, message):
    p = tmp_path / name
    make(p)
    eng = app_ctx.store().engine
    audits = _count(eng, "audit")
    with pytest.raises(BadInput) as e:
        _imp(app_ctx, admin, p)
    assert message in e.value.message and "\n" not in e.value.message
    assert (_count(eng, "vehicle"), _count(eng, "import_batch"), _count(eng, "audit")) == (0, 0, audits)


def test_cancel_midway_stores_nothing(tmp_path, app_ctx, admin):
    p = Messy(12).write(tmp_path / "insurer.xlsx")
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 5

    eng = app_ctx.store().engine
    audits = _count(eng, "audit")
    with pytest.raises(Cancelled):
        _imp(app_ctx, admin, p, cancel=cancel)
    assert (_count(eng, "vehicle"), _count(eng, "customer"), _count(eng, "policy_term")) == (0, 0, 0)
    assert (_count(eng, "import_batch"), _count(eng, "audit")) == (0, audits)
    assert _imp(app_ctx, admin, p).imported == 6  # the store is usable afterwards


def test_reject_report_then_fixed_report_imports(tmp_path, app_ctx, admin, monkeypatch, capsys):
    m = Messy(14)
    p = m.write(tmp_path / "insurer.xlsx")
    out = tmp_path / "rejects.xlsx"
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PASSWORD)
    code = cli.main(["--data-dir", str(app_ctx.data_dir), "import", str(p), "--report", str(out), "--json",
                     "--at", AT.isoformat()])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    assert [r["row"] for r in printed["rejected"]] == [8, 12, 13, 14]

    wb = openpyxl.load_workbook(out)
    ws = wb.active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == [*HEADERS, "原行号", "错误原因"]
    assert [r[11] for r in rows[1:]] == [8, 12, 13, 14]
    assert rows[1][1] == m.plate_c and rows[1][4] == m.id_c_float and MSG_ID_NUMBER_CELL in rows[1][12]
    assert rows[1][12].startswith("「证件号码」列") and rows[3][12] == MSG_NO_VEHICLE
    assert rows[2][5] == m.bad_mobile and rows[4][9] == "2026-02-30"
    # Staff fix the cells in the report itself and import it again.
    ws.cell(2, 5).value = m.id_c
    ws.cell(3, 6).value = m.f.mobile()
    ws.cell(4, 2).value = m.f.plate("ordinary")
    ws.cell(5, 10).value = "2026-02-28"
    wb.save(out)
    rep = _imp(app_ctx, admin, out)
    assert (rep.rows, rep.imported, rep.rejected) == (4, 4, [])
    assert _find(app_ctx.store().engine, m.plate_c)[0]["ci_end_date"] == "2026-12-01"


def test_same_name_and_phone_with_another_id_is_another_customer(tmp_path, app_ctx, admin):
    """A family sharing one phone: the (name, phone) fallback must not overwrite a stored ID number,
    or the same file imported twice would flip it back and forth as "updated"."""
    f = FakeData(51)
    name, phone = f.name(), f.mobile()
    rows = [HEADERS] + [[i, f.plate("ordinary"), None, name, f.id_number(), phone, "交强险", None, None,
                         "2026-12-31", None] for i in (1, 2)]
    p = _save(rows, tmp_path / "family.xlsx")
    first = _imp(app_ctx, admin, p)
    assert (first.imported, first.updated) == (2, 0)
    assert _count(app_ctx.store().engine, "customer") == 2
    second = _imp(app_ctx, admin, p)
    assert (second.imported, second.updated, second.duplicates) == (0, 0, 2)


def test_import_caps_the_page_cache_and_gives_it_back(tmp_path, app_ctx, admin):
    """A large batch must not fill the look-up cache with pages it writes once (≤ 400 MB at 10⁶ rows)."""
    from desktop.services import importer

    engine = app_ctx.store().engine
    seen = []
    rows = [HEADERS, [1, "京A12345", None, "张三", None, None, "交强险", None, None, "2026-12-31", None]]
    p = _save(rows, tmp_path / "one.xlsx")
    with engine.connect() as conn:
        before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        conn.rollback()
    rep = _imp(app_ctx, admin, p, progress=None,
               cancel=lambda: seen.append(engine.raw_connection().driver_connection.execute(
                   "PRAGMA cache_size").fetchone()[0]) or False)
    assert rep.imported == 1
    assert seen and seen[0] == max(before, -importer.IMPORT_CACHE_KIB)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
        conn.rollback()


def test_a_phone_or_id_in_another_column_is_masked_wherever_the_report_is_shown(tmp_path, app_ctx, admin):
    """The reader masks a rejected value by its column; a mobile or an ID number under another
    header (shifted columns: a phone under 保险止期) is masked by its shape, in the value, the reason
    quoting it and a warning, so the window's reject table shows it masked as the command line does."""
    f = FakeData(72)
    mobile, id_no = f.mobile(), f.id_number()
    p = _save([HEADERS,
               [1, f.plate("ordinary"), None, f.name(), None, None, "交强险", "P1", "2026-01-01", mobile, "示例财险"],
               [2, f.plate("ordinary"), None, f.name(), None, None, "交强险", "P2", "2026-01-01", id_no, "示例财险"]],
              tmp_path / "shifted.xlsx")
    rep = _imp(app_ctx, admin, p, dry_run=True)
    assert [r["row"] for r in rep.rejected] == [2, 3]
    shown = json.dumps(rep.to_json(), ensure_ascii=False)
    assert mobile not in shown and id_no not in shown
    assert rep.rejected[0]["value"] == mask_phone(mobile) and mask_phone(mobile) in rep.rejected[0]["reason"]
    assert rep.rejected[1]["value"] == mask_id(id_no)


def test_a_notes_sheet_before_the_list_is_passed_over(tmp_path, app_ctx, admin):
    # Insurer exports often open with a 说明 sheet (a line of notes, no header): the list on the next
    # sheet is the one to import, not a "no header" refusal. A hidden sheet is never imported.
    f = FakeData(31)
    plate, hidden_plate = f.plate("ordinary"), f.plate("ordinary")
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本表为 2026 年 12 月续保清单，请勿改动列名"])
    hidden = wb.create_sheet("旧表")
    hidden.append(["车牌号", "险种", "保险止期"])
    hidden.append([hidden_plate, "交强险", "2026-12-20"])
    hidden.sheet_state = "hidden"
    data = wb.create_sheet("清单")
    data.append(["车牌号", "险种", "保险止期"])
    data.append([plate, "交强险", "2026-12-31"])
    p = tmp_path / "two-sheets.xlsx"
    wb.save(p)
    j = _imp(app_ctx, admin, p).to_json()
    assert (j["sheet"], j["header_row"], j["rows"], j["imported"]) == ("清单", 1, 1, 1)
    assert _find(app_ctx.store().engine, plate)[0]["ci_end_date"] == "2026-12-31"
    assert _find(app_ctx.store().engine, hidden_plate) == []


def test_a_landline_without_area_code_is_refused_with_a_readable_example(tmp_path, app_ctx, admin):
    # The reason is masked by shape like every reason: its own example number must not come out
    # half-masked ("如 010****78"), which reads as if the clerk's number had been quoted.
    f = FakeData(32)
    p = _save([["车牌号", "车主", "联系电话", "险种", "保险止期"],
               [f.plate("ordinary"), f.name(), "62345678", "交强险", "2026-12-31"],
               [f.plate("ordinary"), f.name(), "01234", "交强险", "2026-12-31"]],
              tmp_path / "landline.xlsx")
    j = _imp(app_ctx, admin, p).to_json()
    assert [r["row"] for r in j["rejected"]] == [2, 3]
    for rej in j["rejected"]:
        assert rej["column"] == "联系电话" and "区号" in rej["reason"] and "*" not in rej["reason"], rej
