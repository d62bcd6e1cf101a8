"""`renewdesk-server` refuses a port or a retention it cannot use with exit 2 and one line, before
opening anything: `--port 99999` reached the socket and `--retention-days inf` the pruning cut-off,
each as a traceback."""
from __future__ import annotations

import pytest

from server.cli import main


@pytest.mark.parametrize("args", [
    ["--port", "99999"], ["--port", "-1"], ["--port", "http"],
    ["--retention-days", "inf", "prune"], ["prune", "--retention-days", "1e308"], ["--retention-days", "nan", "prune"],
])
def test_an_impossible_port_or_retention_is_exit_2(args, tmp_path, capsys):
    assert main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert ("port" in err) or ("retention" in err)


def test_a_long_but_finite_retention_still_prunes(tmp_path, capsys):
    assert main(["--db", f"sqlite:///{tmp_path / 'hq.db'}", "prune", "--retention-days", "3650", "--json"]) == 0
    assert capsys.readouterr().out.strip() == '{"feed_floor": 0}'
