"""One masking rule for screen, print and export (domain-rules §6).

- ID number 前6后4: ``110105********1234``
- phone 前3后4: ``138****5678``
- name keeps the first character: ``张**``
- plate keeps the first 3 and the last 1: ``京A1***5``; for an 8-character
  new-energy plate that gives ``京AD****5`` (we keep "first 3" literally rather
  than "province + letter + first serial char", so the number of hidden
  characters always equals length − 4).

Short or malformed values never crash and never reveal more than the rule
would for a well-formed value: if keeping head+tail would leave fewer than
half of the characters hidden, fewer characters are kept (tail first, since
the tail is what staff compare against). A one-character name is fully masked,
because its "first character" would be the whole value.
"""
from __future__ import annotations

from typing import overload

__all__ = ["mask_id", "mask_phone", "mask_name", "mask_plate", "mask_with"]

MASK = "*"


@overload
def mask_with(s: None, head: int, tail: int) -> None: ...
@overload
def mask_with(s: str, head: int, tail: int) -> str: ...
def mask_with(s: str | None, head: int, tail: int) -> str | None:
    """Keep ``head`` leading and ``tail`` trailing characters, mask the rest."""
    if s is None:
        return None
    s = s.strip()
    n = len(s)
    if n == 0:
        return s
    if n <= head + tail:
        # Too short for the rule: reveal at most half (rounded down), tail first.
        budget = n // 2
        tail = min(tail, budget)
        head = min(head, budget - tail)
    return s[:head] + MASK * (n - head - tail) + (s[n - tail:] if tail else "")


@overload
def mask_id(s: None) -> None: ...
@overload
def mask_id(s: str) -> str: ...
def mask_id(s: str | None) -> str | None:
    return mask_with(s, 6, 4)


@overload
def mask_phone(s: None) -> None: ...
@overload
def mask_phone(s: str) -> str: ...
def mask_phone(s: str | None) -> str | None:
    return mask_with(s, 3, 4)


@overload
def mask_name(s: None) -> None: ...
@overload
def mask_name(s: str) -> str: ...
def mask_name(s: str | None) -> str | None:
    if s is None:
        return None
    s = s.strip()
    if len(s) <= 1:
        return MASK * len(s)
    return s[0] + MASK * (len(s) - 1)


@overload
def mask_plate(s: None) -> None: ...
@overload
def mask_plate(s: str) -> str: ...
def mask_plate(s: str | None) -> str | None:
    return mask_with(s, 3, 1)
