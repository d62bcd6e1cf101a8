"""When to sync next: on start, on a timer, on reconnect, and after a failure with exponential
backoff and full jitter (a random wait in [0, min(cap, base * 2^failures)], so a hundred counters
coming back online after an outage do not hit head office in the same second)."""
from __future__ import annotations

import random
from collections.abc import Callable

START_DELAY_S = 3.0  # after the window opens
INTERVAL_S = 300.0  # while all is well
BASE_S, CAP_S = 15.0, 1800.0


class Schedule:
    def __init__(self, rng: Callable[[float, float], float] | None = None, interval_s: float = INTERVAL_S,
                 base_s: float = BASE_S, cap_s: float = CAP_S):
        self._uniform = rng or random.uniform
        self.interval_s, self.base_s, self.cap_s = interval_s, base_s, cap_s
        self.failures = 0

    def first(self) -> float:
        return START_DELAY_S

    def after_success(self) -> float:
        self.failures = 0
        return self.interval_s

    def after_failure(self) -> float:
        ceiling = min(self.cap_s, self.base_s * (2 ** min(self.failures, 30)))
        self.failures += 1
        return max(1.0, self._uniform(0.0, ceiling))

    def on_reconnect(self) -> float:
        """The network came back: try soon, whatever the backoff said."""
        self.failures = 0
        return 1.0
