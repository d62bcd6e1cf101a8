"""Primary keys: UUIDv7 strings created where the record is born (DESIGN §2).

v7 keys sort by creation time, so B-tree inserts stay local and records created offline on two
counters never collide.

Made here rather than by a library (uuid6.uuid7 costs ~10 µs; an import of 10⁵ rows makes 4×10⁵
ids): RFC 9562 layout, 48-bit Unix milliseconds, then a 12-bit counter in rand_a (method 1 of
§6.2: ids made in one millisecond by this process still sort in creation order; the millisecond
is borrowed forward when the counter runs out), then 62 random bits.
"""

from __future__ import annotations

import os
import random
import threading
import time

_lock = threading.Lock()
_last_ms = 0
_seq = 0
_VARIANT = 0b10 << 62
# Seeded from os.urandom; not for secrets (tokens use the secrets module), only for uniqueness.
_rand = random.Random(os.urandom(32)).getrandbits


def new_id() -> str:
    """A new UUIDv7 as its canonical 36-character lower-case string."""
    global _last_ms, _seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _seq = ms, _rand(10)  # room left to count up
        else:
            _seq += 1
            if _seq > 0xFFF:
                _last_ms, _seq = _last_ms + 1, 0
        ms, seq = _last_ms, _seq
    n = (ms << 80) | (0x7000 | seq) << 64 | _VARIANT | _rand(62)
    h = f"{n:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


_VARIANT_HEX = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}  # the variant's two bits: 10


def new_ids(n: int) -> list[str]:
    """`n` new ids at once, in creation order, as n calls of new_id would make them (the same
    layout, millisecond and counter rules) at ~2.5x less CPU: one lock, one read of the clock and
    one os.urandom for them all (an import makes 4×10⁵: ~1 s of new_id)."""
    global _last_ms, _seq
    slots = []  # (ms, first counter, how many)
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms > _last_ms:
            _last_ms, _seq = ms, _rand(10) - 1  # new_id's first id of a millisecond takes _rand(10)
        ms, seq, left = _last_ms, _seq, n
        while left:
            take = min(left, 0xFFF - seq)
            if take <= 0:  # the counter ran out: borrow the next millisecond, as new_id does
                ms, seq = ms + 1, -1
                continue
            slots.append((ms, seq + 1, take))
            seq += take
            left -= take
        _last_ms, _seq = ms, seq
    tail = os.urandom(8 * n).hex()  # 62 random bits each (2 of the 64 are the variant)
    out: list[str] = []
    i = 0
    for ms, first, take in slots:
        h = f"{ms:012x}"
        head = f"{h[:8]}-{h[8:]}-7"
        for s in range(first, first + take):
            r = tail[i:i + 16]
            i += 16
            out.append(f"{head}{s:03x}-{_VARIANT_HEX[r[0]]}{r[1:4]}-{r[4:]}")
    return out


class IdPool:
    """new_id for a writer that may make many ids: drawn from new_ids in refills that double from
    4 up to `most` (a counter's one change makes few spare ids, an import's 10⁵ few refills), handed
    out in order (an id is made when its pool is refilled, at most `most` ids before it is used)."""

    def __init__(self, most: int = 2048):
        self._most, self._next = most, 4
        self._left: list[str] = []

    def __call__(self) -> str:
        if not self._left:
            self._left = new_ids(self._next)
            self._left.reverse()  # pop() from the end hands them out in creation order
            self._next = min(self._next * 2, self._most)
        return self._left.pop()
