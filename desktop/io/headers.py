"""Find the header row of an insurer/DMS export and map its columns to our fields (DESIGN §7).

Exports put title rows above the header ("2024年续保清单", "导出时间：…"), merge header cells,
and use two-level headers (交强险 over 起期/止期). We score each of the first rows by how many of
its cells are known column names and take the best; the merged-cell filling is done by the
table reader, so here a two-level header is simply "this row, read with the row above".
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.errors import BadInput
from desktop.io.synonyms import CI_PREFIX, FIELDS, GROUP_CHILD, GROUP_MARKERS, IGNORED, SYNONYMS, TERM_SPLIT

PER_TERM = "per_term"
PER_VEHICLE = "per_vehicle"
NO_TERMS = "none"  # neither a 险种 column nor 交强险/商业险 date columns: vehicles/customers only

_BRACKETS = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]")
_STRIP = re.compile(r"[\s*:：#№]+")


class HeaderError(BadInput, ValueError):
    """No header row could be found, or a --map override is wrong. Chinese ``message``."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ColumnInfo:
    header: str  # as shown to the user: the cell text, or parent+child for a two-level header
    field: str


@dataclass
class HeaderInfo:
    header_row: int  # the lowest header row (Excel numbering); data start below it
    columns: dict[int, ColumnInfo]  # column index (0 = A) → mapped field
    layout: str  # PER_TERM | PER_VEHICLE | NO_TERMS
    unknown_headers: list[str] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)  # known, deliberately unused (发动机号…)
    headers: list[str | None] = field(default_factory=list)  # display header per column index

    @property
    def fields(self) -> dict[str, int]:
        return {c.field: i for i, c in self.columns.items()}

    @property
    def mapping(self) -> dict[str, str]:
        """{header: field} as `import --json` prints it."""
        return {c.header: c.field for _, c in sorted(self.columns.items())}

    @property
    def signature(self) -> str:
        return header_signature(self.headers)


def norm(text: Any) -> str:
    """Header text as we compare it: NFKC (full-width → half-width), no spaces/colons/stars, lower."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return _STRIP.sub("", s).lower()


def _lookup(key: str, table: dict[str, str]) -> str | None:
    if not key:
        return None
    if key in table:
        return table[key]
    bare = _BRACKETS.sub("", key)  # 保费(元), 车牌号（必填）
    return table.get(bare) if bare and bare != key else None


def _group(key: str) -> str | None:
    key = _BRACKETS.sub("", key)
    return GROUP_MARKERS.get(key)


def _resolve(parent: Any, child: Any, table: dict[str, str]) -> tuple[str, str | None]:
    """(display header, field or None) for one column of a candidate header row."""
    c, p = norm(child), norm(parent)
    child_text = str(child).strip() if child is not None else ""
    parent_text = str(parent).strip() if parent is not None else ""
    if p and p != c:
        grp = _group(p)
        if grp is not None:
            # A kind group (交强险/商业险) over a child: the pair says which term. Checked before
            # "child known on its own" so 交强险 over 保险止期 is ci_end, not a kind-less end.
            pair = _lookup(grp + c, table) if c else None
            if pair is None and c:
                generic = _lookup(c, table) or GROUP_CHILD.get(_BRACKETS.sub("", c))
                pair = TERM_SPLIT.get((grp, generic)) if generic else None
            if pair is not None:
                return parent_text + child_text, pair
        alone = _lookup(c, table)
        if alone is not None:
            return child_text, alone
        if c:
            combined = _lookup(p + c, table)
            return (parent_text + child_text, combined) if combined else (child_text, None)
        # Nothing below: a header written only in the upper row of a two-row header.
        upper = _lookup(p, table)
        return (parent_text, upper) if upper else ("", None)
    return child_text, _lookup(c, table)


def _table(overrides: dict[str, str] | None) -> dict[str, str]:
    table = dict(SYNONYMS)
    for header, fld in (overrides or {}).items():
        if fld not in FIELDS and fld != "ignore":
            raise HeaderError(f"--map 中的字段「{fld}」不存在，可用字段：{'、'.join(sorted(FIELDS))}、ignore")
        table[norm(header)] = fld
    return table


def _score(resolved: list[tuple[str, str | None]]) -> float:
    fields = {f for _, f in resolved if f and f != "ignore"}
    ignored = sum(1 for _, f in resolved if f == "ignore")
    return len(fields) + 0.5 * ignored


def _resolve_row(row: Sequence[Any], parent: Sequence[Any] | None, table: dict[str, str]) -> list[tuple[str, str | None]]:
    # Only a row that itself holds header words reads the row above as its parent: otherwise the
    # first data row would inherit the header's fields through its empty cells.
    if parent is not None and not any(
            _lookup(norm(v), table) or GROUP_CHILD.get(norm(v)) for v in row if v is not None):
        parent = None
    n = max(len(row), len(parent or ()))
    out = []
    for i in range(n):
        child = row[i] if i < len(row) else None
        par = parent[i] if parent is not None and i < len(parent) else None
        out.append(_resolve(par, child, table) if (child is not None or par is not None) else ("", None))
    return out


def _fill_group_parents(parent: list[Any], child: Sequence[Any]) -> list[Any]:
    """Unmerged two-level headers write 交强险 once, above the first of its columns: carry it right
    over empty parent cells while the child row continues."""
    out = list(parent)
    carry = None
    for i in range(max(len(out), len(child))):
        if i >= len(out):
            out.append(None)
        if out[i] is not None:
            carry = out[i] if _group(norm(out[i])) else None
        elif carry is not None and i < len(child) and child[i] is not None:
            out[i] = carry
        else:
            carry = None
    return out


def detect_header(rows: Iterable[tuple[int, Sequence[Any]]], overrides: dict[str, str] | None = None) -> HeaderInfo:
    """``rows``: the first rows of the sheet as (excel_row, values), merged cells already filled."""
    table = _table(overrides)
    head = [(n, list(v)) for n, v in rows]
    best: tuple[float, int] | None = None
    candidates: dict[int, list[tuple[str, str | None]]] = {}
    for i, (_, values) in enumerate(head):
        if not any(v is not None for v in values):
            continue
        parent = None
        if i > 0 and head[i - 1][0] == head[i][0] - 1 and any(v is not None for v in head[i - 1][1]):
            parent = _fill_group_parents(head[i - 1][1], values)
        resolved = _resolve_row(values, parent, table)
        candidates[i] = resolved
        s = _score(resolved)
        # ">=" while the previous row also scored: a header merged over two rows reads the same in
        # both, and the header row is the lowest one.
        if best is None or s > best[0] or (s == best[0] and s > 0 and best[1] == i - 1):
            best = (s, i)
    if best is None or best[0] < 2:
        raise HeaderError(f"没有找到表头：前 {len(head) or 30} 行中找不到「车牌号」「车架号」「保险止期」等列名；"
                          "请确认选对了工作表，或用 --map '列名=字段' 指定")
    idx = best[1]
    resolved = candidates[idx]
    _check_overrides(overrides, resolved)
    columns: dict[int, ColumnInfo] = {}
    taken: dict[str, int] = {}
    unknown: list[str] = []
    ignored: list[str] = []
    for col, (header, fld) in enumerate(resolved):
        if fld is None:
            if header:
                unknown.append(header)
            continue
        if fld == "ignore":
            ignored.append(header)
            continue
        if fld in taken:
            # Two columns for one field (投保人 and 被保险人): the first synonym in our table wins,
            # ties go to the leftmost column; the other is reported as ignored.
            other = taken[fld]
            if _rank(header, table) < _rank(columns[other].header, table):
                ignored.append(columns.pop(other).header)
            else:
                ignored.append(header)
                continue
        taken[fld] = col
        columns[col] = ColumnInfo(header, fld)
    return HeaderInfo(header_row=head[idx][0], columns=dict(sorted(columns.items())), layout=_layout(columns),
                      unknown_headers=unknown, ignored_headers=ignored,
                      headers=[h or None for h, _ in resolved])


def _rank(header: str, table: dict[str, str]) -> int:
    key = norm(header)
    keys = list(table)
    return keys.index(key) if key in table else len(keys)


def _check_overrides(overrides: dict[str, str] | None, resolved: list[tuple[str, str | None]]) -> None:
    present = {norm(h) for h, _ in resolved}
    missing = [h for h in (overrides or {}) if norm(h) not in present]
    if missing:
        raise HeaderError(f"--map 指定的列「{'、'.join(missing)}」不在表头中")


def _layout(columns: dict[int, ColumnInfo]) -> str:
    fields = {c.field for c in columns.values()}
    if "kind" in fields:
        return PER_TERM
    if fields & {"ci_end", "bi_end", "ci_start", "bi_start", "ci_policy_no", "bi_policy_no"}:
        return PER_VEHICLE
    return NO_TERMS


def header_signature(headers: Iterable[str | None]) -> str:
    """Stable hash of a header row (order-sensitive, spelling-tolerant) to remember a confirmed mapping."""
    keys = [norm(h) for h in headers]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256("\x1f".join(keys).encode("utf-8")).hexdigest()[:16]


__all__ = ["CI_PREFIX", "ColumnInfo", "HeaderError", "HeaderInfo", "IGNORED", "NO_TERMS", "PER_TERM",
           "PER_VEHICLE", "detect_header", "header_signature", "norm"]
