"""DESIGN §7 from outside: a typo in a path, a window or a date is bad input — exit 2 with one line
on stderr — never exit 1 ('内部错误', a bug of ours) after the work was done (issue 10 item 8)."""
from __future__ import annotations

import json

import pytest

from desktop.cli import main
from tests.integration.cli_env import AT, cli_env, run

PASS, STAFF = "hostile-pass-1", "hostile-staff-1"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RENEWDESK_PASSPHRASE", PASS)
        mp.setenv("RENEWDESK_STAFF_PASSWORD", STAFF)
        mp.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
        mp.setenv("QT_QPA_PLATFORM", "offscreen")
        mp.delenv("RENEWDESK_DEBUG", raising=False)
        assert main(["init", "--data-dir", str(data)]) == 0
        assert main(["demo", "--data-dir", str(data), "--vehicles", "40", "--seed", "3", "--at", AT]) == 0
        yield data


def refused(capsys, store, *args) -> str:
    capsys.readouterr()
    try:
        code = main([*args, "--data-dir", str(store)])
    except SystemExit as exc:  # argparse refuses an option's value by exiting
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.count("\n") == 1 and "内部错误" not in err
    return err


def a_plate(store, capsys) -> str:
    for q in ("王", "李", "张", "刘", "陈"):
        capsys.readouterr()
        main(["lookup", q, "--json", "--at", AT, "--data-dir", str(store)])
        matches = json.loads(capsys.readouterr().out)["matches"]
        if matches:
            return matches[0]["plate"]
    raise AssertionError("the demo store has none of these surnames")


def test_an_output_file_that_is_a_folder_or_under_a_missing_one_is_exit_2(store, capsys, tmp_path):
    folder, missing = tmp_path, tmp_path / "no-such-dir"
    assert "文件夹" in refused(capsys, store, "export", "due", "--xlsx", str(folder), "--at", AT)
    assert "目录不存在" in refused(capsys, store, "export", "status", "--xlsx", str(missing / "e.xlsx"), "--at", AT)
    assert "文件夹" in refused(capsys, store, "letters", "--due-within", "30", "--pdf", str(folder), "--at", AT)
    assert "文件夹" in refused(capsys, store, "import", str(tmp_path / "x.xlsx"), "--report", str(folder))
    assert "--csv" in refused(capsys, store, "sms", "--due-within", "30", "--csv", str(folder), "--at", AT)
    assert list(folder.iterdir()) == []  # nothing half-written beside them


def test_the_renewal_reports_xlsx_is_checked_like_every_other_output(store, capsys, tmp_path):
    """`report renewal --xlsx` under a missing folder was exit 1 (内部错误, FileNotFoundError) after
    the report was built; a folder or another format's suffix likewise."""
    args = ("report", "renewal", "--month", "2026-12", "--at", AT)
    assert "目录不存在" in refused(capsys, store, *args, "--xlsx", str(tmp_path / "no-such-dir" / "r.xlsx"))
    assert "文件夹" in refused(capsys, store, *args, "--xlsx", str(tmp_path))
    assert ".xlsx" in refused(capsys, store, *args, "--xlsx", str(tmp_path / "r.csv"))
    assert list(tmp_path.iterdir()) == []


def test_a_backup_into_a_path_that_is_a_file_is_exit_2(store, capsys, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    # an existing file that is not a backup is neither a folder nor a backup to replace
    assert "不会覆盖" in refused(capsys, store, "backup", str(blocker))
    assert "不是文件夹" in refused(capsys, store, "backup", str(blocker / "b.rdbak"))
    assert blocker.read_text() == "x"


def test_windows_and_months_past_the_calendar_are_exit_2(store, capsys, tmp_path):
    refused(capsys, store, "sms", "--due-within", "99999999999999", "--csv", str(tmp_path / "s.csv"), "--at", AT)
    refused(capsys, store, "report", "renewal", "--month", "9999-12", "--at", AT)


def test_an_empty_at_is_not_taken_as_now(store, capsys):
    assert "--at" in refused(capsys, store, "lookup", "王", "--at", "")


def test_an_unusable_data_dir_says_so_in_exactly_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for data in (blocker, blocker / "sub"):
        r = run(cli_env(data), "init")
        assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
        assert "无法使用" in r.stderr and "refused" not in r.stderr


def test_a_note_head_office_would_reject_is_refused_at_the_counter(store, capsys):
    from desktop.store.writes import MAX_NOTE
    from desktop.sync.protocol import MAX_TEXT

    assert MAX_NOTE == MAX_TEXT
    plate = a_plate(store, capsys)
    # 4,001 characters were stored, then refused by head office as rejected:bad_text:note: the
    # counter's record never reached the others.
    assert "备注太长" in refused(capsys, store, "record", plate, "--outcome", "declined", "--note", "备" * (MAX_NOTE + 1),
                                "--at", AT)
    assert main(["record", plate, "--outcome", "declined", "--note", "备" * MAX_NOTE, "--at", AT,
                 "--data-dir", str(store)]) == 0


def test_text_that_is_not_utf8_is_exit_2_but_a_file_name_may_be_any_bytes(store, capsys, tmp_path):
    # `--note $'\xff'` in a UTF-8 locale reaches argv as a surrogate escape: the store's UTF-8
    # encoder failed mid-command (exit 1 内部错误).
    assert "--note" in refused(capsys, store, "record", a_plate(store, capsys), "--outcome", "declined", "--note", "bad\udcff", "--at", AT)
    assert "查询内容" in refused(capsys, store, "lookup", "\udcff\udcfe", "--at", AT)
    assert "找不到文件" in refused(capsys, store, "import", str(tmp_path / "\udcff.xlsx"))  # a path: looked for


def test_an_insurer_or_policy_number_head_office_would_reject_is_refused(store, capsys):
    from desktop.services.record import MAX_TERM_TEXT
    from desktop.sync import protocol

    term = {"id": "0190a000-0000-7000-8000-0000000000f2", "vehicle_id": "0190a000-0000-7000-8000-0000000000f1",
            "kind": "CI", "start_at": "2027-01-01T00:00:00+08:00", "end_at": "2028-01-01T00:00:00+08:00",
            "source": "counter"}
    assert protocol.validate_payload("policy_term", "upsert", term["id"],
                                     term | {"insurer": "保" * (MAX_TERM_TEXT + 1)}) == "bad_text:insurer"
    plate = a_plate(store, capsys)
    for opt in ("--insurer", "--policy-no"):
        too_long = ["--insurer", "甲", "--policy-no", "P-LONG", opt, "号" * (MAX_TERM_TEXT + 1)]
        assert "太长" in refused(capsys, store, "record", plate, "--outcome", "renewed_elsewhere", *too_long,
                               "--start", "2027-06-01", "--at", AT)


def test_a_follow_up_day_past_the_calendar_is_exit_2(store, capsys):
    plate = a_plate(store, capsys)
    assert "--next" in refused(capsys, store, "record", plate, "--outcome", "will_come", "--next", "9999-12-31",
                               "--at", AT)
    assert "--next" in refused(capsys, store, "contact", plate, "--channel", "phone", "--result", "no_answer",
                               "--next", "0001-01-01", "--at", AT)
