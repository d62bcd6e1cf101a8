"""Search keys and query interpretation (DESIGN §7 lookup forms)."""
from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.fakes import FakeData
from desktop.core.search_keys import (
    COLUMN_KINDS,
    KINDS,
    MAX_PINYIN_COMBINATIONS,
    column_keys,
    full_pinyin,
    pinyin_initials,
    plate_column_key,
    query_keys,
    query_prefixes,
    search_keys_for,
)
from tests.unit.strategies import id_numbers, mobiles, odd_spellings, plates, vins

PUBLISHED_ID = "11010519491231002X"


# --- pinyin -------------------------------------------------------------------------

def test_surname_heteronyms() -> None:
    shan = pinyin_initials("单田芳")
    assert shan[0] == "STF"  # surname reading first
    assert "DTF" in shan
    zeng = pinyin_initials("曾小明")
    assert zeng[0] == "ZXM" and "CXM" in zeng


def test_plain_name() -> None:
    assert pinyin_initials("张三") == ["ZS"]
    assert pinyin_initials("王小红")[0] == "WXH"


def test_heteronyms_in_given_name() -> None:
    keys = pinyin_initials("李长乐")
    assert {"LCL", "LZL", "LCY", "LZY"} <= set(keys)


def test_cap_and_format() -> None:
    keys = pinyin_initials("重长单行曾朝乐")
    assert 1 < len(keys) <= MAX_PINYIN_COMBINATIONS
    assert len(set(keys)) == len(keys)
    assert all(re.fullmatch(r"[A-Z]{7}", k) for k in keys)
    # The cap does not starve the surname of its alternatives.
    assert {k[0] for k in keys} >= {"C", "Z"}


def test_separators_and_latin() -> None:
    assert pinyin_initials("阿依古丽·买买提")[0].startswith("AYGLMM")
    assert pinyin_initials("") == [] and pinyin_initials(None) == []
    assert pinyin_initials("Tom") == ["TOM"]


@given(st.integers(0, 10_000))
def test_fake_names_have_initials(seed: int) -> None:
    name = FakeData(seed).name()
    keys = pinyin_initials(name)
    assert keys and all(len(k) == len(name) and k.isupper() and k.isascii() for k in keys)


# --- search_keys_for ---------------------------------------------------------------------

def test_search_keys_for_example() -> None:
    keys = search_keys_for("粤b·12345", "1m8gdm9axkp042788", "单田芳", "+86 139 0000 5678",
                           PUBLISHED_ID.lower())
    assert keys >= {"P粤B12345", "6042788", "N单田芳", "YSTF", "YDTF", "T13900005678", "45678", "E002X"}
    assert all(k[0] in KINDS for k in keys)
    # A full VIN or ID is found through the vehicle/customer column indexes, not a key (0011).
    assert not [k for k in keys if k[0] in COLUMN_KINDS]
    assert {k for k in keys if k[0] == "F"} == {"FSHANTIANFANG", "FDANTIANFANG"}  # surname reading first


def test_search_keys_none() -> None:
    assert search_keys_for(None, None, None, None, None) == set()
    # A plate stored in its normal form is found through the plate column's index (0014): no key;
    # stores before 0014 held one (plate_column_key, for the downgrade).
    assert search_keys_for(plate="京A12345") == set()
    assert plate_column_key("京A12345") == "P京A12345"
    # A plate stored otherwise keeps its key: the column cannot find "京a 12345" by "京A12345".
    assert search_keys_for(plate="京a 12345") == {"P京A12345"}


def test_old_id_indexed_in_18_form() -> None:
    assert search_keys_for(id_number="110105491231002") == {"E002X"}
    assert column_keys(None, "110105491231002") == {f"I{PUBLISHED_ID}"}  # as stores before 0011 held it


def test_landline_keys() -> None:
    keys = search_keys_for(phone="010-62345678-123")
    assert keys == {"T01062345678转123", "45678"}


def test_invalid_values_still_indexed() -> None:
    # Old imports may hold bad values; they stay findable in normalised form.
    assert "P京I12345" in search_keys_for(plate="京i 12345")


# --- query_keys: every form finds the record ----------------------------------------------

@given(st.data(), plates(), vins(), mobiles, id_numbers(), st.integers(0, 10_000))
def test_every_query_form_hits(data: st.DataObject, plate: str, vin: str, mobile: str, idn: str,
                               seed: int) -> None:
    name = FakeData(seed).name()
    # A full VIN or ID is answered from the column indexes (column_keys: the value they hold).
    # A plate in its normal form, from the plate column's index (plate_column_key: 0014).
    keys = search_keys_for(plate, vin, name, mobile, idn) | column_keys(vin, idn) | {plate_column_key(plate)}
    queries = [
        (data.draw(odd_spellings(plate)), 0),
        (data.draw(odd_spellings(vin)), 0),
        (vin[-6:].lower(), 1),
        (data.draw(odd_spellings(mobile)), 0),
        (mobile[-4:], 1),
        (data.draw(odd_spellings(idn)), 0),
        (idn[-4:].lower(), 1),
        (name, 1),
        (pinyin_initials(name)[0].lower(), 1),
    ]
    for q, rank in queries:
        hits = [(k, r) for k, r in query_keys(q) if k in keys]
        assert hits and min(r for _, r in hits) == rank, (q, query_keys(q))


def test_query_ranks_sorted() -> None:
    got = query_keys("5678")
    assert got == [("45678", 1), ("E5678", 1)]
    assert query_keys("002x") == [("E002X", 1)]
    assert query_keys("") == [] and query_keys(None) == []
    ranks = [r for _, r in query_keys("ABCDEF")]
    assert ranks == sorted(ranks)


def test_multiword_plate_query() -> None:
    assert query_keys("粤b 12345")[0] == ("P粤B12345", 0)


def test_query_as_every_kind() -> None:
    # Six letters could be a VIN tail, pinyin initials or a plate said without its province.
    kinds = {k[0] for k, _ in query_keys("ABCDEF")}
    assert kinds == {"6", "Y", "P", "F"}
    assert query_keys(PUBLISHED_ID) == [(f"I{PUBLISHED_ID}", 0)]
    assert query_keys("110105491231002") == [(f"I{PUBLISHED_ID}", 0)]


@pytest.mark.parametrize("q", ["!!", "京", "1", "12345678901234567890"])
def test_queries_that_are_nothing(q: str) -> None:
    assert all(rank in (0, 1) for _, rank in query_keys(q))
    assert not [k for k, _ in query_keys(q) if k.startswith(("P", "I", "V", "T"))]


# --- query_prefixes ---------------------------------------------------------------------------

@given(plates(), st.integers(3, 7))
def test_partial_plate_prefix(plate: str, n: int) -> None:
    prefix = plate[:n]
    keys = [k for k, r in query_prefixes(prefix.lower()) if r == 2 and k.startswith("P")]
    assert keys == [f"P{prefix}"]
    assert f"P{plate}".startswith(keys[0])


def test_prefix_examples() -> None:
    assert query_prefixes("粤b1") == [("P粤B1", 2)]
    assert query_prefixes("京A1234应") == [("P京A1234应", 2)]
    assert query_prefixes("王") == [("N王", 2)]
    assert query_prefixes("zs") == [("YZS", 2), ("FZS", 2)]
    # One character is too short for a plate prefix (it is still a name prefix).
    assert query_prefixes("粤") == [("N粤", 2)]
    assert query_prefixes("A12") == []
    assert query_prefixes("") == [] and query_prefixes(None) == []


def test_plate_without_province_and_two_character_prefix():
    from desktop.core.search_keys import query_keys, query_prefixes

    keys = dict(query_keys("ba33103"))
    assert "P粤BA33103" in keys and "P京BA33103" in keys and len([k for k in keys if k.startswith("P")]) == 31
    assert ("P粤B", 2) in query_prefixes("粤b")


# --- full pinyin ----------------------------------------------------------------------------

def test_full_pinyin_keys_and_queries():
    assert full_pinyin("林安君") == ["LINANJUN"]
    assert full_pinyin("吕小明")[0] == "LVXIAOMING"  # ü typed as v
    assert full_pinyin(None) == [] and full_pinyin("") == []
    keys = search_keys_for(name="林安君")
    assert "FLINANJUN" in keys
    assert ("FLINANJUN", 1) in query_keys("linanjun") and ("FLINANJUN", 1) in query_keys("Lin An Jun")
    # As the syllables are typed, a prefix scan: "wang" then "wangx" narrow to 王小…
    assert ("FWANG", 2) in query_prefixes("wang")
    assert ("FWANGX", 2) in query_prefixes("wangx")
    assert not [k for k, _ in query_prefixes("w") if k[0] == "F"]  # one letter lists everyone: no


def test_plate_queries_are_not_taken_for_pinyin():
    assert not [k for k, _ in query_keys("ba33103") if k[0] == "F"]
    assert not [k for k, _ in query_prefixes("粤b") if k[0] == "F"]


@pytest.mark.parametrize("name", ["阿依古丽·买买提", "阿不都热合曼·买买提", "欧阳娜娜娜娜娜"])
def test_long_names_are_found_by_their_initials(name: str) -> None:
    # Minority names run to 7+ characters: their stored initials keys (YAYGLMMT…) must be
    # reachable, typed in full (query_keys) or as you type (query_prefixes); the query side
    # stopped at 6 letters, so `lookup AYGLMMT` found nothing while `lookup aygl` did.
    keys = search_keys_for(None, None, name, None, None)
    initials = pinyin_initials(name)[0]
    assert len(initials) >= 7
    assert ("Y" + initials, 1) in query_keys(initials.lower())
    assert ("Y" + initials[:7], 2) in query_prefixes(initials[:7].lower())
    assert "Y" + initials in keys
