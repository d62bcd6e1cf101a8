"""The fault campaign's checker: reads head office's change log, every counter's store and the paged
feed, and reports every violation of what sync promises (DESIGN §6) as one line of text.

- acknowledged ⇒ stored: every outbox row a counter marked done (sent or rejected) is in head
  office's log under the same (device, device_seq, change_id);
- nothing lost: after the final sync every counter row is acknowledged and stored;
- nothing duplicated, nothing invented: each change once at head office, and only changes some
  counter wrote; each event exactly once in every replica;
- per-device order and gap-free sequences: device_seq 1..N on each counter and at head office,
  and head office's feed (server_seq) keeps each device's order;
- the paged feed is complete: paging from 0 returns every applied change once, ascending;
- replicas equal: every counter answers a lookup of every synced vehicle alike.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import httpx
from sqlalchemy import create_engine, text

from desktop.app import AppContext
from desktop.services import lookup
from desktop.services.auth import StaffSession
from desktop.store.keyring_port import NoKeyring
from desktop.sync import identity

AT = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


@dataclass
class Replica:
    name: str
    ctx: AppContext
    device_id: str

    @classmethod
    def open(cls, name: str, data_dir, passphrase: str) -> Replica:
        ctx = AppContext(data_dir, keyring=NoKeyring(), passphrase=lambda: passphrase)
        store = ctx.store()
        e = identity.load(store.engine, ctx.keyring, store.store_id, store.key)
        return cls(name, ctx, e.device_id if e else "")

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self.ctx.store().engine.connect() as conn:
            out = conn.exec_driver_sql(sql, params).fetchall()
            conn.rollback()
        return out

    def close(self) -> None:
        self.ctx.close()


@dataclass
class Report:
    violations: list[str] = field(default_factory=list)
    changes: int = 0
    applied: int = 0

    def add(self, msg: str) -> None:
        if len(self.violations) < 200:
            self.violations.append(msg)


def server_log(db_url: str) -> list[tuple]:
    eng = create_engine(db_url)
    try:
        with eng.connect() as conn:
            return conn.execute(text("SELECT device_id, device_seq, change_id, entity, entity_id, result, server_seq "
                                     "FROM change ORDER BY device_id, device_seq")).fetchall()
    finally:
        eng.dispose()


def check_acked_stored(db_url: str, replicas: list[Replica], report: Report) -> None:
    """Run right after a sync: what the counter was told is stored must be stored now."""
    stored = {(r[0], r[1]): r[2] for r in server_log(db_url)}
    for rep in replicas:
        for seq, cid, st in rep.rows("SELECT device_seq, change_id, state FROM outbox WHERE state <> 'pending'"):
            got = stored.get((rep.device_id, seq))
            if got != cid:
                report.add(f"acknowledged but not stored: {rep.name} device_seq {seq} ({st}) -> {got or 'missing'}")


def check_final(db_url: str, server_url: str, token: str, replicas: list[Replica], report: Report,
                page_limit: int = 7) -> None:
    log = server_log(db_url)
    report.changes = len(log)
    by_key = {(r[0], r[1]): r for r in log}
    devices = {rep.device_id: rep for rep in replicas}
    # nothing duplicated or invented at head office; sequences gap-free; order kept in the feed
    seen_ids: set[tuple[str, str]] = set()
    per_dev: dict[str, list[tuple]] = {}
    for r in log:
        if (r[0], r[2]) in seen_ids:
            report.add(f"duplicated at head office: change {r[2]}")
        seen_ids.add((r[0], r[2]))
        per_dev.setdefault(r[0], []).append(r)
    for dev, rows in per_dev.items():
        seqs = [r[1] for r in rows]
        if seqs != list(range(1, len(seqs) + 1)):
            report.add(f"device {dev[:8]} sequence has gaps at head office: {seqs[:5]}…")
        feed = [r[6] for r in rows if r[6] is not None]
        if feed != sorted(feed):
            report.add(f"device {dev[:8]}: the feed does not keep device order")
        if dev not in devices:
            report.add(f"head office holds changes from an unknown device {dev[:8]}")
    for rep in replicas:
        rows = rep.rows("SELECT device_seq, change_id, state FROM outbox ORDER BY device_seq")
        if [r[0] for r in rows] != list(range(1, len(rows) + 1)):
            report.add(f"{rep.name}: outbox device_seq has gaps")
        for seq, cid, st in rows:
            got = by_key.get((rep.device_id, seq))
            if st == "pending":
                report.add(f"lost (still pending after the final sync): {rep.name} device_seq {seq}")
            elif got is None or got[2] != cid:
                report.add(f"acknowledged but not stored: {rep.name} device_seq {seq}")
        if len(per_dev.get(rep.device_id, [])) > len(rows):
            report.add(f"{rep.name}: head office holds more changes than the counter wrote")
    applied = [r for r in log if r[6] is not None]
    report.applied = len(applied)
    # the paged feed is complete
    got_seqs: list[int] = []
    cursor, more, pages = 0, True, 0
    with httpx.Client(timeout=30) as http:
        while more and pages < 100_000:
            page = http.get(server_url + "/v1/sync/pull", params={"cursor": cursor, "limit": page_limit},
                            headers={"Authorization": f"Bearer {token}"}).json()
            got_seqs += [c["server_seq"] for c in page["changes"]]
            if page["changes"] and page["cursor"] != page["changes"][-1]["server_seq"]:
                report.add("feed page cursor is not its last server_seq")
            cursor, more, pages = page["cursor"], page["more"], pages + 1
    if got_seqs != sorted(r[6] for r in applied):
        report.add(f"paged feed incomplete or out of order: {len(got_seqs)} of {len(applied)}")
    # replicas: every event once everywhere; every vehicle answered alike
    applied_events = {r[4] for r in applied if r[3] == "event"}
    for rep in replicas:
        have = {r[0] for r in rep.rows("SELECT id FROM event")}
        missing = applied_events - have
        if missing:
            report.add(f"{rep.name}: {len(missing)} events missing from the replica")
    plates = sorted({p for rep in replicas for (p,) in rep.rows("SELECT plate FROM vehicle WHERE deleted = 0")})
    session = StaffSession("admin", "admin")
    for plate in plates:
        answers = []
        for rep in replicas:
            found = [m.to_json() for m in lookup.lookup(rep.ctx.store().engine, session, plate, AT, 90)]
            answers.append(json.dumps(found, ensure_ascii=False, sort_keys=True))
        if len(set(answers)) > 1:
            report.add(f"replicas differ on a vehicle ({plate[:2]}…)")
