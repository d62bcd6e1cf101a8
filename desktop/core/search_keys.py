"""Search keys: what the store indexes for a vehicle/customer and what a query may be.

Every key is one ASCII character naming its kind, then the value (one byte of kind instead of a
repeated "pl:"-style prefix: the store holds ~10 keys a vehicle):

=====  ===============  ==========================================  ===============
kind   constant         value                                       query rank
=====  ===============  ==========================================  ===============
P      PLATE            normalised plate (only when stored otherwise) 0 (exact)
V      VIN              full VIN (query only, see below)            0
6      VIN6             last 6 characters of the VIN (车架号后六位)   1
T      PHONE            full phone (11-digit mobile / landline)     0
4      PHONE4           last 4 digits of the phone                  1
I      ID_NUMBER        full 18-character ID number (query only)    0
E      ID4              last 4 characters of the 18-character ID    1
N      NAME             name, normalised (no spaces or "·")         1
Y      INITIALS         pinyin initials of the name, upper-case     1
F      PINYIN           full pinyin of the name, upper-case         1
=====  ===============  ==========================================  ===============

A plate is found through the vehicle.plate index of live vehicles (ix_vehicle_plate, which
import matching needs anyway; migration 0014): a P key would repeat it (~31 B a vehicle), so
``search_keys_for`` gives one only for a plate stored in another form than its normal one (an
old import's "京a 12345"), which the column index cannot find by its normal form.

V and I are query kinds only: the store answers them from the vehicle.vin and customer.id_number
indexes it keeps anyway for import matching (migration 0011 dropped the keys, a second copy of
those columns, ~75 B a vehicle). ``search_keys_for`` does not give them; ``column_keys`` gives them
as stores before 0011 held them (for the migration's downgrade).

``query_keys`` returns exact-match keys (the store looks them up with ``=``).
``query_prefixes`` returns as-you-type keys with rank 2; the store answers them
with a prefix range scan (``key >= p AND key < p + '\\uffff'``) on the same
index, so a partial plate "粤B1" finds "P粤B12345" and "wang" finds "FWANGXIAOMING".

A query is tried as every kind it could be; the caller merges results, lower
rank first (DESIGN §7: exact plate, VIN, phone and ID matches first).
"""
from __future__ import annotations

import heapq
from collections.abc import Callable
from functools import lru_cache

from pypinyin import Style, pinyin

from desktop.core.identifiers import (
    PLATE_LETTERS,
    PLATE_SUFFIXES,
    PROVINCES,
    VIN_CHARS,
    Checked,
    IdentifierError,
    check_id_number,
    check_phone,
    check_plate,
    check_vin,
    normalize_text,
)

__all__ = ["MAX_PINYIN_COMBINATIONS", "MAX_FULL_PINYIN", "pinyin_initials", "full_pinyin", "search_keys_for",
           "query_keys", "query_prefixes", "PLATE", "VIN", "VIN6", "PHONE", "PHONE4", "ID_NUMBER", "ID4", "NAME",
           "INITIALS", "PINYIN", "KINDS", "COLUMN_KINDS", "column_keys", "plate_column_key"]

MAX_PINYIN_COMBINATIONS = 16
MAX_FULL_PINYIN = 2  # full readings kept per name (the usual one and one heteronym): each is a ~12-byte key

PLATE, VIN, VIN6, PHONE, PHONE4, ID_NUMBER, ID4, NAME, INITIALS, PINYIN = "PV6T4IENYF"
KINDS = {PLATE: "plate", VIN: "vin", VIN6: "vin6", PHONE: "phone", PHONE4: "phone4", ID_NUMBER: "id_number",
         ID4: "id4", NAME: "name", INITIALS: "initials", PINYIN: "pinyin"}

COLUMN_KINDS = frozenset((VIN, ID_NUMBER))  # answered from column indexes, never stored as keys

# pypinyin has no surname mode; these surnames' usual reading is not pypinyin's
# first reading, so the surname letter is put first (all readings still follow).
_SURNAME_FIRST = {
    "单": "S", "曾": "Z", "解": "X", "仇": "Q", "朴": "P", "尉": "Y", "区": "O",
    "查": "Z", "盖": "G", "缪": "M", "翟": "Z", "乐": "Y", "折": "S", "覃": "Q",
    "重": "C", "种": "C", "秘": "B", "召": "S", "员": "Y", "繁": "P", "句": "G",
    "柏": "B", "祭": "Z", "长": "C", "朝": "C",
}


def _is_cjk(ch: str) -> bool:
    cp = ord(ch)
    return 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FFFF or ch == "〇"


@lru_cache(maxsize=8192)
def _letters(ch: str) -> tuple[str, ...]:
    """Distinct initial letters of every reading of one character, pypinyin order."""
    if ch.isascii():
        return (ch.upper(),) if ch.isalnum() else ()
    if not _is_cjk(ch):
        return ()
    # Per character on purpose: for a known phrase pypinyin returns only the
    # phrase reading, which would hide e.g. 单 = SHAN inside a name.
    readings = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True, errors=lambda _x: None)
    letters = [r.upper() for group in readings for r in group if r and r.isalpha()]
    return tuple(dict.fromkeys(letters))


def primary_initials(name: str | None) -> str | None:
    """The stored search initials of a name: its first (most usual) reading, or None."""
    inits = pinyin_initials(name)
    return inits[0] if inits else None


def pinyin_initials(name: str | None) -> list[str]:
    """Every reading's initials (heteronyms), upper-case, at most 16 combinations.

    The first combination uses the surname reading for the first character and
    pypinyin's most common reading for the rest.
    """
    if not name:
        return []
    return list(_pinyin_initials(name))


@lru_cache(maxsize=65536)  # names repeat (an import of 10⁵ owners meets the common ones again and again)
def _pinyin_initials(name: str) -> tuple[str, ...]:
    per_char: list[tuple[str, ...]] = []
    for i, ch in enumerate(normalize_text(name)):
        letters = _letters(ch)
        if not letters:
            continue
        if i == 0 and ch in _SURNAME_FIRST:
            first = _SURNAME_FIRST[ch]
            letters = (first,) + tuple(x for x in letters if x != first)
        per_char.append(letters)
    if not per_char:
        return ()
    if all(len(letters) == 1 for letters in per_char):  # no heteronym (most names): one combination
        return ("".join([letters[0] for letters in per_char]),)
    # Cheapest combinations first (fewest uncommon readings), rather than
    # itertools.product order, so that the cap never starves the first
    # characters (the surname) of their alternatives. Ties: earlier char first.
    # Letters per character are distinct, so distinct index tuples give distinct strings.
    start = (0,) * len(per_char)
    heap: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = [(0, start, start)]
    seen = {start}
    out: list[str] = []
    while heap and len(out) < MAX_PINYIN_COMBINATIONS:
        cost, _, idx = heapq.heappop(heap)
        out.append("".join(letters[j] for letters, j in zip(per_char, idx, strict=True)))
        for i, letters in enumerate(per_char):
            if idx[i] + 1 < len(letters):
                nxt = idx[:i] + (idx[i] + 1,) + idx[i + 1:]
                if nxt not in seen:
                    seen.add(nxt)
                    heapq.heappush(heap, (cost + 1, tuple(-x for x in nxt), nxt))
    return tuple(out)


# The surname reading of the characters above, for full pinyin ("单" is SHAN as a surname).
_SURNAME_READING = {
    "单": "SHAN", "曾": "ZENG", "解": "XIE", "仇": "QIU", "朴": "PIAO", "尉": "YU", "区": "OU",
    "查": "ZHA", "盖": "GE", "缪": "MIAO", "翟": "ZHAI", "乐": "YUE", "折": "SHE", "覃": "QIN",
    "重": "CHONG", "种": "CHONG", "秘": "BI", "召": "SHAO", "员": "YUN", "繁": "PO", "句": "GOU",
    "柏": "BAI", "祭": "ZHAI", "长": "CHANG", "朝": "CHAO",
}


@lru_cache(maxsize=8192)
def _readings(ch: str) -> tuple[str, ...]:
    """Distinct toneless readings of one character, upper-case (ü as V, as typed on a keyboard)."""
    if ch.isascii():
        return (ch.upper(),) if ch.isalnum() else ()
    if not _is_cjk(ch):
        return ()
    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda _x: None)
    out = [r.upper().replace("Ü", "V") for group in got for r in group if r and r.isalpha()]
    return tuple(dict.fromkeys(out))


def full_pinyin(name: str | None) -> list[str]:
    """The name's full pinyin without tones or spaces ("林安君" -> "LINANJUN"): the usual reading
    first (the surname reading for the first character), then other readings of heteronyms, at
    most MAX_FULL_PINYIN."""
    if not name:
        return []
    return list(_full_pinyin(name))


@lru_cache(maxsize=65536)
def _full_pinyin(name: str) -> tuple[str, ...]:
    per_char: list[tuple[str, ...]] = []
    for i, ch in enumerate(normalize_text(name)):
        readings = _readings(ch)
        if not readings:
            continue
        if i == 0 and ch in _SURNAME_READING:
            first = _SURNAME_READING[ch]
            readings = (first,) + tuple(r for r in readings if r != first)
        per_char.append(readings)
    if not per_char:
        return ()
    out = ["".join(r[0] for r in per_char)]
    # One character at a time takes another reading (the common heteronym cases), first chars first.
    for i, readings in enumerate(per_char):
        for alt in readings[1:]:
            if len(out) >= MAX_FULL_PINYIN:
                return tuple(dict.fromkeys(out))
            out.append("".join(alt if j == i else r[0] for j, r in enumerate(per_char)))
    return tuple(dict.fromkeys(out))


def _try(check: Callable[[str], Checked], value: str) -> str | None:
    try:
        return check(value).value
    except IdentifierError:
        return None


def _as_is(_check: Callable[[str], Checked], value: str) -> str:
    return value


def search_keys_for(plate: str | None = None, vin: str | None = None, name: str | None = None,
                    phone: str | None = None, id_number: str | None = None, checked: bool = False) -> set[str]:
    """Keys to index for one record. Values that fail validation (old imports)
    are still indexed in their normalised form so that they stay findable.
    `checked`: the identifiers are already the normal forms their checks return (an import has
    just validated them), so they are not checked again."""
    norm = _as_is if checked else _try
    keys: set[str] = set()
    if plate and (p := norm(check_plate, plate) or normalize_text(plate)) and p != plate:
        keys.add(PLATE + p)  # else the plate column's index finds it (see the module docstring)
    if vin and (v := norm(check_vin, vin) or normalize_text(vin)):
        if len(v) >= 6:
            keys.add(VIN6 + v[-6:])
    if name:
        keys.update(_name_keys(name))
    if phone and (ph := norm(check_phone, phone) or normalize_text(phone)):
        keys.add(PHONE + ph)
        main = ph.split("转")[0]
        digits = main if main.isdigit() else "".join(c for c in main if c.isdigit())
        if len(digits) >= 4:
            keys.add(PHONE4 + digits[-4:])
    if id_number and (i := norm(check_id_number, id_number) or normalize_text(id_number)):
        if len(i) >= 4:
            keys.add(ID4 + i[-4:])
    return keys


@lru_cache(maxsize=65536)  # an import meets common names again and again
def _name_keys(name: str) -> tuple[str, ...]:
    """The N, Y and F keys of one name (none for a name that normalises to nothing)."""
    n = normalize_text(name)
    if not n:
        return ()
    return (NAME + n, *(INITIALS + p for p in _pinyin_initials(name)), *(PINYIN + p for p in _full_pinyin(name)))


def plate_column_key(plate: str | None) -> str | None:
    """The P key a store before migration 0014 held for every plate (its downgrade)."""
    if plate and (p := _try(check_plate, plate) or normalize_text(plate)):
        return PLATE + p
    return None


def column_keys(vin: str | None, id_number: str | None) -> set[str]:
    """The V and I keys a store before migration 0011 held for these values (its downgrade)."""
    keys: set[str] = set()
    if vin and (v := _try(check_vin, vin) or normalize_text(vin)):
        keys.add(VIN + v)
    if id_number and (i := _try(check_id_number, id_number) or normalize_text(id_number)):
        keys.add(ID_NUMBER + i)
    return keys


def _dedupe(pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    best: dict[str, int] = {}
    for key, rank in pairs:
        best[key] = min(rank, best.get(key, rank))
    return sorted(best.items(), key=lambda kv: kv[1])  # stable: keeps discovery order per rank


def _is_name(q: str) -> bool:
    return bool(q) and all(_is_cjk(c) for c in q)


_VIN_MISREAD = str.maketrans("IOQ", "100")
_PLATE_MISREAD = str.maketrans("IO", "10")


def query_keys(q: str | None) -> list[tuple[str, int]]:
    """Exact keys the query could be, each with its rank (0 exact identifier, 1 partial)."""
    n = normalize_text(q or "")
    if not n:
        return []
    out: list[tuple[str, int]] = []
    # A plate's serial holds no I or O (domain-rules §5): 粤B1O345 can only be 粤B10345 (the office
    # letter, which must be a letter, is left alone).
    if p := _try(check_plate, n) or (len(n) > 2 and _try(check_plate, n[:2] + n[2:].translate(_PLATE_MISREAD))):
        out.append((PLATE + p, 0))
    elif n and n[0] not in PROVINCES and n[0].isascii() and n[0].isalpha() and 6 <= len(n) <= 7:
        # A plate said without its province ("ba33103"): the same plate under any province.
        out += [(PLATE + p, 1) for p in (_try(check_plate, pr + n) for pr in PROVINCES) if p]
    # A VIN holds no I, O or Q (domain-rules §5): read aloud or copied by hand they are 1 and 0.
    vn = n.translate(_VIN_MISREAD) if len(n) in (6, 17) else n
    if v := _try(check_vin, vn):
        out.append((VIN + v, 0))
    if ph := _try(check_phone, q or ""):
        out.append((PHONE + ph, 0))
    if i := _try(check_id_number, n):
        out.append((ID_NUMBER + i, 0))
    if len(vn) == 6 and all(c in VIN_CHARS for c in vn):
        out.append((VIN6 + vn, 1))
    if len(n) == 4 and n.isdigit():
        out += [(PHONE4 + n, 1), (ID4 + n, 1)]
    elif len(n) == 4 and n[:3].isdigit() and n[3] == "X":
        out.append((ID4 + n, 1))
    if _is_name(n):
        out.append((NAME + n, 1))
    if _is_letters(n):
        out += [(INITIALS + n, 1), (PINYIN + n, 1)]
    return _dedupe(out)


def _is_letters(n: str) -> bool:
    """A query that may be pinyin initials or full pinyin. Two letters at least: one letter would
    list every name starting with it. Up to 40 for both: a minority name's initials run long
    (阿依古丽·买买提 → AYGLMMT), and initials were once cut at 6, which lost such names."""
    return 2 <= len(n) <= 40 and n.isascii() and n.isalpha()


def _plate_prefix(n: str) -> bool:
    # Province, office letter, then characters any plate shape allows.
    # From two characters on: "粤B" lists that office's plates (the list stops at 50).
    if not (2 <= len(n) <= 7) or n[0] not in PROVINCES or n[1] not in PLATE_LETTERS:
        return False
    tail_ok = set(PLATE_LETTERS) | set("0123456789") | set(PLATE_SUFFIXES) | {"应"}
    return all(c in tail_ok for c in n[2:])


def query_prefixes(q: str | None) -> list[tuple[str, int]]:
    """As-you-type prefix keys (rank 2), answered by a prefix range scan in the store."""
    n = normalize_text(q or "")
    out: list[tuple[str, int]] = []
    if _plate_prefix(n):
        out.append((PLATE + n, 2))
    if _is_name(n):
        out.append((NAME + n, 2))
    if _is_letters(n):  # "wang" finds 王… and 汪… by their syllables as they are typed
        out += [(INITIALS + n, 2), (PINYIN + n, 2)]
    return out
