"""Fake data: fictitious, valid, deterministic, fast."""
from __future__ import annotations

import re
from datetime import date

import pytest

from desktop.core.fakes import INSURERS, PLATE_KINDS, FakeData, FakeIdentity
from desktop.core.identifiers import (
    check_id_number,
    check_mobile,
    check_phone,
    check_plate,
    check_vin,
)

N = 10_000
CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,3}$")


def test_plates_valid_every_kind() -> None:
    f = FakeData(1)
    seen_lengths = set()
    for _ in range(N):
        p = f.plate()
        c = check_plate(p)
        assert c.value == p and not c.warnings
        seen_lengths.add(len(p))
    assert seen_lengths == {7, 8}
    for kind in PLATE_KINDS:
        for _ in range(200):
            p = f.plate(kind)
            assert check_plate(p).value == p
    assert f.plate("ne_small")[2] in "DABCEFGHJK"
    assert f.plate("emergency").endswith("应急")
    with pytest.raises(ValueError):
        f.plate("nonsense")


def test_vins_valid() -> None:
    f = FakeData(2)
    for _ in range(N):
        v = f.vin()
        assert v[0] == "L" and check_vin(v).value == v and not check_vin(v).warnings
    for _ in range(N // 10):
        v = f.vin(domestic=False)
        assert v[0] != "L" and check_vin(v).warnings == ()


def test_ids_valid_and_in_range() -> None:
    f = FakeData(3)
    for _ in range(N):
        idn = f.id_number()
        assert check_id_number(idn).value == idn
        assert 1940 <= int(idn[6:10]) <= 2004
    for _ in range(1000):
        idn = f.id_number(birth_year_range=(2000, 2100))
        born = date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
        assert born < date.today() and check_id_number(idn).value == idn


def test_phones_valid() -> None:
    f = FakeData(4)
    for _ in range(N):
        m = f.mobile()
        assert check_mobile(m).value == m
    for _ in range(N):
        c = check_phone(f.landline())
        assert c.warnings == ("座机号码，无法发短信",)


def test_names_addresses_insurers() -> None:
    f = FakeData(5)
    names = [f.name() for _ in range(N)]
    assert all(CJK_ONLY.match(n) for n in names)
    assert {n[0] for n in names} >= set("王张李刘陈杨赵黄周吴")
    assert len(set(names)) > N // 4
    for _ in range(100):
        a = f.address()
        assert re.fullmatch(r"\w+(市|县)\w+(区|镇)\w+(路|街)\d+号\d单元\d+室", a), a
        assert f.insurer() in INSURERS


def test_deterministic_by_seed() -> None:
    def sample(seed: int) -> list[FakeIdentity]:
        f = FakeData(seed)
        return [f.identity() for _ in range(200)]

    assert sample(42) == sample(42)
    assert sample(42) != sample(43)
    ident = sample(7)[0]
    assert check_plate(ident.plate).value == ident.plate
    assert check_id_number(ident.id_number).value == ident.id_number
