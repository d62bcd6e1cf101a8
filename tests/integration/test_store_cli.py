"""The store's promises through the real console script: a truncated audit tail, a gated restore."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from desktop.store.keyring_port import NoKeyring
from desktop.store.store import open_store
from tests.integration.test_cli import AT, PASSPHRASE, ok, one_line_error, run, snapshot


@pytest.fixture(scope="module")
def small_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("store-cli") / "data"
    ok(run("init", data=d))
    ok(run("demo", "--vehicles", "30", "--seed", "2", "--at", AT, data=d))
    ok(run("staff", "add", "clerk1", "--role", "clerk", data=d, RENEWDESK_NEW_STAFF_PASSWORD="clerk-pw-1"))
    return d


@pytest.fixture
def copy(small_dir, tmp_path) -> Path:
    dst = tmp_path / "copy"
    shutil.copytree(small_dir, dst)
    return dst


def _sql(d: Path, sql: str) -> None:
    s = open_store(d, lambda: PASSPHRASE, NoKeyring())
    try:
        with s.engine.begin() as c:
            c.exec_driver_sql(sql)
    finally:
        s.close()


def test_audit_verify_reports_a_deleted_tail(copy):
    ok(run("lookup", "京", "--at", AT, data=copy))
    before = json.loads(ok(run("audit", "verify", "--json", data=copy)))
    assert before["ok"] is True
    _sql(copy, "DELETE FROM audit WHERE seq > (SELECT max(seq) - 3 FROM audit)")
    p = run("audit", "verify", "--json", data=copy)
    assert p.returncode == 5, (p.stdout, p.stderr)
    report = json.loads(p.stdout)
    assert report["ok"] is False and "末尾" in report["reason"]


def test_restore_over_a_live_store_needs_its_admin(copy, tmp_path):
    out = tmp_path / "shop.rdbak"
    ok(run("backup", str(out), data=copy))
    ok(run("staff", "add", "after-backup", "--role", "clerk", data=copy, RENEWDESK_NEW_STAFF_PASSWORD="x-pw-123"))
    key_before = snapshot(copy)["key.wrapped"]
    one_line_error(run("restore", str(out), data=copy, RENEWDESK_STAFF_PASSWORD="wrong-pw"), 4)
    one_line_error(run("restore", str(out), "--as", "clerk1", data=copy, RENEWDESK_STAFF_PASSWORD="clerk-pw-1"), 4)
    # Nothing replaced or moved aside: the staff member added after the backup is still there.
    assert not (copy / "replaced").exists() and snapshot(copy)["key.wrapped"] == key_before
    assert "after-backup" in ok(run("staff", "list", data=copy))
    ok(run("restore", str(out), data=copy))
    assert "after-backup" not in ok(run("staff", "list", data=copy))
    assert (copy / "replaced").is_dir()
    ok(run("audit", "verify", data=copy))


@pytest.mark.parametrize("name", ["shop.bak", "nightly.db", "usb-stick"])
def test_restore_reads_what_backup_wrote_at_any_name(copy, tmp_path, name):
    """`backup OUT` then `restore OUT` round-trips whatever OUT is called: a file name with any
    suffix is the file (shop.bak used to become a folder, and restoring it exit 5 "damaged"); a
    name without a suffix is a folder holding the named backup, and restore takes the newest there."""
    out = tmp_path / name
    ok(run("backup", str(out), data=copy))
    assert out.is_file() == ("." in name)
    ok(run("backup", str(out), data=copy))  # a second backup replaces the file / joins the folder
    assert out.is_file() or len(list(out.glob("*.rdbak"))) == 2
    new = tmp_path / "new-pc"
    ok(run("restore", str(out), data=new, RENEWDESK_STAFF_PASSWORD=None))
    assert "clerk1" in ok(run("staff", "list", data=new))
    ok(run("audit", "verify", data=new))


def test_restore_from_a_folder_without_backups_says_so(copy, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    p = one_line_error(run("restore", str(empty), data=tmp_path / "new-pc", RENEWDESK_STAFF_PASSWORD=None), 2)
    assert "没有续保台备份" in p


def test_restore_into_an_empty_data_dir_needs_only_the_backup_passphrase(copy, tmp_path):
    out = tmp_path / "shop.rdbak"
    ok(run("backup", str(out), data=copy))
    new = tmp_path / "new-pc"
    ok(run("restore", str(out), data=new, RENEWDESK_STAFF_PASSWORD=None))
    ok(run("audit", "verify", data=new))


def test_restore_over_a_store_too_damaged_to_log_in_takes_its_passphrase(copy, tmp_path):
    out = tmp_path / "shop.rdbak"
    ok(run("backup", str(out), data=copy))
    db = copy / "renewdesk.db"
    for p in copy.glob("renewdesk.db-*"):
        p.unlink()
    with open(db, "r+b") as fh:  # wreck the schema page
        fh.seek(100)
        fh.write(b"\0" * 3000)
    one_line_error(run("restore", str(out), data=copy, RENEWDESK_PASSPHRASE="not-the-live-one"), 3)
    ok(run("restore", str(out), data=copy))
    ok(run("lookup", "京", "--at", AT, data=copy))
