"""Retry timing: full jitter under an exponentially growing ceiling, reset by success or reconnect."""
from desktop.sync.schedule import Schedule


def test_backoff_ceiling_doubles_up_to_the_cap_and_the_wait_is_drawn_below_it():
    ceilings = []
    s = Schedule(rng=lambda lo, hi: ceilings.append((lo, hi)) or hi, base_s=10, cap_s=100)
    waits = [s.after_failure() for _ in range(6)]
    assert [hi for _, hi in ceilings] == [10, 20, 40, 80, 100, 100]
    assert all(lo == 0 for lo, _ in ceilings)
    assert waits == [10, 20, 40, 80, 100, 100]


def test_full_jitter_can_wait_almost_nothing_but_never_spins():
    s = Schedule(rng=lambda lo, hi: lo)
    assert s.after_failure() == 1.0


def test_success_and_reconnect_reset_the_backoff():
    s = Schedule(rng=lambda lo, hi: hi, base_s=10, cap_s=1000)
    for _ in range(5):
        s.after_failure()
    assert s.after_success() == s.interval_s
    assert s.after_failure() == 10
    s.after_failure()
    assert s.on_reconnect() == 1.0
    assert s.after_failure() == 10
