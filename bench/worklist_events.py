"""A realistic mix of renewal events on a demo store, for bench/worklist.py (issue 13).

services.demo fills vehicles, owners and terms only: no contact, visit, 本店续保 or assignment, so
the 预约到店 / 已办结 tabs and every renewal segment but 首次 / 潜转续 / 新保 / 断保回流 were empty,
and every vehicle took the tabs' cheapest path. This seeds, for ~`share` of the vehicles whose
latest 交强险 ends from 150 days before `at` to 90 days after (where a specialist works), what a
counter records over the last six weeks: assignments to four specialists, 1–3 contact attempts with
results in the fixed taxonomy (unreached ones, will-renew, quotes, promised visits with a date,
losses with a reason, some with a follow-up date), 本店续保 records with the new term, service
visits, 停止联系 and 本次关闭, a supervisor's 失销 confirmation. Rows go through the repository
write functions the services use (store.writes with the outbox), in batches; the event details
have the services' shapes (services.contact, services.record), so the triggers and the tabs see
what a counter would have written. The bench runs on its own copy of a store.
"""
from __future__ import annotations

import json
import random
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine

from desktop.core import cadence
from desktop.core.ids import new_id
from desktop.core.timeutil import CST, cst_date
from desktop.store import outbox, writes
from desktop.store.records import EventRec, TermRec
from desktop.store.uuidcol import text_of

STAFF = ("zhang", "li", "wang", "zhao")
SUPERVISOR = "bench"
_RESULTS = (("no_answer", 30), ("switched_off", 5), ("wrong_number", 3), ("refused", 2), ("will_renew", 20),
            ("quote_requested", 12), ("will_come", 10), ("declined", 5), ("renewed_elsewhere", 8), ("sold", 5))
_LOSS_REASON = {"declined": "price", "renewed_elsewhere": "elsewhere", "sold": "transferred"}


def _event(vid: str, kind: str, staff: str, at: datetime, outcome: str | None = None,
           detail: dict | None = None) -> EventRec:
    clean = {k: v for k, v in (detail or {}).items() if v is not None}
    return EventRec(new_id(), vid, kind, outcome, json.dumps(clean, ensure_ascii=False) if clean else None,
                    None, staff, at)


def _vehicle_events(r: random.Random, vid: str, end_at: int, at: datetime, mix: Counter) -> tuple[list, list]:
    today = cst_date(at)
    events: list[EventRec] = []
    terms: list[TermRec] = []
    owner = None
    if r.random() < 0.7:
        owner = r.choice(STAFF)
        events.append(_event(vid, "assign", SUPERVISOR, at - timedelta(days=r.randint(20, 60)), None,
                             {"to": owner, "from": None}))
        mix["assign"] += 1
    staff = owner or r.choice(STAFF)
    days_back = sorted(r.sample(range(0, 42), r.choice((1, 1, 2, 2, 3))), reverse=True)
    lost = False
    for back in days_back:
        when = (at - timedelta(days=back)).replace(hour=r.randint(9, 17), minute=r.randint(0, 59), second=0)
        if when > at:
            when = at - timedelta(minutes=5)
        result = r.choices([c for c, _ in _RESULTS], [w for _, w in _RESULTS])[0]
        day = cst_date(when)
        nxt = None
        if result == "will_come":
            nxt = day + timedelta(days=r.randint(1, 14))
        elif result in ("no_answer", "quote_requested", "will_renew") and r.random() < 0.2:
            nxt = day + timedelta(days=r.randint(1, 10))
        reason = _LOSS_REASON.get(result)
        events.append(_event(vid, "contact", staff, when, result, {
            "channel": r.choice(("phone", "phone", "phone", "sms", "wechat")), "reached": result in cadence.REACHED,
            "next_date": nxt.isoformat() if nxt else None, "reason": reason,
            "insurer": "平安" if result == "renewed_elsewhere" else None}))
        mix["contact"] += 1
        mix["contact:" + result] += 1
        if result in cadence.LOSS_RESULTS:
            lost = True
            if r.random() < 0.5:
                events.append(_event(vid, "loss_confirmed", SUPERVISOR, when + timedelta(minutes=30), "lost",
                                     {"reason": reason, "proposal": events[-1].id}))
                mix["loss_confirmed"] += 1
            break
    end = datetime.fromtimestamp(end_at, CST)
    if not lost and r.random() < 0.25 and (end - at).days <= 30:
        # 本店续保: the new term starts at the old end (or now, after a lapse), a year long
        start = max(end, at - timedelta(days=r.randint(0, 3))).replace(microsecond=0)
        rec_at = min(at, start) - timedelta(hours=r.randint(1, 48))
        terms.append(TermRec(new_id(), vid, "CI", start.isoformat(), (start + timedelta(days=365)).isoformat(),
                             "安泰财产保险", f"P{new_id()[-10:]}", source="counter", as_of=rec_at.isoformat(),
                             verified_by=staff))
        events.append(_event(vid, "outcome", staff, rec_at, "renewed_here", None))
        mix["renewed_here"] += 1
    if r.random() < 0.15:
        events.append(_event(vid, "visit", staff, at - timedelta(days=r.randint(5, 300))))
        mix["visit"] += 1
    pick = r.random()
    if pick < 0.01:
        events.append(_event(vid, "contact_stop", staff, at - timedelta(days=r.randint(0, 20)), None,
                             {"reason": "客户要求不再来电"}))
        mix["contact_stop"] += 1
    elif pick < 0.04:
        until = today + timedelta(days=r.randint(3, 20))
        events.append(_event(vid, "contact_close", staff, at - timedelta(days=r.randint(0, 5)), None,
                             {"until": until.isoformat()}))
        mix["contact_close"] += 1
    return events, terms


def seed(engine: Engine, at: datetime, share: float = 0.3, seed_no: int = 13, batch: int = 2000) -> dict:
    """Seed the mix (share 0.3: ~7 % of a demo store's vehicles); returns what was written ({"vehicles": n, "assign": n, "contact": n, …})."""
    r = random.Random(seed_no)
    lo, hi = int((at - timedelta(days=150)).timestamp()), int((at + timedelta(days=90)).timestamp())
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT vehicle_id, CAST(ci_end_at AS INTEGER) FROM work_index "
                                    "WHERE contactable = 1 AND tier IN (0, 1, 2, 3) AND ci_end_at >= ? "
                                    "AND ci_end_at <= ? ORDER BY vehicle_id", (lo, hi)).fetchall()
        conn.rollback()
    chosen = [(text_of(bytes(v)) if isinstance(v, (bytes, memoryview)) else v, e) for v, e in rows
              if r.random() < share]
    mix: Counter = Counter(vehicles=len(chosen))
    for i in range(0, len(chosen), batch):
        events, terms = [], []
        for vid, end_at in chosen[i:i + batch]:
            ev, te = _vehicle_events(r, vid, end_at, at, mix)
            events += ev
            terms += te
        with engine.begin() as conn:
            with outbox.changes(conn, at) as changes:
                writes.insert_terms(conn, terms, changes)
                writes.insert_events(conn, events, changes)
    return dict(mix)
