"""The real `renewdesk` console script in a subprocess (DESIGN §7): exit codes, JSON, secrets, staff."""
from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date, time, timedelta
from pathlib import Path

import pytest

from desktop.services import lookup
from desktop.store import vehicles_repo
from desktop.store.keyring_port import NoKeyring
from desktop.store.store import open_store

AT = "2026-12-01T10:00:00"
PASSPHRASE = "cli-passphrase-1"
ADMIN_PW = "cli-admin-pw-1"
KEYS = {"plate", "vin", "owner", "phone", "status", "days_left", "ci_end_date", "bi_end_date", "insurer",
        "next_start_date", "gaps", "source", "as_of"}
STATUSES = ("ACTIVE", "DUE", "RENEWED", "LAPSED", "PENDING", "NONE")
_SCRIPT = Path(sys.executable).with_name("renewdesk")
CMD = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "desktop.cli"]


def run(*args: str, data: Path | None = None, timeout: float = 120, **env: str | None):
    e = {k: v for k, v in os.environ.items() if not k.startswith("RENEWDESK_")}
    e.update(RENEWDESK_PASSPHRASE=PASSPHRASE, RENEWDESK_STAFF_PASSWORD=ADMIN_PW,
             PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", QT_QPA_PLATFORM="offscreen")
    if data is not None:
        e["RENEWDESK_DATA_DIR"] = str(data)
    for k, v in env.items():
        if v is None:
            e.pop(k, None)
        else:
            e[k] = v
    return subprocess.run([*CMD, *args], env=e, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout)


def one_line_error(p, code: int) -> str:
    assert p.returncode == code, (p.returncode, p.stdout, p.stderr)
    err = p.stderr.strip()
    assert err and "\n" not in err and "Traceback" not in err, p.stderr
    return err


def ok(p) -> str:
    assert p.returncode == 0, (p.returncode, p.stdout, p.stderr)
    return p.stdout


def lookup_json(data: Path, *query: str, **env) -> list[dict]:
    out = ok(run("lookup", *query, "--json", "--at", AT, data=data, **env))
    return json.loads(out)["matches"]


def snapshot(d: Path) -> dict[str, str]:
    """Every stored byte of the data dir; the logs folder is the app's diary, not the store."""
    return {p.relative_to(d).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(d.rglob("*")) if p.is_file() and p.relative_to(d).parts[0] != "logs"}


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("cli") / "data"
    assert "已创建" in ok(run("init", data=d))
    one_line_error(run("init", data=d), 2)
    out = ok(run("demo", "--vehicles", "300", "--seed", "1", "--at", AT, data=d))
    assert "300" in out
    # Find one vehicle of each status (and a DUE one to renew) straight from the store.
    s = open_store(d, lambda: PASSPHRASE, NoKeyring())
    try:
        with s.engine.connect() as c:
            bundles = vehicles_repo.load_bundles(c, vehicles_repo.all_vehicle_ids(c))
            phones = {b.vehicle.plate: b.owner.phone for b in bundles if b.owner}
            c.rollback()
    finally:
        s.close()
    from desktop.core.timeutil import parse_at

    by_status: dict[str, list] = {}
    for b in bundles:
        m = lookup.match_from_bundle(b, parse_at(AT), 90)
        by_status.setdefault(m.coverage.status, []).append(m)
    return {"dir": d, "by_status": by_status, "phones": phones}


@pytest.fixture
def copy(demo_dir, tmp_path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(demo_dir["dir"], dst)
    return dst


def test_every_status_is_reported_as_the_store_holds_it(demo_dir):
    d, by_status = demo_dir["dir"], demo_dir["by_status"]
    assert set(by_status) == set(STATUSES)
    for status in STATUSES:
        m = by_status[status][0]
        (j,) = [x for x in lookup_json(d, m.plate) if x["plate"] == m.plate]
        assert j["status"] == status
        assert j["ci_end_date"] == (m.coverage.ci_end_date.isoformat() if m.coverage.ci_end_date else None)


def test_lookup_json_shape(demo_dir):
    d = demo_dir["dir"]
    m = demo_dir["by_status"]["DUE"][0]
    matches = lookup_json(d, m.plate)
    j = matches[0]
    assert set(j) == KEYS
    assert j["plate"] == m.plate and j["vin"] == m.vin and re.fullmatch(r"[A-HJ-NPR-Z0-9]{17}", j["vin"])
    assert re.fullmatch(r"\S\*+", j["owner"])
    full_phone = demo_dir["phones"][m.plate]
    if re.fullmatch(r"1\d{10}", full_phone):
        assert j["phone"] == f"{full_phone[:3]}****{full_phone[-4:]}"
    assert full_phone not in json.dumps(matches)
    assert j["status"] == "DUE" and isinstance(j["days_left"], int) and 0 <= j["days_left"] <= 90
    date.fromisoformat(j["ci_end_date"])
    assert j["bi_end_date"] is None or date.fromisoformat(j["bi_end_date"])
    assert j["insurer"] and j["source"] == "import:demo"
    assert j["as_of"] == "2026-11-28T10:00:00+08:00"
    assert isinstance(j["gaps"], list)
    for g in (g for s in STATUSES for x in demo_dir["by_status"][s] for g in x.to_json()["gaps"]):
        assert set(g) == {"from", "to", "days"}
        assert (date.fromisoformat(g["to"]) - date.fromisoformat(g["from"])).days + 1 == g["days"]


def test_lapsed_with_next_term_shows_next_start(demo_dir):
    lapsed_next = [m for m in demo_dir["by_status"]["LAPSED"] if m.coverage.next_start_date]
    assert lapsed_next
    m = lapsed_next[0]
    (j,) = [x for x in lookup_json(demo_dir["dir"], m.plate) if x["plate"] == m.plate]
    assert j["next_start_date"] == m.coverage.next_start_date.isoformat() and j["days_left"] <= -1


def test_positional_words_join(demo_dir):
    plate = demo_dir["by_status"]["ACTIVE"][0].plate
    matches = lookup_json(demo_dir["dir"], plate[:2].lower(), plate[2:])
    assert matches[0]["plate"] == plate


def test_no_match_is_exit_0_and_empty(demo_dir):
    p = run("lookup", "完全不存在的人", "--json", "--at", AT, data=demo_dir["dir"])
    assert p.returncode == 0 and json.loads(p.stdout) == {"matches": []}
    assert "找不到" in ok(run("lookup", "完全不存在的人", "--at", AT, data=demo_dir["dir"]))


def test_human_lookup_output(demo_dir):
    m = demo_dir["by_status"]["DUE"][0]
    out = ok(run("lookup", m.plate, "--at", AT, data=demo_dir["dir"]))
    assert m.plate in out and "可续保" in out and demo_dir["phones"][m.plate] not in out


@pytest.mark.parametrize("bad", ["2026-13-45", "tomorrow", "2026-12-01T25:00"])
def test_bad_at_is_exit_2(demo_dir, bad):
    err = one_line_error(run("lookup", "王", "--at", bad, data=demo_dir["dir"]), 2)
    assert "--at" in err


def test_wrong_passphrase_is_3_and_changes_nothing(copy):
    before = snapshot(copy)
    err = one_line_error(run("lookup", "王", data=copy, RENEWDESK_PASSPHRASE="wrong-passphrase"), 3)
    assert "口令" in err
    assert snapshot(copy) == before


def test_damaged_store_is_5_and_changes_nothing(copy):
    ok(run("audit", "verify", data=copy))  # the copy is healthy (and now checkpointed)
    for extra in copy.glob("renewdesk.db-*"):
        extra.unlink()
    db = copy / "renewdesk.db"
    with open(db, "r+b") as fh:
        fh.seek(1500)
        fh.write(b"\xff" * 100)
    before = snapshot(copy)
    one_line_error(run("lookup", "王", data=copy), 5)
    assert snapshot(copy) == before


def test_wrong_staff_password_is_4(demo_dir):
    err = one_line_error(run("lookup", "王", data=demo_dir["dir"], RENEWDESK_STAFF_PASSWORD="nope-nope"), 4)
    assert "密码" in err
    one_line_error(run("lookup", "王", "--as", "nobody", data=demo_dir["dir"]), 4)


def test_clerk_may_not_add_staff(copy):
    ok(run("staff", "add", "clerk2", "--role", "clerk", data=copy, RENEWDESK_NEW_STAFF_PASSWORD="clerk2-pw"))
    p = run("staff", "add", "sneaky", "--role", "admin", "--as", "clerk2", data=copy,
            RENEWDESK_STAFF_PASSWORD="clerk2-pw", RENEWDESK_NEW_STAFF_PASSWORD="sneaky-pw")
    assert "权限" in one_line_error(p, 4)
    one_line_error(run("lookup", "王", "--as", "sneaky", data=copy, RENEWDESK_STAFF_PASSWORD="sneaky-pw"), 4)
    # the clerk may look up
    ok(run("lookup", "王", "--as", "clerk2", data=copy, RENEWDESK_STAFF_PASSWORD="clerk2-pw"))


@pytest.mark.parametrize("var", ["RENEWDESK_PASSPHRASE", "RENEWDESK_STAFF_PASSWORD"])
def test_missing_secret_without_terminal_is_2_naming_it(demo_dir, var):
    p = run("lookup", "王", data=demo_dir["dir"], timeout=60, **{var: None})
    assert var in one_line_error(p, 2)


def test_init_without_passphrase_is_2(tmp_path):
    p = run("init", data=tmp_path / "new", timeout=60, RENEWDESK_PASSPHRASE=None)
    assert "RENEWDESK_PASSPHRASE" in one_line_error(p, 2)
    assert not (tmp_path / "new" / "key.wrapped").exists()


@pytest.mark.parametrize("admin", ["a\nb", "x" * 65], ids=["newline", "too-long"])
def test_init_with_a_bad_admin_name_writes_no_store(tmp_path, admin):
    """A refused init leaves nothing behind: a store without its admin could never be logged in to,
    and `init` again would only say the store exists (DESIGN §7)."""
    d = tmp_path / "new"
    one_line_error(run("init", "--admin", admin, data=d, timeout=60), 2)
    assert snapshot(d) == {} if d.exists() else True
    ok(run("init", "--admin", "boss", data=d, timeout=60))
    assert json.loads(ok(run("staff", "list", "--json", "--as", "boss", data=d, timeout=60)))["staff"][0]["name"] == "boss"


def test_record_renewal_then_lookup_shows_renewed(copy, demo_dir):
    # a current term ending at midnight, so that a new term from the next day touches it
    m = next(x for x in demo_dir["by_status"]["DUE"] if x.coverage.source_term.end_at.time() == time(0))
    start = m.coverage.ci_end_date + timedelta(days=1)
    end = date(start.year + 1, start.month, start.day) - timedelta(days=1)
    out = ok(run("record", m.plate, "--outcome", "renewed_here", "--insurer", "瑞丰财险", "--policy-no", "P-1",
                 "--start", start.isoformat(), "--end", end.isoformat(), "--at", AT, data=copy))
    assert m.plate in out
    (j,) = [x for x in lookup_json(copy, m.plate) if x["plate"] == m.plate]
    assert j["status"] == "RENEWED" and j["ci_end_date"] == end.isoformat()
    assert j["insurer"] == "瑞丰财险" and j["source"] == "counter" and j["as_of"].endswith("+08:00")
    assert j["days_left"] == (end - date(2026, 12, 1)).days


def test_record_with_the_brief_dates_on_a_vehicle_without_cover(copy, demo_dir):
    m = demo_dir["by_status"]["NONE"][0]
    ok(run("record", m.plate, "--outcome", "renewed_here", "--insurer", "X", "--policy-no", "P",
           "--start", "2026-12-20", "--end", "2027-12-19", "--at", AT, data=copy))
    (j,) = [x for x in lookup_json(copy, m.plate) if x["plate"] == m.plate]
    assert (j["status"], j["ci_end_date"], j["next_start_date"]) == ("PENDING", None, "2026-12-20")
    p = run("lookup", m.plate, "--json", "--at", "2026-12-20T00:00:00", data=copy)
    (j,) = [x for x in json.loads(ok(p))["matches"] if x["plate"] == m.plate]
    assert (j["status"], j["ci_end_date"], j["days_left"]) == ("ACTIVE", "2027-12-19", 364)


def test_demo_again_with_the_same_seed_adds_no_second_copy_of_each_car(copy, demo_dir):
    """The same seed makes the same VINs: a second fill put every car in twice, and `record`
    then found two of each (exit 2). Another seed still adds cars."""
    out = ok(run("demo", "--vehicles", "300", "--seed", "1", "--at", AT, data=copy))
    assert "没有再生成一遍" in out
    m = demo_dir["by_status"]["DUE"][0]
    assert [x["vin"] for x in lookup_json(copy, m.vin)] == [m.vin]
    j = json.loads(ok(run("demo", "--vehicles", "5", "--seed", "2", "--at", AT, "--json", data=copy)))
    assert j["vehicles"] == 5


def test_record_renewed_here_alone_stores_a_year_of_cover_from_the_current_end(copy, demo_dir):
    """§7 makes --insurer/--policy-no/--start/--end optional: 本店续保 with none of them was exit 2
    (新保单号 required); it now stores the new cover from the defaults, so the car reads RENEWED."""
    m = next(x for x in demo_dir["by_status"]["DUE"] if x.coverage.source_term.end_at.time() == time(0))
    ok(run("record", m.plate, "--outcome", "renewed_here", "--at", AT, data=copy))
    (j,) = [x for x in lookup_json(copy, m.plate) if x["plate"] == m.plate]
    end = m.coverage.ci_end_date
    assert j["status"] == "RENEWED" and j["source"] == "counter"
    assert j["ci_end_date"] == date(end.year + 1, end.month, end.day).isoformat()


def test_record_bad_input_is_2(copy, demo_dir):
    plate = demo_dir["by_status"]["DUE"][0].plate
    one_line_error(run("record", plate, "--outcome", "renewed_here", "--start", "2026-13-01", data=copy), 2)
    one_line_error(run("record", plate, "--outcome", "bogus", data=copy), 2)


def test_record_ambiguous_lists_masked_candidates(copy, demo_dir):
    err = one_line_error(run("record", "王", "--outcome", "will_come", "--at", AT, data=copy), 2)
    assert "多辆" in err and re.search(r"王\*", err)
    for phone in demo_dir["phones"].values():
        assert phone not in err
    assert not re.search(r"1\d{10}", err)
    ok(run("audit", "verify", data=copy))


def test_global_options_after_the_sub_command(demo_dir, tmp_path):
    d = demo_dir["dir"]
    plate = demo_dir["by_status"]["ACTIVE"][0].plate
    elsewhere = tmp_path / "not-here"
    for args in (["lookup", plate, "--json", "--at", AT, "--data-dir", str(d), "--as", "admin"],
                 ["--data-dir", str(d), "--as", "admin", "lookup", plate, "--json", "--at", AT]):
        p = run(*args, data=elsewhere)
        assert json.loads(ok(p))["matches"][0]["plate"] == plate
    assert not elsewhere.exists()


def test_audit_verify_and_tampering(copy):
    out = ok(run("audit", "verify", "--json", data=copy))
    report = json.loads(out)
    assert report["ok"] is True and report["entries"] > 5
    s = open_store(copy, lambda: PASSPHRASE, NoKeyring())
    try:
        with s.engine.begin() as c:
            c.exec_driver_sql("UPDATE audit SET detail = 'edited' WHERE seq = 3")
    finally:
        s.close()
    p = run("audit", "verify", "--json", data=copy)
    assert p.returncode == 5
    assert json.loads(p.stdout)["first_broken"] == 3


def test_self_check(demo_dir):
    out = ok(run("self-check", "--json", data=demo_dir["dir"]))
    j = json.loads(out)
    assert j["ok"] is True and j["version"] == importlib.metadata.version("renewdesk")
    for k in ("store", "migrations", "pdf", "translation"):
        assert j[k].startswith("ok"), (k, j[k])
    assert j["pdf"] == "ok: 1 page" and j["translation"].startswith("ok: zh_CN")
    assert j["keyring"].startswith("none")  # the fail backend is no keyring
    assert j["migration_rehearsal"] == "ok" and j["audit_chain"] == "ok"
    assert j["key_source"] == "passphrase" and j["schema_revision"] == j["schema_head"]
    assert PASSPHRASE not in out and ADMIN_PW not in out


def test_self_check_and_version_without_a_store(tmp_path):
    """A fresh PC (what the frozen build is checked with in CI): no store, no staff, no secrets."""
    p = run("self-check", "--json", data=tmp_path / "empty", RENEWDESK_PASSPHRASE=None,
            RENEWDESK_STAFF_PASSWORD=None)
    j = json.loads(ok(p))
    assert {"ok", "version", "keyring", "store", "migrations", "pdf", "translation"} <= set(j)
    assert j["ok"] is True and j["data_store"] == "none"
    assert not (tmp_path / "empty" / "renewdesk.db").exists()  # it used a temporary store
    v = ok(run("--version")).strip()
    assert v == f"renewdesk {importlib.metadata.version('renewdesk')}"


def test_staff_add_then_act_as_them(copy):
    ok(run("staff", "add", "小李", "--role", "supervisor", data=copy, RENEWDESK_NEW_STAFF_PASSWORD="xiaoli-pw"))
    ok(run("lookup", "王", "--as", "小李", data=copy, RENEWDESK_STAFF_PASSWORD="xiaoli-pw"))
    staff = json.loads(ok(run("staff", "list", "--json", data=copy)))["staff"]
    assert {"name": "小李", "role": "supervisor", "active": True, "failed_logins": 0, "locked_minutes": 0} in staff
    one_line_error(run("staff", "add", "小李", "--role", "clerk", data=copy,
                       RENEWDESK_NEW_STAFF_PASSWORD="xiaoli-pw"), 2)
    p = run("staff", "add", "nopw", "--role", "clerk", data=copy, timeout=60)
    assert "RENEWDESK_NEW_STAFF_PASSWORD" in one_line_error(p, 2)


def test_settings_set_and_get(copy):
    ok(run("settings", "set", "lead_days", "60", data=copy))
    assert ok(run("settings", "get", "lead_days", data=copy)).strip() == "60"
    one_line_error(run("settings", "set", "lead_days", "abc", data=copy), 2)
    one_line_error(run("settings", "set", "no_such_key", "1", data=copy), 2)
    assert ok(run("settings", "get", "lead_days", data=copy)).strip() == "60"


def test_lead_days_setting_changes_status(copy, demo_dir):
    far_due = max(demo_dir["by_status"]["DUE"], key=lambda m: m.coverage.days_left)
    assert far_due.coverage.days_left > 30
    ok(run("settings", "set", "lead_days", "30", data=copy))
    (j,) = [x for x in lookup_json(copy, far_due.plate) if x["plate"] == far_due.plate]
    assert j["status"] == "ACTIVE"


def test_backup_then_restore_into_a_new_data_dir(copy, tmp_path, demo_dir):
    out = tmp_path / "bk" / "shop.rdbak"
    ok(run("backup", str(out), data=copy))
    assert out.exists()
    lonely = tmp_path / "usb" / "shop.rdbak"
    lonely.parent.mkdir()
    shutil.copy(out, lonely)
    new = tmp_path / "new-pc"
    one_line_error(run("restore", str(lonely), data=new, RENEWDESK_PASSPHRASE="wrong-passphrase"), 3)
    assert not (new / "renewdesk.db").exists()
    ok(run("restore", str(lonely), data=new))
    m = demo_dir["by_status"]["RENEWED"][0]
    (j,) = [x for x in lookup_json(new, m.plate) if x["plate"] == m.plate]
    assert j["status"] == "RENEWED"
    ok(run("audit", "verify", data=new))


def test_restore_with_wrong_passphrase_replaces_nothing(copy, tmp_path):
    out = tmp_path / "shop.rdbak"
    ok(run("backup", str(out), data=copy))
    other = tmp_path / "other"
    ok(run("init", data=other, RENEWDESK_PASSPHRASE="other-passphrase"))
    before = snapshot(other)
    one_line_error(run("restore", str(out), data=other, RENEWDESK_PASSPHRASE="other-passphrase"), 3)
    assert snapshot(other) == before


def test_positional_words_join_around_options(demo_dir):
    # "Global options go before or after the sub-command" and "positional words join into one
    # QUERY": `lookup 粤b --json 12345` was exit 2 (argparse called 12345 unrecognised).
    plate = demo_dir["by_status"]["ACTIVE"][0].plate
    out = ok(run("lookup", plate[:2].lower(), "--json", plate[2:], "--at", AT, data=demo_dir["dir"]))
    assert json.loads(out)["matches"][0]["plate"] == plate
    assert "unrecognized arguments: --jsn" in one_line_error(
        run("lookup", plate, "--jsn", data=demo_dir["dir"]), 2)
    one_line_error(run("audit", "verify", "extra", data=demo_dir["dir"]), 2)  # no query: still refused
