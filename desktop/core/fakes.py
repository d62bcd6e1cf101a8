"""Seeded generator of fictitious but valid identities (tests, ``renewdesk demo``).

Everything is invented: names are random surname + given-name combinations,
addresses use made-up place names (示例市, 样本县 …), insurers are made-up
names. Identifiers are random but pass ``desktop.core.identifiers``.

Speed matters (a million identities for load tests), so every method uses
``random.random()`` with precomputed tables instead of ``randrange``/``choice``
and computes check characters inline.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from desktop.core.identifiers import ENERGY_LETTERS, PLATE_LETTERS, PROVINCES

__all__ = ["FakeData", "FakeIdentity", "PLATE_KINDS", "INSURERS"]

PLATE_KINDS = ("ordinary", "ne_small", "ne_large", "trailer", "emergency")
# Relative frequency when no kind is asked for: mostly ordinary cars.
_KIND_TABLE = ("ordinary",) * 14 + ("ne_small",) * 4 + ("ne_large", "trailer")

_DIGITS = "0123456789"
_SERIAL = PLATE_LETTERS + _DIGITS
# Real plates are mostly digits; draw a letter about one time in five.
_SERIAL_WEIGHTED = _DIGITS * 4 + PLATE_LETTERS[:10]

_VIN_VALUE = {**{d: int(d) for d in _DIGITS},
              **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
              **dict(zip("JKLMN", range(1, 6), strict=True)), "P": 7, "R": 9,
              **dict(zip("STUVWXYZ", range(2, 10), strict=True))}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)
_VIN_BODY = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"
_DOMESTIC_WMI = ("LSV", "LFV", "LGB", "LVS", "LSG", "LHG", "LDC", "LZW", "LBV", "LGX")
_IMPORTED_WMI = ("WBA", "WDD", "JTD", "1HG", "5YJ", "KMH", "VF1", "ZFA", "SAL", "YV1")
_MODEL_YEAR = "BCDEFGHJKLMNPRST"  # 2011–2026

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# Province-level prefixes of the address code; the rest is random (no whitelist is applied).
_ID_PROVINCE = ("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35",
                "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54",
                "61", "62", "63", "64", "65")

_MOBILE_PREFIX = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                  "152", "155", "156", "157", "158", "159", "166", "170", "176", "177", "180",
                  "181", "182", "183", "185", "186", "187", "188", "189", "191", "198", "199")
_AREA_CODES = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0311",
               "0371", "0431", "0531", "0551", "0571", "0591", "0731", "0771", "0871")

_SURNAMES = "王张李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文单"
_GIVEN = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强志明文博"
          "子涵浩然雨萱梓轩欣怡宇航思远晨曦嘉怡俊杰佳琪一鸣天佑若曦瑞安海燕春梅秋菊冬梅"
          "德福永康淑珍玉兰凤英长青振东立新红梅晓东小龙晓燕海波国庆建军卫东")
_GIVEN_CHARS = tuple(dict.fromkeys(_GIVEN))

_CITIES = ("示例市", "样本市", "演示市", "虚构市", "测试市", "样例县", "范例市")
_DISTRICTS = ("和平区", "新城区", "东湖区", "西山区", "南园区", "北岸区", "城关镇")
_ROADS = ("和平路", "建设路", "人民路", "解放路", "幸福路", "光明街", "文化路", "新华路",
          "友谊路", "团结街", "育才路", "青年路")
INSURERS = ("安泰财产保险", "华诚财险", "恒远财产保险", "瑞丰财险", "禾信财产保险", "嘉岳财险")


@dataclass(frozen=True)
class FakeIdentity:
    name: str
    id_number: str
    mobile: str
    plate: str
    vin: str
    address: str
    insurer: str


class FakeData:
    """Deterministic for a given seed: the same calls in the same order give the same data."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._r = self._rng.random
        # Yesterday in China time: a birth date is never 'after today' for check_id_number.
        self._today_ordinal = datetime.now(timezone(timedelta(hours=8))).date().toordinal() - 1

    def _pick(self, seq: str | tuple[str, ...]) -> str:
        return seq[int(self._r() * len(seq))]

    def _digits(self, k: int) -> str:
        # One draw for all k digits: much cheaper than k separate draws.
        return str(int(self._r() * 10 ** k)).zfill(k)

    # --- plates -------------------------------------------------------------
    def plate(self, kind: str | None = None) -> str:
        pick = self._pick
        kind = kind or pick(_KIND_TABLE)
        head = pick(PROVINCES) + pick(PLATE_LETTERS)
        if kind == "ordinary":
            return head + "".join(pick(_SERIAL_WEIGHTED) for _ in range(5))
        if kind == "ne_small":
            return head + pick(ENERGY_LETTERS) + pick(_SERIAL) + self._digits(4)
        if kind == "ne_large":
            return head + self._digits(5) + pick("DF")
        if kind == "trailer":
            return head + self._digits(4) + "挂"
        if kind == "emergency":
            return head + self._digits(4) + "应急"
        raise ValueError(f"unknown plate kind {kind!r}; one of {PLATE_KINDS}")

    # --- VIN ------------------------------------------------------------------
    def vin(self, domestic: bool = True) -> str:
        pick = self._pick
        wmi = pick(_DOMESTIC_WMI if domestic else _IMPORTED_WMI)
        vds = "".join(pick(_VIN_BODY) for _ in range(5))
        tail = pick(_MODEL_YEAR) + pick(_VIN_BODY) + self._digits(6)
        body = wmi + vds + "0" + tail
        r = sum(_VIN_VALUE[c] * w for c, w in zip(body, _VIN_WEIGHTS, strict=True)) % 11
        return wmi + vds + ("X" if r == 10 else str(r)) + tail

    # --- resident ID ------------------------------------------------------------
    def id_number(self, birth_year_range: tuple[int, int] = (1940, 2004)) -> str:
        lo = date(birth_year_range[0], 1, 1).toordinal()
        hi = min(date(birth_year_range[1], 12, 31).toordinal(), self._today_ordinal)
        born = date.fromordinal(lo + int(self._r() * (hi - lo + 1)))
        first17 = (self._pick(_ID_PROVINCE) + self._digits(4) + born.strftime("%Y%m%d")
                   + self._digits(3))
        total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
        return first17 + _ID_CHECK[total % 11]

    # --- phones -------------------------------------------------------------------
    def mobile(self) -> str:
        return self._pick(_MOBILE_PREFIX) + self._digits(8)

    def landline(self) -> str:
        """Formatted with a dash (``0571-87654321``), as people write it."""
        area = self._pick(_AREA_CODES)
        length = 8 if len(area) == 3 else 7 + int(self._r() * 2)
        return f"{area}-{self._pick('2345678')}{self._digits(length - 1)}"

    # --- people and places ---------------------------------------------------------
    def name(self) -> str:
        pick = self._pick
        given = pick(_GIVEN_CHARS)
        if self._r() < 0.7:
            given += pick(_GIVEN_CHARS)
        return pick(_SURNAMES) + given

    def address(self) -> str:
        pick, r = self._pick, self._r
        return (f"{pick(_CITIES)}{pick(_DISTRICTS)}{pick(_ROADS)}{1 + int(r() * 300)}号"
                f"{1 + int(r() * 6)}单元{1 + int(r() * 25)}0{1 + int(r() * 4)}室")

    def insurer(self) -> str:
        return self._pick(INSURERS)

    def identity(self) -> FakeIdentity:
        return FakeIdentity(name=self.name(), id_number=self.id_number(), mobile=self.mobile(),
                            plate=self.plate(), vin=self.vin(), address=self.address(),
                            insurer=self.insurer())
