"""Batch reminder letters: who gets one, in what order, and the print log (DESIGN §7).

Selection for `--due-within D`: 0 <= days_left <= D and status DUE or ACTIVE (not RENEWED), no
future 交强险 term, not sold or scrapped; `include_lapsed` adds lapses of at most 3 years.
Vehicles in the window that get no letter are listed as skipped with a reason.
Candidates come from work_index (each vehicle's latest-ending valid 交强险 term, one row a
vehicle); statuses from the one core engine.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.engine import Engine

from desktop.core.ids import new_id
from desktop.core.inspection import InspectionDue
from desktop.core.masking import mask_plate
from desktop.core.reminders import INSPECTION, merged_reminders, tax_with_ci
from desktop.core.status import CoverageStatus
from desktop.core.timeutil import CST, LAPSE_YEARS, cst_date, lapse_window_days
from desktop.core.wording import yuan_text
from desktop.printing.model import CounterInfo, LetterData
from desktop.store import audit, card_repo, letter_log, outbox, work_repo, writes
from desktop.store.records import EventRec, VehicleBundle, iso

from . import card_facts
from .auth import StaffSession, require
from .errors import BadInput
from .settings import CounterSettings
from .statuses import iter_statuses


@dataclass(frozen=True)
class Selected:
    bundle: VehicleBundle
    coverage: CoverageStatus
    # One merged reminder per vehicle (issue 13 item 5): 车船税 with the 交强险, and the 年检 when
    # it falls due together with it; a 年检 far from the 交强险 date is not in this letter.
    vehicle_tax: Decimal | None = None
    inspection: InspectionDue | None = None


@dataclass(frozen=True)
class Skipped:
    plate: str | None  # masked (mailed-paper rule)
    reason: str        # no_consent | no_address | sold | scrapped


@dataclass(frozen=True)
class Selection:
    letters: list[Selected]
    skipped: list[Skipped]
    # The window it was chosen for: a batch with no letters prints a page saying so (and for what).
    due_within: int | None = None
    include_lapsed: bool = False


def counter_info(s: CounterSettings) -> CounterInfo:
    return CounterInfo(name=s.counter_name, phone=s.counter_phone, address=s.counter_address, hours=s.counter_hours,
                       org=s.org)


def _in_window(c: CoverageStatus, due_within: int, include_lapsed: bool, today: date) -> bool:
    if c.next_start_date is not None:  # a future 交强险 term already bought
        return False
    if c.status in ("DUE", "ACTIVE"):
        return c.days_left is not None and 0 <= c.days_left <= due_within
    if c.status == "LAPSED" and include_lapsed and c.ci_end_date is not None:
        return c.ci_end_date >= today - timedelta(days=lapse_window_days(today, LAPSE_YEARS))
    return False


def _skip_reason(b: VehicleBundle, outcome: str | None) -> str | None:
    if outcome in ("sold", "scrapped"):
        return outcome
    if b.owner is None or not b.owner.consent_mail or not b.owner.consent_contact:
        return "no_consent"
    if any(e.kind == "contact_stop" for e in b.events):  # 停止联系 (issue 13): never again, letters included
        return "no_consent"
    if not (b.owner.address or "").strip() or not (b.owner.name or "").strip():
        return "no_address"
    return None


def window_candidates(engine: Engine, at: datetime, due_within: int, include_lapsed: bool) -> list[str]:
    """Vehicles whose LATEST 交强险 end is near the window (an index range on work_index), plus
    those with odd times (work_index tier 3); the status engine then decides who is really in it.

    The latest end, not any end: a vehicle is due or lapsed by the term that ends last (an earlier
    one ending in the window was renewed, and one ending later is its cover or a future term, both
    outside the window). At a million vehicles "also lapsed" read every 交强险 term ending in three
    years — the whole store, ~2.5 terms a vehicle — and loaded each vehicle's bundle."""
    today = cst_date(at)
    start_of_today = datetime(today.year, today.month, today.day, tzinfo=CST)
    lo = start_of_today - timedelta(days=366 * LAPSE_YEARS + 2) if include_lapsed else start_of_today
    hi = start_of_today + timedelta(days=due_within + 2)
    with engine.connect() as conn:
        ids = work_repo.latest_end_between(conn, lo, hi)
        conn.rollback()
    return ids


def select(engine: Engine, due_within: int, include_lapsed: bool, order: str, at: datetime,
           lead_days: int, cancel: Callable[[], bool] | None = None) -> Selection:
    if due_within < 0:
        raise BadInput("--due-within 不能为负数。")
    if order not in ("address", "due"):
        raise BadInput("--order 应为 address（按地址）或 due（按到期日）。")
    today = cst_date(at)
    ids = window_candidates(engine, at, due_within, include_lapsed)
    letters: list[Selected] = []
    skipped: list[Skipped] = []
    for b, c in iter_statuses(engine, ids, at, lead_days, cancel):
        if not _in_window(c, due_within, include_lapsed, today):
            continue
        reason = _skip_reason(b, b.last_outcome())
        if reason:
            skipped.append(Skipped(mask_plate(b.vehicle.plate) if b.vehicle.plate else None, reason))
        else:
            letters.append(Selected(b, c))
    if cancel and cancel():  # the caller gave up (a newer choice is being counted): skip the rest
        return Selection([], [], due_within, include_lapsed)
    if order == "address":
        letters.sort(key=lambda s: ((s.bundle.owner.address or ""), s.bundle.vehicle.plate or ""))
    else:
        letters.sort(key=lambda s: (s.coverage.ci_end_date or date.max, s.bundle.vehicle.plate or ""))
    skipped.sort(key=lambda s: (s.reason, s.plate or ""))
    return Selection(_merged(engine, letters, at), skipped, due_within, include_lapsed)


def _merged(engine: Engine, letters: list[Selected], at: datetime) -> list[Selected]:
    """Each letter with its 车船税 and, when it falls due with the 交强险, its 年检 date."""
    with engine.connect() as conn:
        money = card_repo.term_money(conn, [s.bundle.vehicle.id for s in letters])
        conn.rollback()
    today = cst_date(at)
    out = []
    for s in letters:
        tax, _year = card_facts.vehicle_tax_of(s.bundle.terms, money, at)
        insp, _why = card_facts.inspection_of(s.bundle, today)
        due = today if s.coverage.status == "LAPSED" else s.coverage.ci_end_date
        together = any(INSPECTION in r.items and len(r.items) > 1
                       for r in merged_reminders(due, insp.due if insp else None, tax is not None))
        out.append(replace(s, vehicle_tax=tax, inspection=insp if together else None))
    return out


def letter_data(sel: Selected, counter: CounterInfo, letter_date: date) -> LetterData:
    o = sel.bundle.owner
    src = sel.coverage.source_term
    insp = sel.inspection
    return LetterData(addressee_name=o.name or "", postal_address=o.address or "",
                      plate=sel.bundle.vehicle.plate or "", phone=o.phone, status=sel.coverage,
                      insurer=src.insurer if src else None, counter=counter, letter_date=letter_date,
                      vehicle_tax=yuan_text(sel.vehicle_tax) if sel.vehicle_tax is not None else None,
                      inspection_due=insp.due if insp else None,
                      inspection_estimate=bool(insp and not insp.confirmed),
                      vehicle_tax_due=tax_with_ci(sel.bundle.vehicle.energy, sel.bundle.vehicle.plate))


def iter_letter_data(selection: Selection, counter: CounterInfo, letter_date: date) -> Iterator[LetterData]:
    for sel in selection.letters:
        yield letter_data(sel, counter, letter_date)


def log_printed(engine: Engine, session: StaffSession, selection: Selection, batch: str | None,
                at: datetime, pages: int, target: str) -> str:
    """One print-log row and one append-only event per letter, one audit entry per batch."""
    require(session, "supervisor")
    batch = batch or new_id()
    now = datetime.now(CST)
    with engine.begin() as conn:
        rows = [(new_id(), s.bundle.vehicle.id, batch, iso(now), session.name,
                 s.coverage.ci_end_date.isoformat() if s.coverage.ci_end_date else None)
                for s in selection.letters]
        if rows:
            letter_log.log_letters(conn, rows)
            events = [EventRec(new_id(), r[1], "letter_printed", None, json.dumps({"batch": batch}), None,
                               session.name, now) for r in rows]
            with outbox.changes(conn, now) as changes:
                writes.insert_events(conn, events, changes)
        audit.append(conn, "letters_print", session.name, target,
                     {"batch": batch, "letters": len(rows), "pages": pages, "skipped": len(selection.skipped),
                      "at": iso(at)})
    return batch


def mark_returned(engine: Engine, session: StaffSession, vehicle_id: str, reason: str) -> int:
    """Mark the latest letter to this vehicle as returned/undeliverable (退信)."""
    require(session, "supervisor")
    now = datetime.now(CST)
    with engine.begin() as conn:
        if not letter_log.mark_latest_returned(conn, vehicle_id, iso(now), reason):
            raise BadInput("这辆车还没有打印过提醒信。")
        with outbox.changes(conn, now) as changes:
            writes.insert_events(conn, (EventRec(new_id(), vehicle_id, "letter_returned", None, None, reason,
                                                 session.name, now),), changes)
        audit.append(conn, "letter_returned", session.name, vehicle_id)
    return 1
