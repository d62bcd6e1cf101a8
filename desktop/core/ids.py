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
