"""No exit 1 from a user's input anywhere (issue 10 items 4 and 8): hypothesis drives random
arguments — calendar-edge dates, absurd numbers, stray text — through the real command line
(desktop.cli.main, in process, on a real encrypted store). Every answer is 0 or a documented
failure code with one line on stderr, never an internal error."""
from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop import cli

PASSPHRASE, ADMIN_PW = "prop-passphrase", "prop-admin-pw-1"

EDGE_DATES = ["9999-12-31", "0001-01-01", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00+14:00",
              "2026-12-01T10:00+15:00", "2026-12-01T10:00-99:99", "2028-02-29", "2027-02-29", "2026-13-01",
              "2026-12-01T24:00", "2026-12-01T24:01", "20261301", "1899-12-31", "2201-01-01", "", " ",
              "2026年12月31日24时止", "NaN", "-1", "1e308", "２０２６／１２／０１"]
EDGE_INTS = ["0", "-1", "3661", "99999999999999999999999", "1e9", "abc", "", " 7 ", "-0", "0x10", "9" * 5000]
words = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30)
dates = st.one_of(st.sampled_from(EDGE_DATES), words)
ints = st.one_of(st.sampled_from(EDGE_INTS), st.integers(-10**30, 10**30).map(str))


@st.composite
def argv(draw, tmp: Path) -> list[str]:
    cmd = draw(st.sampled_from(["lookup", "record", "export", "letters", "slip", "import", "settings",
                                "audit", "staff", "self-check-json"]))
    q = draw(st.lists(words, min_size=0, max_size=3))
    at = ["--at", draw(dates)] if draw(st.booleans()) else []
    if cmd == "lookup":
        return ["lookup", *q, *at]
    if cmd == "record":
        extra = []
        for opt in ("--start", "--end"):
            if draw(st.booleans()):
                extra += [opt, draw(dates)]
        return ["record", *q, "--outcome", draw(st.sampled_from(["renewed_here", "will_come", "bogus"])), *extra, *at]
    if cmd == "export":
        return ["export", "due", "--within", draw(ints), "--xlsx", str(tmp / "e.xlsx"), *at]
    if cmd == "letters":
        return ["letters", "--due-within", draw(ints), "--pdf", str(tmp / "l.pdf"), *at]
    if cmd == "slip":
        return ["slip", *q, "--pdf", str(tmp / draw(st.sampled_from(["s.pdf", "no/such/dir/s.pdf"]))), *at]
    if cmd == "import":
        return ["import", str(tmp / draw(st.sampled_from(["missing.xlsx", "junk.xlsx", "dir"]))), "--dry-run", "--json"]
    if cmd == "settings":
        return ["settings", "set", draw(st.sampled_from(["lead_days", "idle_lock_minutes", "org", "nope"])), draw(ints)]
    if cmd == "staff":
        return ["staff", "add", draw(words), "--role", draw(st.sampled_from(["clerk", "root"]))]
    if cmd == "audit":
        return ["audit", draw(st.sampled_from(["verify", "explode"]))]
    return ["self-check", "--json"]


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("prop")
    (d / "junk.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (d / "dir").mkdir()
    return d


def _main(args: list[str], data: Path, monkeypatch) -> tuple[int, str]:
    monkeypatch.setenv("RENEWDESK_DATA_DIR", str(data))
    monkeypatch.setenv("RENEWDESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("RENEWDESK_STAFF_PASSWORD", ADMIN_PW)
    monkeypatch.setenv("RENEWDESK_NEW_STAFF_PASSWORD", "new-staff-pw-1")
    monkeypatch.delenv("RENEWDESK_DEBUG", raising=False)
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        try:
            code = cli.main(args)
        except SystemExit as exc:  # argparse
            code = exc.code
    return code, err.getvalue()


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_arguments_never_exit_1(store_dir, monkeypatch, data):
    store = store_dir / "store"
    if not (store / "renewdesk.db").exists():
        assert _main(["demo", "--vehicles", "40", "--at", "2026-12-01T10:00"], store, monkeypatch)[0] == 0
    args = data.draw(argv(store_dir))
    code, err = _main(args, store, monkeypatch)
    assert code in (0, 2, 3, 4, 5), (args, code, err)
    assert "内部错误" not in err and "Traceback" not in err, (args, err)
    if code:
        assert err.strip() and "\n" not in err.strip(), (args, err)
    sys.stdout.flush()
