"""Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014) for per-change stamps.

A stamp is (wall_ms, counter, node): wall_ms tracks physical time closely, the counter orders
events within one millisecond or while the local clock lags a remote one, and the node id breaks
ties, so every stamp is unique and last-writer-wins is deterministic across counters.
The string form has fixed-width fields, so sorting strings sorts stamps (usable as a DB column).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

_WALL_DIGITS = 15  # ms since 1970 needs 13 digits until the year 2286; 15 leaves room
_COUNTER_HEX = 8  # the counter grows while a skewed remote clock is ahead; 2**32 is plenty
_MAX_COUNTER = 16**_COUNTER_HEX - 1


class HLCError(ValueError):
    """A malformed stamp string, counter overflow or a remote clock too far ahead."""


@dataclass(frozen=True, order=True)
class HLC:
    wall_ms: int
    counter: int
    node: str

    def __post_init__(self) -> None:
        if not 0 <= self.wall_ms < 10**_WALL_DIGITS:
            raise HLCError("wall_ms out of range")
        if not 0 <= self.counter <= _MAX_COUNTER:
            raise HLCError("counter out of range")
        if not self.node:
            raise HLCError("node must not be empty")

    def __str__(self) -> str:
        return f"{self.wall_ms:0{_WALL_DIGITS}d}-{self.counter:0{_COUNTER_HEX}x}-{self.node}"

    @classmethod
    def parse(cls, s: str) -> HLC:
        """Inverse of ``str()``; the node may itself contain "-" (e.g. a UUID)."""
        parts = s.split("-", 2)
        if len(parts) != 3 or len(parts[0]) != _WALL_DIGITS or len(parts[1]) != _COUNTER_HEX:
            raise HLCError(f"not an HLC stamp: {s!r}")
        try:
            wall, counter = int(parts[0], 10), int(parts[1], 16)
        except ValueError:
            raise HLCError(f"not an HLC stamp: {s!r}") from None
        stamp = cls(wall, counter, parts[2])
        # Only the canonical text: int() also reads "+", "_", " ", "0x", upper-case hex and other
        # scripts' digits, and such a stamp sorts as text (last-writer-wins compares the strings,
        # head office's SQL too) apart from the value it parses to, so replicas could disagree.
        if str(stamp) != s:
            raise HLCError("not a canonical HLC stamp")
        return stamp


# Tests only (the fault campaign's skewed counter): shifts this process's physical clock as the
# HLC sees it. Unset in production.
CLOCK_OFFSET_ENV = "RENEWDESK_TEST_CLOCK_OFFSET_MS"
_OFFSET_MS = int(os.environ.get(CLOCK_OFFSET_ENV, "0") or 0)


def _system_ms() -> int:
    return time.time_ns() // 1_000_000 + _OFFSET_MS


class Clock:
    """One node's clock. Not thread-safe by itself: the store serialises writes.

    ``max_drift_ms``: if set, ``update`` refuses a remote stamp further ahead of local physical time
    (the paper's safeguard against one bad clock dragging everybody forward). Off by default because
    counter PCs with a slow clock would otherwise be unable to sync at all; the sync layer decides.
    """

    def __init__(
        self,
        node: str,
        now_fn: Callable[[], int] = _system_ms,
        last: HLC | None = None,
        max_drift_ms: int | None = None,
    ) -> None:
        self.node = node
        self._now_fn = now_fn
        self._max_drift_ms = max_drift_ms
        # Restoring the last persisted stamp keeps stamps monotonic across restarts.
        self._wall = last.wall_ms if last else 0
        self._counter = last.counter if last else 0

    @property
    def last(self) -> HLC:
        return HLC(self._wall, self._counter, self.node)

    def _emit(self, wall: int, counter: int) -> HLC:
        if counter > _MAX_COUNTER:
            raise HLCError("HLC counter overflow")
        self._wall, self._counter = wall, counter
        return HLC(wall, counter, self.node)

    def now(self) -> HLC:
        """Stamp for a local event (or a send)."""
        pt = self._now_fn()
        if pt > self._wall:
            return self._emit(pt, 0)
        return self._emit(self._wall, self._counter + 1)

    def now_text(self) -> str:
        """``str(self.now())`` without building an HLC object: an import stamps 10⁵ changes."""
        pt = self._now_fn()
        if pt > self._wall:
            self._wall, self._counter = pt, 0
        elif self._counter >= _MAX_COUNTER:
            raise HLCError("HLC counter overflow")
        else:
            self._counter += 1
        return f"{self._wall:0{_WALL_DIGITS}d}-{self._counter:0{_COUNTER_HEX}x}-{self.node}"

    def update(self, remote: HLC) -> HLC:
        """Stamp for receiving ``remote``: strictly after both our last stamp and the remote one."""
        pt = self._now_fn()
        if self._max_drift_ms is not None and remote.wall_ms - pt > self._max_drift_ms:
            raise HLCError("remote clock is too far ahead")
        wall = max(self._wall, remote.wall_ms, pt)
        if wall == self._wall and wall == remote.wall_ms:
            counter = max(self._counter, remote.counter) + 1
        elif wall == self._wall:
            counter = self._counter + 1
        elif wall == remote.wall_ms:
            counter = remote.counter + 1
        else:
            counter = 0
        return self._emit(wall, counter)
