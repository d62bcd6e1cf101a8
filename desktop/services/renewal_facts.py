"""Renewal facts from stored events, and the case a work list looks at (issue 13).

Events stay as stored (append-only, synced); this turns them into core.cadence facts once, for
the lists, the card, the contact checks and the report alike.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from desktop.core.cadence import CLOSING_OUTCOMES, LOSS_RESULTS, ContactFact
from desktop.core.timeutil import cst_date
from desktop.store.records import EventRec

from .settings import CounterSettings

# Record outcomes (services.record) that are themselves a reached or unreached contact at the counter.
_RECORD_AS_CONTACT = {"will_come": "will_come", "declined": "declined", "unreachable": "no_answer"}


def _detail(e: EventRec) -> dict:
    if not e.detail:
        return {}
    try:
        d = json.loads(e.detail)
    except ValueError:
        return {}
    return d if isinstance(d, dict) else {}


def _day(s: object) -> date | None:
    if not s:
        return None
    try:
        return date.fromisoformat(str(s)[:10])
    except ValueError:
        return None


def fact_of(e: EventRec) -> ContactFact | None:
    d = _detail(e)
    at_text = e.at.isoformat()
    day = cst_date(e.at)
    if e.kind == "contact":
        return ContactFact("contact", day, e.outcome, d.get("channel"), _day(d.get("next_date")), e.staff,
                           d.get("reason"), d.get("insurer"), at_text=at_text)
    if e.kind == "outcome" and e.outcome in _RECORD_AS_CONTACT:
        # the follow-up the record form sets (next_date: 联系不上 try again, 客户会来 the visit day);
        # visit_date / will_come_on are older spellings of the same
        named = _day(d.get("next_date") or d.get("visit_date") or d.get("will_come_on"))
        return ContactFact("contact", day, _RECORD_AS_CONTACT[e.outcome], None,
                           named if e.outcome in ("will_come", "unreachable") else None, e.staff,
                           at_text=at_text)
    if e.kind == "outcome":
        return ContactFact("outcome", day, e.outcome, staff=e.staff, at_text=at_text)
    if e.kind == "contact_stop":
        return ContactFact("contact_stop", day, staff=e.staff, reason=d.get("reason"), at_text=at_text)
    if e.kind == "contact_close":
        return ContactFact("contact_close", day, next_date=_day(d.get("until")), staff=e.staff, at_text=at_text)
    if e.kind == "assign":
        return ContactFact("assign", day, staff=e.staff, assigned_to=d.get("to"), at_text=at_text)
    if e.kind == "visit":  # a service visit (在修): the report's 在修不在保 segment
        return ContactFact("visit", day, staff=e.staff, at_text=at_text)
    if e.kind == "loss_confirmed":
        return ContactFact("loss_confirmed", day, staff=e.staff, reason=d.get("reason"), insurer=d.get("insurer"),
                           at_text=at_text)
    return None


def facts_of(events: Iterable[EventRec]) -> list[ContactFact]:
    return [f for f in (fact_of(e) for e in events) if f is not None]


def case_start(end_day: date | None, s: CounterSettings) -> date | None:
    """First day of this renewal case: renewal opens lead_days before the last covered day."""
    return end_day - timedelta(days=s.lead_days) if end_day else None


def case_facts(facts: list[ContactFact], end_day: date | None, s: CounterSettings,
               today: date | None = None) -> list[ContactFact]:
    """The facts of the case about the cover ending on `end_day` (a lapse: since it lapsed)."""
    start = case_start(end_day, s)
    if start is None:
        return facts
    return [f for f in facts if f.day >= start]


@dataclass(frozen=True)
class LossState:
    proposed: ContactFact | None   # the latest loss result in the case
    confirmed: ContactFact | None  # a supervisor's confirmation after it

    @property
    def pending(self) -> bool:
        return self.proposed is not None and self.confirmed is None


def loss_state(case: list[ContactFact]) -> LossState:
    ordered = sorted(case, key=lambda f: (f.day, f.at_text))
    proposed = confirmed = None
    for f in ordered:
        if f.kind == "contact" and f.result in LOSS_RESULTS:
            proposed, confirmed = f, None
        elif f.kind == "loss_confirmed" and proposed is not None:
            confirmed = f
    return LossState(proposed, confirmed)


def closing_fact(case: list[ContactFact]) -> ContactFact | None:
    """What closed this case (a closing record outcome, a confirmed or proposed loss), if anything."""
    ordered = sorted(case, key=lambda f: (f.day, f.at_text))
    closing = [f for f in ordered if (f.kind == "outcome" and f.result in CLOSING_OUTCOMES)
               or f.kind == "loss_confirmed"
               or (f.kind == "contact" and f.result in LOSS_RESULTS)]
    return closing[-1] if closing else None
