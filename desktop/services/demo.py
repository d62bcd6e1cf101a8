"""A demo store: fictitious but valid vehicles, owners, terms and events, with every status at T.

Streams in batches of a few thousand vehicles, one transaction each, through executemany on the
driver connection, so 1,000,000 vehicles fit in minutes and in flat memory.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from desktop.core.fakes import FakeData
from desktop.core.ids import new_id
from desktop.core.search_keys import search_keys_for
from desktop.core.timeutil import CST
from desktop.store import audit, vehicles_repo, writes
from desktop.store.engine import CACHE_KIB
from desktop.store.records import CustomerRec, EventRec, TermRec, VehicleRec
from desktop.store.uuidcol import blob

BATCH = 5000
BULK_CACHE_KIB = 512 * 1024
# The first vehicles walk through every status so that any demo, however small, shows all of them.
_PATTERN = ["ACTIVE", "DUE", "RENEWED", "LAPSED", "PENDING", "NONE", "LAPSED_NEXT", "DUE_GAP"]
_WEIGHTS = {"ACTIVE": 46, "DUE": 22, "RENEWED": 10, "LAPSED": 10, "PENDING": 3, "NONE": 3,
            "LAPSED_NEXT": 3, "DUE_GAP": 3}
_OUTCOMES = ["will_come", "unreachable", "declined", "renewed_elsewhere", "sold", "scrapped"]


def _year(d: datetime) -> datetime:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 Feb
        return d.replace(year=d.year + 1, day=28)


def _midnight(d: datetime) -> datetime:
    return d.replace(hour=0, minute=0, second=0, microsecond=0)


class _Gen:
    def __init__(self, seed: int, at: datetime):
        self.rng = random.Random(seed)
        self.fake = FakeData(seed)
        self.at = at
        kinds = list(_WEIGHTS)
        self._kinds, self._w = kinds, [_WEIGHTS[k] for k in kinds]

    def kind(self, i: int) -> str:
        if i < len(_PATTERN):
            return _PATTERN[i]
        return self.rng.choices(self._kinds, self._w)[0]

    def ci_plan(self, kind: str) -> list[tuple[datetime, datetime]]:
        """(start, end) of each 交强险 term for a vehicle of this kind, oldest first."""
        r, at = self.rng, self.at
        day = _midnight(at)
        if kind == "NONE":
            return []
        if kind == "PENDING":
            s = day + timedelta(days=r.randint(1, 20))
            return [(s, _year(s))]
        if kind == "ACTIVE":
            end = day + timedelta(days=r.randint(92, 364))
        elif kind in ("DUE", "DUE_GAP"):
            end = day + timedelta(days=r.randint(1, 90))
        elif kind == "RENEWED":
            end = day + timedelta(days=r.randint(1, 80))
        else:  # LAPSED, LAPSED_NEXT
            end = day - timedelta(days=r.choice([r.randint(0, 60), r.randint(61, 1200)]))
        start = end.replace(year=end.year - 1) if not (end.month == 2 and end.day == 29) else end - timedelta(days=365)
        if r.random() < 0.08:  # 即时生效: cover began at the payment time, mid-day
            shift = timedelta(hours=r.randint(9, 16), minutes=r.choice([0, 15, 30, 45]))
            start, end = start + shift, end + shift
        terms = [(start, end)]
        prev_s = start
        for _ in range(r.randint(0, 3)):  # history; now and then a hole (断档) before a term
            gap = timedelta(days=r.randint(3, 40)) if r.random() < 0.12 else timedelta(0)
            e = prev_s - gap
            s = e - (_year(e) - e)
            terms.insert(0, (s, e))
            prev_s = s
        if kind == "RENEWED":
            terms.append((end, _year(end)))
        elif kind == "DUE_GAP":
            s = end + timedelta(days=r.randint(2, 10))
            terms.append((s, _year(s)))
        elif kind == "LAPSED_NEXT":
            s = day + timedelta(days=r.randint(1, 5), hours=r.choice([0, 0, 15]))
            terms.append((s, _year(s)))
        return terms


def fill_demo(engine: Engine, vehicles: int, seed: int, at: datetime, staff: str | None,
              progress: Callable[[int, int], None] | None = None,
              cancel: Callable[[], bool] | None = None) -> int:
    gen = _Gen(seed, at)
    made = 0
    as_of = at - timedelta(days=3)
    as_of_s = as_of.astimezone(CST).isoformat(timespec="seconds")
    insurers = [gen.fake.insurer() for _ in range(12)]
    insurers = list(dict.fromkeys(insurers))
    raw = engine.raw_connection()
    try:
        db = raw.driver_connection
        # The search-key index takes ~10 random inserts per vehicle: with the normal 64 MiB cache a
        # million-vehicle fill spends most of its time evicting and re-decrypting index pages.
        db.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
        while made < vehicles:
            if cancel and cancel():
                break
            n = min(BATCH, vehicles - made)
            cust, veh, terms, keys, events = [], [], [], [], []
            for i in range(made, made + n):
                _one(gen, i, insurers, as_of_s, cust, veh, terms, keys, events)
            if made == 0 and _filled_before(engine, veh):
                break
            db.execute("BEGIN IMMEDIATE")
            try:
                # Demo data is fictitious: it is written through the same functions as real rows but
                # queues no outbox changes, so it can never reach head office.
                writes.insert_customers(db, cust, as_of_s)
                writes.insert_vehicles(db, veh, as_of_s)
                writes.insert_terms(db, terms)
                keys.sort()  # in key order, each index leaf page is visited once per batch
                db.executemany("INSERT OR IGNORE INTO search_key(key, vehicle_id) VALUES (?,?)", keys)
                writes.insert_events(db, events)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            made += n
            if progress:
                progress(made, vehicles)
    finally:
        db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        raw.close()
    audit.record(engine, "demo_fill", staff, None, {"vehicles": made, "seed": seed})
    if made:
        _pack(engine)
    return made


def _filled_before(engine: Engine, veh: list) -> bool:
    """This seed's cars are in the store already (its first VIN is): the same seed makes the same
    VINs, so filling again put every car in twice and `record`/`slip` found two of each."""
    vin = next((v.vin for v in veh if v.vin), None)
    if vin is None:
        return False
    with engine.connect() as conn:
        taken = vehicles_repo.vin_taken(conn, vin)
        conn.rollback()
    return taken


def _pack(engine: Engine) -> None:
    """Rewrite the file with full pages: the batches' inserts into the search-key and term indexes
    land all over their B-trees and leave pages part-full (~10 % of the file). A demo store is
    built once, so packing it once is cheap; real imports are not packed (see docs/interfaces.md)."""
    raw = engine.raw_connection()
    try:
        raw.driver_connection.execute("VACUUM")
    finally:
        raw.close()


def _one(gen: _Gen, i: int, insurers: list[str], as_of_s: str, cust, veh, terms, keys, events) -> None:
    r, f, at = gen.rng, gen.fake, gen.at
    kind = gen.kind(i)
    cid, vid = new_id(), new_id()
    name = f.name()
    phone = f.mobile() if r.random() < 0.97 else f.landline()
    idn = f.id_number() if r.random() < 0.9 else None
    addr = f.address() if r.random() < 0.92 else None
    consent = 1 if r.random() < 0.9 else 0
    plate = f.plate()
    vin = f.vin(domestic=r.random() < 0.93)
    seats = r.choice([5, 5, 5, 5, 7])
    cust.append(CustomerRec(cid, name, phone, idn, addr, bool(consent), bool(consent)))
    energy = r.choice(["汽油", "汽油", "纯电动", "插电混动"])
    insurer = r.choice(insurers)
    plan = gen.ci_plan(kind)
    # Registration date and 车船税 come from what is already drawn (no extra random draw, so the
    # rest of the demo stays the same): the car is 1–12 years older than its first cover here.
    first = plan[0][0] if plan else at
    registered = (first - timedelta(days=365 * (1 + sum(map(ord, plate)) % 12) + 30)).date().isoformat()
    tax = None if energy == "纯电动" else ("360" if seats < 6 else "420")
    veh.append(VehicleRec(vid, plate, vin, cid, "家庭自用汽车6座以下" if seats < 6 else "家庭自用汽车6座及以上",
                          "家庭自用", seats, energy, registered))
    for s, e in plan:
        terms.append(TermRec(new_id(), vid, "CI", s.isoformat(timespec="seconds"), e.isoformat(timespec="seconds"),
                             insurer, f"PDZA{r.randrange(10**12):012d}", "950" if seats < 6 else "1100",
                             vehicle_tax=tax, source="import:demo", as_of=as_of_s, verified_by="demo"))
    if plan and r.random() < 0.75 or kind == "NONE" and r.random() < 0.5:
        s, e = plan[-1] if plan else (_midnight(at) - timedelta(days=100), _year(_midnight(at) - timedelta(days=100)))
        terms.append(TermRec(new_id(), vid, "BI", s.isoformat(timespec="seconds"), e.isoformat(timespec="seconds"),
                             insurer, f"PDAA{r.randrange(10**12):012d}", source="import:demo", as_of=as_of_s,
                             verified_by="demo"))
    vid_b = blob(vid)
    for k in search_keys_for(plate, vin, name, phone, idn):
        keys.append((k, vid_b))
    if r.random() < 0.15 and kind != "RENEWED":
        outcome = r.choice(_OUTCOMES)
        when = at - timedelta(days=r.randint(1, 40))
        events.append(EventRec(new_id(), vid, "outcome", outcome, None, None, "demo", when))
