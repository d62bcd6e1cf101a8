"""Identifier validation: rules from domain-rules §5, generated values only
(except the published ID vector 11010519491231002X)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from desktop.core.identifiers import (
    Checked,
    IdentifierError,
    check_id_number,
    check_mobile,
    check_phone,
    check_plate,
    check_vin,
    id_check_char,
    normalize_text,
    vin_check_digit,
)
from tests.unit.strategies import (
    DIGITS,
    ID_CHECK,
    PROVINCES,
    VIN_ALPHABET,
    VIN_VALUE,
    id_check,
    id_numbers,
    landlines,
    mobiles,
    odd_spellings,
    old_id_numbers,
    plates,
    vins,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
PUBLISHED_ID = "11010519491231002X"


def assert_good_error(exc: IdentifierError, field: str, value: str) -> None:
    assert exc.field == field
    assert exc.message and str(exc) == exc.message
    assert CJK.search(exc.message), exc.message
    assert isinstance(exc, ValueError)
    # Privacy: the message never carries the offending value.
    if len(normalize_text(value)) >= 4:
        assert value not in exc.message
        assert normalize_text(value) not in exc.message


def reject(fn, value: str, field: str) -> IdentifierError:  # noqa: ANN001
    with pytest.raises(IdentifierError) as info:
        fn(value)
    assert_good_error(info.value, field, value)
    return info.value


# --- normalize_text -------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("粤ｂ　１２３４５", "粤B12345"),
    ("京·A-12345", "京A12345"),
    ("京•A・D．12345", "京AD12345"),
    ("京－A—1–2345", "京A12345"),
    ("  lsv 12 ", "LSV12"),
    ("", ""),
])
def test_normalize_text(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


# --- plates ----------------------------------------------------------------------

@pytest.mark.parametrize("plate", ["粤Z1234港", "京AD12345", "京A12345D", "京A1234应急", "沪B12345",
                                   "苏E1234学", "川A1234挂", "京AFX1234"])
def test_known_valid_plates(plate: str) -> None:
    assert check_plate(plate) == Checked(plate)


@pytest.mark.parametrize("plate", ["123456使", "使123456", "沪A1234领"])
def test_diplomatic_plates_pass_with_warning(plate: str) -> None:
    c = check_plate(plate)
    assert c.value == plate and c.warnings and CJK.search(c.warnings[0])


@pytest.mark.parametrize(("plate", "message"), [
    ("AB12345", "车牌第1位应为省份简称（如 京、粤），请检查"),
    ("京I12345", "车牌第2位应为字母，且不能是 I 或 O"),
    ("京112345", "车牌第2位应为字母，且不能是 I 或 O"),
    ("京A123", "车牌长度应为7位（新能源8位），现为5位"),
    ("京A1234567", "车牌长度应为7位（新能源8位），现为9位"),
])
def test_plate_messages(plate: str, message: str) -> None:
    assert reject(check_plate, plate, "plate").message == message


@pytest.mark.parametrize(("plate", "fragment"), [
    ("京A12O45", "第5位"), ("京AZ12345", "第3位"), ("京AD1234X", "第8位"), ("京A1234X5", "第7位"),
    ("京A12345中", "第8位"), ("京A1234中", "第7位"), ("京A1234应", "第7位"), ("京AD1A345", "第5位"),
])
def test_plate_messages_name_the_position(plate: str, fragment: str) -> None:
    assert fragment in reject(check_plate, plate, "plate").message


def test_empty_plate() -> None:
    reject(check_plate, "", "plate")
    reject(check_plate, " · ", "plate")


@given(plates())
def test_generated_plates_valid(plate: str) -> None:
    assert check_plate(plate) == Checked(plate)


@given(st.data(), plates())
def test_plates_round_trip_odd_spellings(data: st.DataObject, plate: str) -> None:
    assert check_plate(data.draw(odd_spellings(plate))).value == plate


@given(st.data(), plates())
def test_corrupted_plate_rejected(data: st.DataObject, plate: str) -> None:
    last = len(plate) - (3 if plate.endswith("应急") else 1)
    i = data.draw(st.integers(0, last))
    bad = (data.draw(st.sampled_from("A1中港使")) if i == 0
           else data.draw(st.sampled_from(["I", "O", "中", "@"])))
    if i == 0:
        assume(bad not in PROVINCES)
    reject(check_plate, plate[:i] + bad + plate[i + 1:], "plate")


# --- VIN ------------------------------------------------------------------------------

def test_vin_known_vector() -> None:
    assert vin_check_digit("1M8GDM9AXKP042788") == "X"
    assert check_vin("1m8gdm9axkp042788") == Checked("1M8GDM9AXKP042788")


@given(vins())
def test_generated_vins_valid(vin: str) -> None:
    assert check_vin(vin) == Checked(vin)
    assert vin_check_digit(vin) == vin[8]


@given(st.data(), vins())
def test_vins_round_trip_odd_spellings(data: st.DataObject, vin: str) -> None:
    assert check_vin(data.draw(odd_spellings(vin))).value == vin


@given(st.data(), vins(domestic=True))
def test_corrupted_domestic_vin_rejected(data: st.DataObject, vin: str) -> None:
    i = data.draw(st.integers(1, 16))
    if i == 8:
        bad = data.draw(st.sampled_from([c for c in DIGITS + "X" if c != vin[8]]))
    else:
        bad = data.draw(st.sampled_from([c for c in VIN_ALPHABET if VIN_VALUE[c] != VIN_VALUE[vin[i]]]))
    e = reject(check_vin, vin[:i] + bad + vin[i + 1:], "vin")
    assert "第9位" in e.message


@given(st.data(), vins(domestic=False))
def test_imported_vin_bad_check_is_warning(data: st.DataObject, vin: str) -> None:
    bad = data.draw(st.sampled_from([c for c in DIGITS + "X" if c != vin[8]]))
    c = check_vin(vin[:8] + bad + vin[9:])
    assert c.value == vin[:8] + bad + vin[9:]
    assert len(c.warnings) == 1 and "校验位" in c.warnings[0]


@given(st.data(), vins(), st.sampled_from("IOQ"))
def test_vin_with_i_o_q_names_the_letter(data: st.DataObject, vin: str, letter: str) -> None:
    i = data.draw(st.integers(0, 16))
    e = reject(check_vin, vin[:i] + letter + vin[i + 1:], "vin")
    assert f"第{i + 1}位" in e.message and letter in e.message


@pytest.mark.parametrize("vin", ["", "LSV123", "1M8GDM9AXKP0427881", "1M8GDM9AXKP04278*"])
def test_vin_bad_length_or_char(vin: str) -> None:
    reject(check_vin, vin, "vin")


# --- resident ID ------------------------------------------------------------------------

def test_published_id_vector() -> None:
    assert id_check_char(PUBLISHED_ID[:17]) == "X"
    assert check_id_number(PUBLISHED_ID.lower()) == Checked(PUBLISHED_ID)


def test_fifteen_digit_conversion() -> None:
    assert check_id_number("110105491231002") == Checked(PUBLISHED_ID)


@given(id_numbers())
def test_generated_ids_valid(idn: str) -> None:
    assert check_id_number(idn) == Checked(idn)


@given(st.data(), id_numbers())
def test_ids_round_trip_odd_spellings(data: st.DataObject, idn: str) -> None:
    assert check_id_number(data.draw(odd_spellings(idn))).value == idn


@given(old_id_numbers())
def test_old_ids_convert(old: str) -> None:
    new = check_id_number(old).value
    assert len(new) == 18 and new[:6] == old[:6] and new[6:8] == "19" and new[8:17] == old[6:]
    assert new[17] == id_check(new[:17])


@given(st.data(), id_numbers())
def test_corrupted_id_rejected(data: st.DataObject, idn: str) -> None:
    i = data.draw(st.integers(0, 17))
    alphabet = ID_CHECK if i == 17 else DIGITS
    bad = data.draw(st.sampled_from([c for c in alphabet if c != idn[i]]))
    reject(check_id_number, idn[:i] + bad + idn[i + 1:], "id_number")


def _id(born: str, seq: str = "123", area: str = "990101") -> str:
    first = area + born + seq
    return first + id_check(first)


def test_birth_date_rules() -> None:
    today = date(2020, 1, 1)
    assert check_id_number(_id("20200101"), today=today).value == _id("20200101")
    assert "晚于今天" in reject(lambda v: check_id_number(v, today=today), _id("20200102"), "id_number").message
    assert "1900" in reject(check_id_number, _id("18991231"), "id_number").message
    assert "出生日期" in reject(check_id_number, _id("20010230"), "id_number").message


@given(st.dates(min_value=date.today() + timedelta(days=2), max_value=date(2999, 12, 31)))
def test_future_birth_date_rejected(born: date) -> None:
    reject(check_id_number, _id(born.strftime("%Y%m%d")), "id_number")


@pytest.mark.parametrize("bad", ["1.10105E+17", "1.10105e+17", "11010519491231002", "1101051949123100211",
                                 "11010519491231002A", "A1010519491231002X", ""])
def test_bad_id_shapes(bad: str) -> None:
    reject(check_id_number, bad, "id_number")


def test_excel_scientific_notation_message() -> None:
    assert "Excel" in reject(check_id_number, "1.10105E+17", "id_number").message


def test_id_check_char_needs_17_digits() -> None:
    with pytest.raises(IdentifierError):
        id_check_char("123")


# --- phones ----------------------------------------------------------------------------------

@given(mobiles)
def test_generated_mobiles_valid(m: str) -> None:
    assert check_mobile(m) == Checked(m)
    assert check_phone(m) == Checked(m)


@given(st.data(), mobiles, st.sampled_from(["", "+86", "0086", "+86 ", "＋８６"]))
def test_mobiles_round_trip_odd_spellings(data: st.DataObject, m: str, prefix: str) -> None:
    spelled = prefix + data.draw(odd_spellings(m))
    assert check_mobile(spelled).value == m
    assert check_phone(spelled).value == m


def test_mobile_from_excel_number() -> None:
    assert check_mobile("13912345678.0").value == "13912345678"


@given(st.data(), mobiles)
def test_corrupted_mobile_rejected(data: st.DataObject, m: str) -> None:
    i = data.draw(st.integers(0, 10))
    if i == 0:
        bad = data.draw(st.sampled_from("023456789"))
    elif i == 1:
        bad = data.draw(st.sampled_from("012"))
    else:
        bad = data.draw(st.sampled_from("AX中"))
    reject(check_mobile, m[:i] + bad + m[i + 1:], "phone")


@given(mobiles, st.sampled_from(["", "1", "12"]))
def test_wrong_length_mobile_rejected(m: str, extra: str) -> None:
    reject(check_mobile, m[:-1] if not extra else m + extra, "phone")


@given(landlines)
def test_landline_passes_with_warning(number: str) -> None:
    c = check_phone(number)
    assert c.value == number.replace("-", "")
    assert c.warnings == ("座机号码，无法发短信",)


@pytest.mark.parametrize(("raw", "value"), [
    ("010-62345678-123", "01062345678转123"),
    ("（0571）8765 4321", "057187654321"),
    ("0731-8765-4321", "073187654321"),
    ("021 6234 5678 转 88", "02162345678转88"),
])
def test_landline_spellings(raw: str, value: str) -> None:
    assert check_phone(raw).value == value


@pytest.mark.parametrize("bad", ["12812345678", "1381234567", "62345678", "0101234", "abc", "", "9999999999"])
def test_check_phone_rejections(bad: str) -> None:
    reject(check_phone, bad, "phone")


def test_landline_is_not_a_mobile() -> None:
    reject(check_mobile, "010-62345678", "phone")
