"""Hybrid logical clock and UUIDv7 identifiers."""

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.hlc import HLC, Clock, HLCError
from desktop.core.ids import IdPool, new_id, new_ids

stamps = st.builds(
    HLC,
    st.integers(0, 10**15 - 1),
    st.integers(0, 2**32 - 1),
    st.text(alphabet="abcdef0123456789-", min_size=1, max_size=12),
)


@given(stamps)
def test_str_parse_round_trip(h):
    assert HLC.parse(str(h)) == h


@given(stamps, stamps)
def test_string_order_is_stamp_order(a, b):
    assert (str(a) < str(b)) == (a < b)


def test_order_fields():
    assert HLC(1, 5, "z") < HLC(2, 0, "a") < HLC(2, 1, "a") < HLC(2, 1, "b")


@pytest.mark.parametrize("s", ["", "1-2-3", "abc", "000000000000001-0000000g-n", "000000000000001-00000001-"])
def test_parse_rejects(s):
    with pytest.raises(HLCError):
        HLC.parse(s)


class FakeTime:
    def __init__(self, t: int) -> None:
        self.t = t

    def __call__(self) -> int:
        return self.t


def test_now_is_monotonic_when_physical_clock_stalls_or_goes_back():
    ft = FakeTime(1000)
    c = Clock("n1", ft)
    a = c.now()
    b = c.now()
    assert a == HLC(1000, 0, "n1") and b == HLC(1000, 1, "n1")
    ft.t = 900  # clock stepped back (NTP correction)
    assert c.now() == HLC(1000, 2, "n1")
    ft.t = 1001
    assert c.now() == HLC(1001, 0, "n1")


def test_update_follows_the_paper():
    ft = FakeTime(1000)
    c = Clock("n1", ft)
    c.now()  # (1000, 0)
    # remote ahead: take its wall, counter + 1
    assert c.update(HLC(2000, 7, "n2")) == HLC(2000, 8, "n1")
    # same wall as both: max counter + 1
    assert c.update(HLC(2000, 3, "n2")) == HLC(2000, 9, "n1")
    # remote behind: keep ours, counter + 1
    assert c.update(HLC(10, 99, "n2")) == HLC(2000, 10, "n1")
    # physical time passes both: counter resets
    ft.t = 3000
    assert c.update(HLC(2500, 4, "n2")) == HLC(3000, 0, "n1")


# Counters far below the maximum: 40 events can add at most 40, and overflow has its own test.
ordinary_stamps = st.builds(HLC, st.integers(0, 10**15 - 1), st.integers(0, 2**20),
                            st.text(alphabet="abcdef0123456789-", min_size=1, max_size=12))


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 5000), ordinary_stamps), max_size=40))
def test_clock_strictly_increasing_and_after_received(events):
    ft = FakeTime(0)
    c = Clock("me", ft)
    last = None
    for is_recv, t, remote in events:
        ft.t = t
        h = c.update(remote) if is_recv else c.now()
        if is_recv:
            assert (h.wall_ms, h.counter) > (remote.wall_ms, remote.counter)
        if last is not None:
            assert h > last
        last = h


def test_restore_from_last_and_drift_guard():
    c = Clock("n1", FakeTime(5), last=HLC(100, 3, "n1"))
    assert c.now() == HLC(100, 4, "n1")
    guarded = Clock("n1", FakeTime(1000), max_drift_ms=60_000)
    with pytest.raises(HLCError):
        guarded.update(HLC(1000 + 60_001, 0, "n2"))
    assert guarded.update(HLC(1000 + 60_000, 0, "n2")).wall_ms == 61_000


def test_counter_overflow_raises():
    c = Clock("n1", FakeTime(0), last=HLC(10, 2**32 - 1, "n1"))
    with pytest.raises(HLCError):
        c.now()


def test_new_id_is_uuid7_and_time_ordered():
    ids = [new_id() for _ in range(200)]
    assert len(set(ids)) == 200
    assert all(uuid.UUID(i).version == 7 and len(i) == 36 and i == i.lower() for i in ids)
    assert ids == sorted(ids)


def test_new_ids_and_a_pool_make_what_new_id_makes_in_creation_order():
    """Made in bulk (an import), ids keep new_id's layout and sort in creation order with new_id's
    before and after them, across counter overflows (more than 4,096 in one millisecond)."""
    pool = IdPool(most=64)
    made = [new_id(), *new_ids(10_000), new_id(), *(pool() for _ in range(300)), new_id()]
    assert len(set(made)) == len(made)
    assert all(uuid.UUID(i).version == 7 and uuid.UUID(i).variant == uuid.RFC_4122 and len(i) == 36
               and i == i.lower() for i in made)
    assert made == sorted(made)
    assert new_ids(0) == []


def test_now_text_is_the_string_of_now():
    a, b = Clock("n1", FakeTime(5)), Clock("n1", FakeTime(5))
    assert [a.now_text() for _ in range(3)] == [str(b.now()) for _ in range(3)]
    assert a.last == b.last
    c = Clock("n1", FakeTime(0), last=HLC(10, 2**32 - 1, "n1"))
    with pytest.raises(HLCError):
        c.now_text()
