"""Complaints and disputes (投诉/纠纷) as a fold over append-only events.

A complaint is born as a `complaint_opened` event (its id is the complaint's id); follow-ups
(`complaint_followup`) and state changes (`complaint_state`) name it in their detail. Every counter
folds the same events in the same (at, id) order, so synced replicas agree without a conflict rule:
a state change that is not allowed from the state the fold has reached (two counters moved it at
once) is kept in the history but changes nothing. Closing needs a supervisor; the role travels in
the event so a replica ignores a close by a clerk that some older build let through.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date

__all__ = ["CATEGORIES", "CLOSE_ROLE", "KINDS", "STATES", "STATE_LABEL", "TRANSITIONS", "Complaint", "FollowUp",
           "fold_complaints", "open_first"]

OPENED, FOLLOWUP, STATE = "complaint_opened", "complaint_followup", "complaint_state"
KINDS = (OPENED, FOLLOWUP, STATE)
STATES = ("open", "waiting_insurer", "resolved", "closed")
STATE_LABEL = {"open": "待处理", "waiting_insurer": "等待保险公司", "resolved": "已解决", "closed": "已关闭"}
CATEGORIES = {"claim": "理赔纠纷", "service": "服务态度", "premium": "保费/退费", "promise": "承诺未兑现",
              "policy": "保单信息有误", "other": "其他"}
# Forward along 待处理 → 等待保险公司 → 已解决 → 已关闭; back to 待处理 when the customer is not
# satisfied after all; nothing leaves 已关闭 (a new matter is a new complaint).
TRANSITIONS = {"open": ("waiting_insurer", "resolved"), "waiting_insurer": ("open", "resolved"),
               "resolved": ("open", "closed"), "closed": ()}
CLOSE_ROLE = "supervisor"
_RANK = {"clerk": 1, "supervisor": 2, "admin": 3}


@dataclass(frozen=True)
class FollowUp:
    at: str
    staff: str | None
    note: str | None
    from_state: str | None = None  # set for a state change
    to_state: str | None = None
    applied: bool = True           # False: a state change the fold refused (see module doc)


@dataclass(frozen=True)
class Complaint:
    id: str
    vehicle_id: str | None
    customer_id: str | None
    category: str
    promised: str | None     # what the counter promised the customer
    note: str | None
    owner: str               # staff member following it up
    due: date
    state: str
    opened_at: str
    opened_by: str | None
    history: tuple[FollowUp, ...] = field(default=())

    def overdue(self, today: date) -> bool:
        """Past its due date and still waiting on us (resolved ones wait only for the sign-off)."""
        return self.state in ("open", "waiting_insurer") and self.due < today

    @property
    def is_open(self) -> bool:
        return self.state != "closed"


def _date(s: object) -> date | None:
    try:
        return date.fromisoformat(str(s))
    except ValueError:
        return None


def fold_complaints(events: Iterable[Mapping]) -> dict[str, Complaint]:
    """events: {id, vehicle_id, kind, detail (dict), note, staff, at}, in any order."""
    out: dict[str, Complaint] = {}
    for e in sorted(events, key=lambda e: (e["at"], e["id"])):
        d = e.get("detail") or {}
        if e["kind"] == OPENED:
            due = _date(d.get("due"))
            if d.get("category") not in CATEGORIES or due is None or e["id"] in out:
                continue
            out[e["id"]] = Complaint(e["id"], e.get("vehicle_id"), d.get("customer_id"), d["category"],
                                     d.get("promised"), e.get("note"), d.get("owner") or e.get("staff") or "",
                                     due, "open", e["at"], e.get("staff"))
            continue
        c = out.get(d.get("complaint_id"))
        if c is None:
            continue  # its opening event has not arrived yet, or never will
        if e["kind"] == FOLLOWUP:
            due = _date(d.get("due")) if d.get("due") else None
            out[c.id] = replace(c, owner=d.get("owner") or c.owner, due=due or c.due,
                                history=(*c.history, FollowUp(e["at"], e.get("staff"), e.get("note"))))
        elif e["kind"] == STATE:
            to = d.get("to")
            ok = (to in TRANSITIONS.get(c.state, ())
                  and (to != "closed" or _RANK.get(d.get("by_role"), 0) >= _RANK[CLOSE_ROLE]))
            step = FollowUp(e["at"], e.get("staff"), e.get("note"), c.state, to, ok)
            out[c.id] = replace(c, state=to if ok else c.state, history=(*c.history, step))
    return out


def open_first(complaints: Iterable[Complaint], today: date) -> list[Complaint]:
    """Overdue first, then by due date, then oldest first."""
    return sorted(complaints, key=lambda c: (not c.overdue(today), c.due, c.opened_at, c.id))
