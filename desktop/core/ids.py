"""Primary keys: UUIDv7 strings created where the record is born (DESIGN §2).

v7 keys sort by creation time, so B-tree inserts stay local and records created offline on two
counters never collide.
"""

from __future__ import annotations

import uuid6


def new_id() -> str:
    """A new UUIDv7 as its canonical 36-character lower-case string."""
    return str(uuid6.uuid7())
