"""Hypothesis strategies for valid identifiers, built from the rules (domain-rules §5).

Independent of desktop.core.fakes on purpose: these encode the rules directly,
so a bug shared by the generator and the validator cannot hide. Reuse freely:

    from tests.unit.strategies import plates, vins, id_numbers, mobiles, odd_spellings
"""
from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I, O
DIGITS = "0123456789"
ENERGY = "DABCEFGHJK"
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
VIN_VALUE = {**{d: int(d) for d in DIGITS}, "A": 1, "B": 2, "C": 3, "D": 4, "E": 5, "F": 6, "G": 7,
             "H": 8, "J": 1, "K": 2, "L": 3, "M": 4, "N": 5, "P": 7, "R": 9, "S": 2, "T": 3, "U": 4,
             "V": 5, "W": 6, "X": 7, "Y": 8, "Z": 9}
VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
SEPARATORS = (" ", "\u3000", "·", "•", "・", "．", "-", "－", "—", "–")


def _chars(alphabet: str, n: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=n, max_size=n)


def vin_check(vin17: str) -> str:
    r = sum(VIN_VALUE[c] * w for c, w in zip(vin17, VIN_WEIGHTS, strict=True)) % 11
    return "X" if r == 10 else str(r)


def id_check(first17: str) -> str:
    return ID_CHECK[sum(int(c) * w for c, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


_head = st.tuples(st.sampled_from(PROVINCES), st.sampled_from(LETTERS)).map("".join)

ordinary_plates = st.tuples(
    _head, _chars(LETTERS + DIGITS, 4), st.sampled_from(LETTERS + DIGITS + "挂学警港澳")
).map("".join)
ne_small_plates = st.tuples(
    _head, st.sampled_from(ENERGY), st.sampled_from(LETTERS + DIGITS), _chars(DIGITS, 4)
).map("".join)
ne_large_plates = st.tuples(_head, _chars(DIGITS, 5), st.sampled_from(ENERGY)).map("".join)
emergency_plates = st.tuples(_head, _chars(LETTERS + DIGITS, 4), st.just("应急")).map("".join)

PLATE_KINDS = {"ordinary": ordinary_plates, "ne_small": ne_small_plates,
               "ne_large": ne_large_plates, "emergency": emergency_plates}


def plates(kind: str | None = None) -> st.SearchStrategy[str]:
    return PLATE_KINDS[kind] if kind else st.one_of(*PLATE_KINDS.values())


def vins(domestic: bool | None = None) -> st.SearchStrategy[str]:
    """Valid VINs (check digit right). domestic=True → starts with L; False → never L."""
    if domestic is None:
        first = st.sampled_from(VIN_ALPHABET)
    else:
        first = st.just("L") if domestic else st.sampled_from(VIN_ALPHABET.replace("L", ""))

    def build(t: tuple[str, str, str]) -> str:
        head = t[0] + t[1]  # positions 1–8
        return head + vin_check(head + "0" + t[2]) + t[2]

    return st.tuples(first, _chars(VIN_ALPHABET, 7), _chars(VIN_ALPHABET, 8)).map(build)


def _today() -> date:
    # One day of margin so tests never depend on the machine's time zone vs CST.
    return date.today() - timedelta(days=1)


def birth_dates(min_year: int = 1900) -> st.SearchStrategy[date]:
    return st.dates(min_value=date(min_year, 1, 1), max_value=_today())


def id_numbers(min_year: int = 1900) -> st.SearchStrategy[str]:
    """Valid 18-character resident IDs (any address code, real past birth date)."""
    return st.tuples(_chars(DIGITS, 6), birth_dates(min_year), _chars(DIGITS, 3)).map(
        lambda t: (lambda f: f + id_check(f))(t[0] + t[1].strftime("%Y%m%d") + t[2])
    )


def old_id_numbers() -> st.SearchStrategy[str]:
    """Valid 15-digit old-style IDs (born 1900–1999)."""
    return st.tuples(
        _chars(DIGITS, 6), st.dates(date(1900, 1, 1), date(1999, 12, 31)), _chars(DIGITS, 3)
    ).map(lambda t: t[0] + t[1].strftime("%y%m%d") + t[2])


mobiles = st.tuples(st.just("1"), st.sampled_from("3456789"), _chars(DIGITS, 9)).map("".join)

landlines = st.tuples(
    st.sampled_from(("010", "020", "021", "0571", "0731", "0871")),
    st.sampled_from("2345678"),
    _chars(DIGITS, 6),
).map(lambda t: f"{t[0]}-{t[1]}{t[2]}")


def _full_width(ch: str) -> str:
    return chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch


@st.composite
def odd_spellings(draw: st.DrawFn, value: str) -> str:
    """The same identifier as people type it: full-width, lower-case, spaces, dots, dashes."""
    out = []
    for ch in value:
        if draw(st.booleans()):
            ch = ch.lower()
        if draw(st.booleans()):
            ch = _full_width(ch)
        out.append(ch)
        if draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(SEPARATORS)))
    lead = draw(st.sampled_from(("", " ", "\u3000", "  ")))
    return lead + "".join(out) + draw(st.sampled_from(("", " ", "\u3000")))
