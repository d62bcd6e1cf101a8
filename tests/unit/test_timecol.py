"""Policy-term instants at rest (desktop.store.timecol): every time the app writes comes back as
exactly the text it wrote, another form of an instant is stored as that instant (never as text
beside the numbers), and the migration's SQL conversion agrees with the app's."""
from __future__ import annotations

import importlib
import sqlite3
from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop.core.timeutil import CST
from desktop.store.records import iso
from desktop.store.timecol import _convert, stored

_0012 = importlib.import_module("desktop.store.migrations.versions.0012_term_times_epoch")
instants = st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2100, 1, 1),
                        timezones=st.just(CST)).map(lambda d: d.replace(microsecond=0))


def _sql_stored(db, value):
    return db.execute(f"SELECT {_0012._to_seconds('x')} FROM (SELECT ? AS x)", (value,)).fetchone()[0]


@given(instants)
def test_every_written_instant_reads_back_as_its_text(d: datetime) -> None:
    text = iso(d)
    seconds = stored(text)
    assert isinstance(seconds, int) and seconds == int(d.timestamp())
    assert _convert(str(seconds).encode()) == text
    db = sqlite3.connect(":memory:")
    assert _sql_stored(db, text) == seconds  # migration 0012 converts the stored text the same way
    assert db.execute(f"SELECT {_0012._to_text('x')} FROM (SELECT ? AS x)", (seconds,)).fetchone()[0] == text


@given(instants, st.sampled_from(["utc", "fraction", "space", "z"]))
def test_another_form_of_an_instant_is_stored_as_that_instant(d: datetime, form: str) -> None:
    text = iso(d)
    other = {"utc": d.astimezone(timezone.utc).isoformat(timespec="seconds"), "fraction": text[:19] + ".5+08:00",
             "space": text.replace("T", " "),
             "z": d.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")}[form]
    seconds = stored(other)
    assert seconds == int(d.timestamp())  # the same instant (a fraction of a second dropped)
    assert _convert(str(seconds).encode()) == text  # read back in the usual +08:00 form
    assert _sql_stored(sqlite3.connect(":memory:"), other) == seconds  # migration 0012 agrees


def test_a_time_without_an_offset_is_refused_not_stored_as_text() -> None:
    for bad in ("2026-12-20 00:00", "2026-12-20T00:00:00", "2026-13-01T00:00:00+08:00", "soon"):
        with pytest.raises(ValueError, match="UTC offset"):
            stored(bad)
        assert _sql_stored(sqlite3.connect(":memory:"), bad) == bad  # the migration leaves such text alone
