"""How strong a passphrase looks, for the hint under the set-up dialog's passphrase box.

Only a hint: the rule that is enforced is the minimum length (6). Length counts most; mixing
kinds of characters helps; a passphrase of one repeated character or only digits is weak.
"""
from __future__ import annotations

WEAK, FAIR, STRONG = "weak", "fair", "strong"
MIN_LENGTH = 6


def strength(passphrase: str) -> str:
    p = passphrase or ""
    kinds = sum(bool(any(test(c) for c in p)) for test in (str.islower, str.isupper, str.isdigit,
                                                          lambda c: not c.isascii() or not c.isalnum()))
    if len(p) < MIN_LENGTH or len(set(p)) <= 2 or p.isdigit() and len(p) < 12:
        return WEAK
    if len(p) >= 14 and kinds >= 2 or len(p) >= 10 and kinds >= 3:
        return STRONG
    return FAIR
