"""Masking: one rule everywhere (domain-rules §6)."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.masking import mask_id, mask_name, mask_phone, mask_plate, mask_with
from tests.unit.strategies import id_numbers, mobiles, plates

PUBLISHED_ID = "11010519491231002X"


@pytest.mark.parametrize(("fn", "value", "masked"), [
    (mask_id, PUBLISHED_ID, "110105********002X"),
    (mask_phone, "13800005678", "138****5678"),
    (mask_name, "张三丰", "张**"),
    (mask_name, "欧阳娜娜", "欧***"),
    (mask_name, "王", "*"),
    (mask_plate, "京A12345", "京A1***5"),
    (mask_plate, "京AD12345", "京AD****5"),
    (mask_plate, "京A1234应急", "京A1****急"),
    (mask_phone, "01062345678转123", "010********转123"),
])
def test_examples(fn, value: str, masked: str) -> None:  # noqa: ANN001
    assert fn(value) == masked


@pytest.mark.parametrize("fn", [mask_id, mask_phone, mask_name, mask_plate])
def test_none_and_empty_pass_through(fn) -> None:  # noqa: ANN001
    assert fn(None) is None
    assert fn("") == ""


@given(id_numbers())
def test_id_masks_birth_date(idn: str) -> None:
    m = mask_id(idn)
    assert m[:6] == idn[:6] and m[-4:] == idn[-4:] and m[6:14] == "*" * 8


@given(mobiles)
def test_phone_keeps_3_and_4(m: str) -> None:
    assert mask_phone(m) == m[:3] + "****" + m[-4:]


@given(plates())
def test_plate_keeps_first_3_and_last_1(p: str) -> None:
    m = mask_plate(p)
    assert len(m) == len(p) and m[:3] == p[:3] and m[-1] == p[-1] and set(m[3:-1]) == {"*"}


def _revealed(masked: str) -> int:
    return sum(1 for c in masked if c != "*")


@given(st.text(alphabet=st.characters(blacklist_characters="*", blacklist_categories=("Zs", "Zl", "Zp", "Cc")),
               max_size=30),
       st.sampled_from([(mask_id, 10), (mask_phone, 7), (mask_plate, 4), (mask_name, 1)]))
def test_never_reveals_more_than_the_rule(s: str, fn_rule) -> None:  # noqa: ANN001
    fn, allowed = fn_rule
    m = fn(s)
    assert len(m) == len(s)
    shown = _revealed(m)
    assert shown <= allowed
    if s:
        # Something is always hidden, and a short value is at least half hidden.
        assert shown < len(s)
        if len(s) <= allowed:
            assert shown <= len(s) // 2


@pytest.mark.parametrize(("value", "masked"), [("1", "*"), ("12", "*2"), ("12345", "***45"),
                                               ("1234567890", "1*****7890")])
def test_short_ids(value: str, masked: str) -> None:
    assert mask_id(value) == masked


def test_mask_with_strips_whitespace() -> None:
    assert mask_with("  13800005678 ", 3, 4) == "138****5678"
