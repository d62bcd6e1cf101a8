"""A small driver that makes a counter do real work in its own process (the fault campaign kills it).

    python -m tests.sync_driver DATA_DIR work --seed S --ops N [--prefix P]
    python -m tests.sync_driver DATA_DIR phone PLATE PHONE
    python -m tests.sync_driver DATA_DIR bulky --rows N

`work` registers vehicles and records outcomes and renewals through the real services, with
fictitious identities from core.fakes; every write is one transaction with its outbox rows, so a
SIGKILL at any point leaves whole writes only. Passphrase and staff password come from the
environment like the CLI (RENEWDESK_PASSPHRASE, RENEWDESK_STAFF_PASSWORD).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from dataclasses import replace
from pathlib import Path

from desktop.app import AppContext
from desktop.core.fakes import FakeData
from desktop.services import record, register
from desktop.store import outbox, writes
from desktop.store.keyring_port import NoKeyring
from desktop.store.uuidcol import blob


def _ctx(data_dir: str) -> tuple[AppContext, object]:
    ctx = AppContext(Path(data_dir), keyring=NoKeyring(), passphrase=lambda: os.environ["RENEWDESK_PASSPHRASE"])
    session = ctx.login("admin", os.environ["RENEWDESK_STAFF_PASSWORD"], record_success=False)
    return ctx, session


def _vehicle_ids(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT id, plate FROM vehicle WHERE deleted = 0 ORDER BY id").fetchall()


def work(data_dir: str, seed: int, ops: int) -> None:
    ctx, session = _ctx(data_dir)
    engine = ctx.store().engine
    rng, fake = random.Random(seed), FakeData(seed)
    mine: list[str] = []
    for i in range(ops):
        kind = rng.random()
        if kind < 0.4 or not mine:
            r = register.register(engine, session, register.NewRegistration(
                plate=fake.plate("ordinary"), vin=fake.vin(), name=fake.name(), phone=fake.mobile(),
                address=f"示例市{seed}路{i}号"))
            mine.append(r.vehicle_id)
        elif kind < 0.75:
            record.record_outcome(engine, session, rng.choice(mine), rng.choice(["unreachable", "will_come", "declined"]),
                                  note=f"第{i}次联系")
        else:
            start = f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            record.record_outcome(engine, session, rng.choice(mine), "renewed_elsewhere",
                                  record.NewTerm(rng.choice(["安泰财产保险", "平安财险"]), f"P{seed}-{i}", start, None,
                                                 True))
        print(i, flush=True)  # progress: the campaign kills us after some of these lines
    ctx.close()


def set_phone(data_dir: str, plate: str, phone: str) -> None:
    """Edit the owner's phone of the vehicle with this plate (a contact edit, per-field stamped)."""
    ctx, _session = _ctx(data_dir)
    engine = ctx.store().engine
    from desktop.store.records import CustomerRec

    with engine.begin() as conn:
        row = conn.exec_driver_sql(
            "SELECT c.id, c.name, c.phone, c.id_number, c.address, c.consent_contact, c.consent_mail, c.notes "
            "FROM vehicle v JOIN customer c ON c.id = v.owner_id WHERE v.plate = ? AND v.deleted = 0",
            (plate,)).fetchone()
        if row is None:
            sys.exit(f"no vehicle {plate}")
        c = replace(CustomerRec(*row[:5], bool(row[5]), bool(row[6]), row[7]), phone=phone)
        with outbox.changes(conn) as ch:
            writes.update_customers(conn, ((c, ("phone",)),), "2026-12-01T10:00:00+08:00", ch)
        # search keys follow the new phone
        from desktop.store import vehicles_repo

        for vid, vplate, vin in conn.exec_driver_sql("SELECT id, plate, vin FROM vehicle WHERE owner_id = ?",
                                                       (blob(c.id),)).fetchall():
            vehicles_repo.write_search_keys(conn.connection.driver_connection, vid, vplate, vin, c.name, c.phone,
                                            c.id_number)
    ctx.close()


def bulky(data_dir: str, rows: int) -> None:
    """N customers whose name, address and notes are each as long as the wire allows (MAX_TEXT,
    4000 characters, 3 UTF-8 bytes each): about 36 KB a change, so 500 of them are over 8 MiB."""
    from desktop.core.ids import new_id
    from desktop.store.records import CustomerRec
    from desktop.sync.protocol import MAX_TEXT

    ctx, _session = _ctx(data_dir)
    engine = ctx.store().engine
    text = ("示例市和平路一号院" * MAX_TEXT)[:MAX_TEXT]
    with engine.begin() as conn, outbox.changes(conn) as ch:
        writes.insert_customers(conn, [CustomerRec(new_id(), text, None, None, text, True, True, text)
                                       for _ in range(rows)], "2026-12-01T10:00:00+08:00", ch)
    ctx.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("data_dir")
    sub = p.add_subparsers(dest="cmd", required=True)
    w = sub.add_parser("work")
    w.add_argument("--seed", type=int, required=True)
    w.add_argument("--ops", type=int, required=True)
    ph = sub.add_parser("phone")
    ph.add_argument("plate")
    ph.add_argument("phone")
    b = sub.add_parser("bulky")
    b.add_argument("--rows", type=int, required=True)
    args = p.parse_args(argv)
    if args.cmd == "work":
        work(args.data_dir, args.seed, args.ops)
    elif args.cmd == "bulky":
        bulky(args.data_dir, args.rows)
    else:
        set_phone(args.data_dir, args.plate, args.phone)
    return 0


if __name__ == "__main__":
    sys.exit(main())
