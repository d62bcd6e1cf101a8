"""DESIGN §7 from outside, through the real console script: an output name that says another format
is refused before any work, and "a lapse of at most 3 years" is one calendar rule for the 已脱保 tab
(`worklist lapsed`) and `letters --include-lapsed`. Identities come from desktop.core.fakes."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import openpyxl
import pytest

from desktop.core.fakes import FakeData
from tests.integration.cli_env import AT, cli_env, run

# No 29 Feb between 2024-03-01 and 2027-03-01: three calendar years are 1095 days here, not 1096.
LATE_AT = "2027-03-01T10:00:00"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("files-windows")
    env = cli_env(data)
    assert run(env, "init").returncode == 0
    fake = FakeData(20270301)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["车牌号码", "被保险人", "联系电话", "地址", "险种", "保单号", "保险起期", "保险止期"])
    plates = {}
    # last covered day exactly 3 years + 1 day before LATE_AT's day (out), and exactly 3 years (in)
    for key, start, end in (("out", "2023-03-01", "2024-02-29"), ("in", "2023-03-02", "2024-03-01")):
        who = fake.identity()
        plates[key] = who.plate
        ws.append([who.plate, who.name, who.mobile, who.address, "交强险", f"P-{key}", start, end])
    xlsx = data / "lapses.xlsx"
    wb.save(xlsx)
    r = run(env, "import", str(xlsx), "--json")
    assert r.returncode == 0 and json.loads(r.stdout)["imported"] == 2, r.stderr
    return env, data, plates


def _lapsed_tab(env) -> set[str]:
    r = run(env, "worklist", "lapsed", "--json", "--at", LATE_AT)
    assert r.returncode == 0, r.stderr
    return {row["plate"] for row in json.loads(r.stdout)["rows"]}


def test_the_lapsed_tab_and_the_letters_agree_on_three_calendar_years(store):
    env, data, plates = store
    assert _lapsed_tab(env) == {plates["in"]}
    r = run(env, "letters", "--due-within", "0", "--include-lapsed", "--pdf", str(data / "l.pdf"), "--json",
            "--at", LATE_AT)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["letters"] + len(out["skipped"]) == 1     # the same one vehicle, by the same rule
    r = run(env, "lookup", plates["out"], "--json", "--at", LATE_AT)
    assert json.loads(r.stdout)["matches"][0]["days_left"] == -1096  # 已脱保 1096 天: past three years


def test_an_output_name_of_another_format_is_exit_2_before_any_work(store, tmp_path):
    env, _data, plates = store
    for args, wrong in ((("export", "due", "--xlsx"), "due.csv"),
                        (("slip", plates["in"], "--pdf"), "slip.xlsx"),
                        (("letters", "--due-within", "30", "--pdf"), "letters.docx")):
        target = tmp_path / wrong
        r = run(env, *args, str(target), "--at", AT)
        assert r.returncode == 2 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
        assert wrong in r.stderr and "结尾" in r.stderr                # says what is wrong and how to fix it
        assert not target.exists()
    r = run(env, "export", "due", "--xlsx", str(tmp_path / "due.XLSX"), "--at", AT)  # case does not matter
    assert r.returncode == 0 and (tmp_path / "due.XLSX").read_bytes()[:2] == b"PK"


def test_restore_names_the_folder_it_moves_aside_in_china_time_like_the_backup(store, tmp_path):
    """The PC's own zone (here New York, 13 hours behind) does not leak into the names: the replaced
    store's folder and the backup it was replaced from tell the same clock time."""
    env, data, _plates = store
    away = dict(env, TZ="America/New_York")
    r = run(away, "backup", str(tmp_path))
    assert r.returncode == 0, r.stderr
    (made,) = tmp_path.glob("*.rdbak")
    backup_stamp = datetime.strptime("-".join(made.stem.split("-")[-2:])[:13], "%Y%m%d-%H%M")
    assert run(away, "restore", str(made)).returncode == 0
    (aside,) = (data / "replaced").iterdir()
    aside_stamp = datetime.strptime(aside.name, "%Y%m%d-%H%M%S")
    assert timedelta(0) <= aside_stamp - backup_stamp < timedelta(hours=1)
