"""The insurer directory (保险公司通讯录): shipped data, admin corrections, and which entry a term names.

Pure: the shipped table arrives as parsed JSON (resources/directory/insurers.json) and the admin's
corrections as plain dicts folded in order (they are append-only events in the store, synced like
any event). Every number is 待核实 (unconfirmed) until an admin confirms that entry; a later edit
that does not confirm again makes it unconfirmed again, because the number on paper changed.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from .identifiers import normalize_text

__all__ = ["EDITABLE", "UNCONFIRMED", "DirectoryError", "InsurerEntry", "apply_correction", "check_fields",
           "fold_directory", "match_insurer", "parse_directory", "shown"]

UNCONFIRMED = "待核实"
TEXT_FIELDS = ("name", "short", "claims_phone", "roadside_phone", "branch_address", "branch_hours")
EDITABLE = (*TEXT_FIELDS, "aliases", "report_within_hours")
_KEY = re.compile(r"^[a-z0-9_]{2,32}$")
_PHONE = re.compile(r"^[0-9][0-9\-]{2,19}$")  # 95518, 400-800-8080, 0755-12345678


class DirectoryError(ValueError):
    """A directory file or a correction is not usable (Chinese message: what and how to fix)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class InsurerEntry:
    key: str
    name: str
    short: str
    aliases: tuple[str, ...] = ()
    claims_phone: str = ""       # 报案电话
    roadside_phone: str = ""     # 道路救援
    report_within_hours: int | None = None  # the insurer's own reporting limit, as data
    branch_address: str = ""     # local branch claims address
    branch_hours: str = ""
    confirmed_by: str | None = None
    confirmed_at: str | None = None  # ISO instant of the confirming edit

    @property
    def confirmed(self) -> bool:
        return self.confirmed_by is not None


def shown(value: str | None, entry: InsurerEntry) -> str:
    """A number as printed and displayed: '95518（待核实）' until the entry is confirmed."""
    if not value:
        return ""
    return value if entry.confirmed else f"{value}（{UNCONFIRMED}）"


def check_fields(fields: Mapping[str, object]) -> dict:
    """Validate and normalise edited fields; raises DirectoryError naming the field."""
    out: dict = {}
    for name, value in fields.items():
        if name not in EDITABLE:
            raise DirectoryError(f"通讯录没有字段“{name}”。可改：{'、'.join(EDITABLE)}。")
        if name == "aliases":
            items = value.split("、") if isinstance(value, str) else list(value or ())
            out[name] = tuple(a.strip() for a in items if str(a).strip())
        elif name == "report_within_hours":
            if value in (None, ""):
                out[name] = None
                continue
            try:
                hours = int(value)
            except (TypeError, ValueError):
                raise DirectoryError("报案时限应为小时数（整数），例如 48。") from None
            if not 1 <= hours <= 24 * 30:
                raise DirectoryError("报案时限应在 1 到 720 小时之间。")
            out[name] = hours
        else:
            text = str(value or "").strip()
            if name in ("claims_phone", "roadside_phone") and text and not _PHONE.match(text):
                raise DirectoryError(f"“{text}”不像电话号码：只能有数字和“-”，例如 95518 或 400-800-8080。")
            if name in ("name", "short") and not text:
                raise DirectoryError("保险公司名称和简称不能为空。")
            if len(text) > 200:
                raise DirectoryError("内容太长（最多 200 个字）。")
            out[name] = text
    return out


def parse_directory(data: Mapping) -> dict[str, InsurerEntry]:
    """The shipped table: {"insurers": [{key, name, short, aliases, claims_phone, …}]}. Never confirmed."""
    rows = data.get("insurers") if isinstance(data, Mapping) else None
    if not isinstance(rows, list):
        raise DirectoryError("保险公司通讯录文件格式不对：缺少 insurers 列表。请重新安装续保台。")
    out: dict[str, InsurerEntry] = {}
    for n, row in enumerate(rows, 1):
        key = row.get("key") if isinstance(row, Mapping) else None
        if not isinstance(key, str) or not _KEY.match(key):
            raise DirectoryError(f"保险公司通讯录第 {n} 条的 key 不对（小写字母、数字、下划线）。")
        if key in out:
            raise DirectoryError(f"保险公司通讯录里 {key} 出现了两次。")
        fields = check_fields({k: v for k, v in row.items() if k in EDITABLE})
        out[key] = InsurerEntry(key=key, **{"name": key, "short": key, **fields})
    return out


def apply_correction(entries: dict[str, InsurerEntry], key: str, fields: Mapping[str, object], confirmed: bool,
                     staff: str | None, at: str) -> dict[str, InsurerEntry]:
    """One admin correction (or a new insurer when `key` is new); returns the new directory."""
    if not _KEY.match(key or ""):
        raise DirectoryError("保险公司代码只能用小写字母、数字和下划线（2–32 个）。")
    clean = check_fields(fields)
    base = entries.get(key)
    if base is None:
        if not clean.get("name"):
            raise DirectoryError(f"新增保险公司 {key} 需要填写名称。")
        base = InsurerEntry(key=key, name=clean["name"], short=clean.get("short") or clean["name"])
    entry = replace(base, **clean, confirmed_by=staff if confirmed else None, confirmed_at=at if confirmed else None)
    return {**entries, key: entry}


def fold_directory(shipped: dict[str, InsurerEntry], corrections: Iterable[Mapping]) -> dict[str, InsurerEntry]:
    """Apply stored corrections in order ({key, fields, confirmed, staff, at}); one that no longer
    validates (an older build wrote it) is skipped rather than breaking the counter."""
    out = dict(shipped)
    for c in corrections:
        try:
            out = apply_correction(out, c.get("key", ""), c.get("fields") or {}, bool(c.get("confirmed")),
                                   c.get("staff"), c.get("at") or "")
        except DirectoryError:
            continue
    return out


def _norm(s: str) -> str:
    return normalize_text(s).replace("股份有限公司", "").replace("有限责任公司", "").replace("有限公司", "")


def match_insurer(entries: Mapping[str, InsurerEntry], insurer: str | None) -> InsurerEntry | None:
    """The entry a term's insurer text names: exact name/short/alias first, then the longest name,
    short name or alias contained in it ("中国平安财产保险股份有限公司" → 平安)."""
    if not insurer or not insurer.strip():
        return None
    q = _norm(insurer)
    best: tuple[int, InsurerEntry] | None = None
    for e in entries.values():
        names = [_norm(x) for x in (e.name, e.short, *e.aliases) if x]
        if q in names:
            return e
        for n in names:
            if len(n) >= 2 and n in q and (best is None or len(n) > best[0]):
                best = (len(n), e)
    return best[1] if best else None
