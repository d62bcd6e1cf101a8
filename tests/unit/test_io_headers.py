"""desktop.io.headers: header row, synonyms, two-level headers, layouts, overrides, signature."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from desktop.io.headers import (
    NO_TERMS,
    PER_TERM,
    PER_VEHICLE,
    HeaderError,
    detect_header,
    header_signature,
)
from desktop.io.table_reader import open_table

# Every test here runs through both .xlsx readers (see tests/unit/conftest.py).
pytestmark = pytest.mark.usefixtures("reader")


def rows(*lines: list) -> list[tuple[int, list]]:
    return [(i, list(v)) for i, v in enumerate(lines, start=1)]


def fields(info) -> dict[str, str]:
    return info.mapping


def test_title_rows_then_per_term_header_with_real_world_synonyms() -> None:
    info = detect_header(rows(
        ["机动车保险续保清单"],
        ["导出时间：2026-11-01", None, "操作员：张三"],
        [],
        ["序号", "号牌号码", "车辆识别代号", "发动机号", "被保人", "手机号码", "证件号", "险别", "承保公司",
         "保单号码", "起保日期", "终保日期", "保费(元)", "车船税", "初次登记日期", "住址", "客户等级"],
        [1, "京A12345", "LSVAA4180E2345678", "E123", "测试", "13800001234", "x", "交强险"],
    ))
    assert info.header_row == 4
    assert fields(info) == {
        "号牌号码": "plate", "车辆识别代号": "vin", "被保人": "owner", "手机号码": "phone", "证件号": "id_number",
        "险别": "kind", "承保公司": "insurer", "保单号码": "policy_no", "起保日期": "start", "终保日期": "end",
        "保费(元)": "premium", "车船税": "vehicle_tax", "初次登记日期": "registered", "住址": "address"}
    assert info.layout == PER_TERM
    assert info.unknown_headers == ["客户等级"]
    assert set(info.ignored_headers) == {"序号", "发动机号"}


@pytest.mark.parametrize("header,field", [
    ("车牌号", "plate"), ("车牌号码", "plate"), ("车牌", "plate"), ("车架号", "vin"), ("VIN", "vin"),
    ("vin码", "vin"), ("车辆识别代码", "vin"), ("被保险人", "owner"), ("车主", "owner"), ("客户姓名", "owner"),
    ("投保人", "owner"), ("联系电话", "phone"), ("手机号", "phone"), ("手机", "phone"), ("电话", "phone"),
    ("证件号码", "id_number"), ("身份证号", "id_number"), ("身份证号码", "id_number"), ("保险公司", "insurer"),
    ("保单号", "policy_no"), ("险种", "kind"), ("险种名称", "kind"), ("保险起期", "start"), ("生效日期", "start"),
    ("保险止期", "end"), ("到期日期", "end"), ("到期日", "end"), ("交强险起期", "ci_start"),
    ("交强险止期", "ci_end"), ("交强险到期日", "ci_end"), ("商业险止期", "bi_end"), ("商业险到期日", "bi_end"),
    ("交强险保费", "premium"), ("初登日期", "registered"), ("注册日期", "registered"), ("地址", "address"),
    ("通讯地址", "address"), ("联系地址", "address"),
    # full-width letters, spaces (also ideographic), line breaks, required-field stars and colons
    ("ＶＩＮ", "vin"), ("车 牌 号", "plate"), ("车牌号\u3000", "plate"), ("保险\n止期", "end"), ("*车架号", "vin"),
    ("联系电话：", "phone"), ("保费（元）", "premium"),
])
def test_every_contract_synonym(header: str, field: str) -> None:
    other = "车牌号" if field != "plate" else "车架号"
    info = detect_header(rows([header, other]))
    assert info.columns[0].field == field
    assert info.columns[0].header == header.strip()


def test_per_vehicle_two_level_merged_header(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "车辆保险到期一览"
    ws.merge_cells("A1:G1")
    ws.append(["车辆信息", None, "交强险", None, None, "商业险", None])
    ws.merge_cells("A2:B2")
    ws.merge_cells("C2:E2")
    ws.merge_cells("F2:G2")
    ws.append(["车牌号", "车架号", "起期", "止期", "保单号", "止期", "保险止期"])
    ws.append(["京A12345"])
    wb.save(tmp_path / "pv.xlsx")
    t = open_table(tmp_path / "pv.xlsx")
    info = detect_header(t.head())
    assert info.header_row == 3  # the lowest header row
    assert fields(info) == {"车牌号": "plate", "车架号": "vin",  # known alone under 车辆信息
                            "交强险起期": "ci_start", "交强险止期": "ci_end", "交强险保单号": "ci_policy_no",
                            "商业险止期": "bi_end"}
    # 商业险 over 保险止期: a kind group decides the term even though 保险止期 is known alone; the
    # duplicate bi_end goes to ignored (first synonym / leftmost wins).
    assert info.ignored_headers == ["商业险保险止期"]
    assert info.layout == PER_VEHICLE


def test_two_level_header_merged_vertically_reads_the_lowest_row(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号", "被保险人", "交强险", None])
    ws.append([None, None, "起期", "止期"])
    for rng in ("A1:A2", "B1:B2", "C1:D1"):
        ws.merge_cells(rng)
    ws.append(["京A12345", "测试", "2026-01-01", "2026-12-31"])
    wb.save(tmp_path / "v.xlsx")
    info = detect_header(open_table(tmp_path / "v.xlsx").head())
    assert info.header_row == 2
    assert fields(info) == {"车牌号": "plate", "被保险人": "owner", "交强险起期": "ci_start", "交强险止期": "ci_end"}


def test_unmerged_two_level_header_carries_the_group_right() -> None:
    info = detect_header(rows(
        ["车牌号", "交强险", None, "商业险", None, "备注"],
        [None, "起期", "止期", "起期", "止期", None],
        ["京A12345", "2026-01-01", "2026-12-31", "2026-01-01", "2026-12-31", "x"],
    ))
    assert info.header_row == 2
    assert fields(info) == {"车牌号": "plate", "交强险起期": "ci_start", "交强险止期": "ci_end",
                            "商业险起期": "bi_start", "商业险止期": "bi_end"}
    assert info.columns[1].header == "交强险起期"


def test_layouts() -> None:
    assert detect_header(rows(["车牌号", "险种", "保险止期"])).layout == PER_TERM
    assert detect_header(rows(["车牌号", "交强险止期", "商业险止期"])).layout == PER_VEHICLE
    assert detect_header(rows(["车牌号", "被保险人", "联系电话"])).layout == NO_TERMS


def test_first_synonym_wins_between_two_columns_for_one_field() -> None:
    info = detect_header(rows(["车牌号", "投保人", "被保险人"]))
    assert fields(info) == {"车牌号": "plate", "被保险人": "owner"}
    assert info.ignored_headers == ["投保人"]


def test_overrides() -> None:
    base = ["车牌号", "客户", "交强到期", "自定义列"]
    info = detect_header(rows(base), {"交强到期": "ci_end", "自定义列": "ignore", "客户": "address"})
    assert fields(info) == {"车牌号": "plate", "客户": "address", "交强到期": "ci_end"}
    assert info.layout == PER_VEHICLE and info.unknown_headers == []
    # an override alone can make a header row findable
    info = detect_header(rows(["标题"], ["牌", "到"]), {"牌": "plate", "到": "ci_end"})
    assert info.header_row == 2
    with pytest.raises(HeaderError, match="字段「plates」不存在"):
        detect_header(rows(base), {"车牌号": "plates"})
    with pytest.raises(HeaderError, match="「不存在的列」不在表头中"):
        detect_header(rows(base), {"不存在的列": "plate"})


def test_no_header_found() -> None:
    with pytest.raises(HeaderError) as e:
        detect_header(rows(["abc", "def"], [1, 2], ["京A12345", "x"]))
    assert "没有找到表头" in e.value.message


def test_data_row_below_header_is_not_taken_for_a_header() -> None:
    # Mostly empty first data row: it must not "inherit" the header's fields.
    info = detect_header(rows(["车牌号", "车架号", "被保险人", "保险止期", "险种"], [None, None, None, None, "交强险"]))
    assert info.header_row == 1


def test_header_signature() -> None:
    a = header_signature(["车牌号", "被保险人", "保险止期"])
    assert a == header_signature(["车牌号 ", "被保险人", "保险止期", None, ""])  # trailing blanks, spaces
    assert a == header_signature(["车牌号", "被保险人", "保险止期"])
    assert a != header_signature(["被保险人", "车牌号", "保险止期"])  # order matters
    assert len(a) == 16
    info = detect_header(rows(["车牌号", "被保险人", "保险止期"]))
    assert info.signature == a
