"""Complaints and disputes at the counter: record, follow up, move through the states, list.

Every change is an event through the outbox (synced) plus an audit entry, in one transaction. The
audit entry names the complaint and what changed, never the note text (it may hold personal data).
The list is read from the event(kind, at) index and folded in desktop.core.complaints.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import text
from sqlalchemy.engine import Engine

from desktop.core import complaints as core
from desktop.core.complaints import CATEGORIES, STATE_LABEL, Complaint
from desktop.core.ids import new_id
from desktop.core.timeutil import CST, DateParseError, cst_date, parse_start
from desktop.store import audit, staff_repo
from desktop.store.uuidcol import blobs

from .auth import StaffSession, require
from .errors import BadInput, NotAllowed
from .event_log import write_event

__all__ = ["CATEGORIES", "STATE_LABEL", "ComplaintRow", "add", "follow_up", "get", "listing", "move", "parse_category"]

MAX_NOTE = 1000


@dataclass(frozen=True)
class ComplaintRow:
    """One line of the list: a complaint with its vehicle's plate and whether it is overdue."""
    complaint: Complaint
    plate: str | None
    overdue: bool

    def to_json(self) -> dict:
        c = self.complaint
        return {"id": c.id, "plate": self.plate, "category": c.category, "state": c.state, "owner": c.owner,
                "due": c.due.isoformat(), "overdue": self.overdue}


def parse_category(value: str) -> str:
    v = (value or "").strip()
    for code, label in CATEGORIES.items():
        if v in (code, label):
            return code
    raise BadInput(f"投诉类别“{v}”不认识。可选：{'、'.join(f'{k}（{lbl}）' for k, lbl in CATEGORIES.items())}。")


def _due(value: str | date, today: date) -> date:
    if isinstance(value, date):
        d = value
    else:
        try:
            d = parse_start(value).date()
        except DateParseError as exc:
            raise BadInput(f"到期日无法识别：{exc}") from None
    if d < today:
        raise BadInput(f"到期日 {d.isoformat()} 已经过去了：请填今天或以后的日期。")
    return d


def _note(value: str | None, required: bool) -> str | None:
    v = (value or "").strip()
    if required and not v:
        raise BadInput("请写明情况（--note），例如客户反映的问题和答应客户的事。")
    if len(v) > MAX_NOTE:
        raise BadInput(f"说明太长（最多 {MAX_NOTE} 个字）。")
    return v or None


def _owner(engine: Engine, name: str | None, default: str) -> str:
    owner = (name or "").strip() or default
    row = staff_repo.get(engine, owner)
    if row is None or not row.active:
        raise BadInput(f"没有在职员工“{owner}”可以负责这条投诉。")
    return owner


def _events(engine: Engine) -> list[dict]:
    sql = "SELECT id, vehicle_id, kind, detail, note, staff, at FROM event WHERE kind IN (:a, :b, :c)"
    with engine.connect() as conn:
        rows = conn.execute(text(sql + " ORDER BY at, id"), dict(zip("abc", core.KINDS, strict=True))).fetchall()
        conn.rollback()
    out = []
    for r in rows:
        try:
            detail = json.loads(r[3]) if r[3] else {}
        except ValueError:
            continue
        out.append({"id": r[0], "vehicle_id": r[1], "kind": r[2], "detail": detail, "note": r[4], "staff": r[5],
                    "at": r[6]})
    return out


def get(engine: Engine, session: StaffSession, ref: str) -> Complaint:
    """A complaint by its id or a unique beginning of it (at least 6 characters)."""
    require(session, "clerk")
    ref = (ref or "").strip().lower()
    if len(ref) < 6:
        raise BadInput("请给出投诉编号（至少前 6 位）。")
    folded = core.fold_complaints(_events(engine))
    hits = [c for cid, c in folded.items() if cid == ref or cid.startswith(ref)]
    if not hits:
        raise BadInput(f"找不到编号为 {ref} 的投诉。")
    if len(hits) > 1:
        raise BadInput(f"编号 {ref} 对应多条投诉，请多写几位。")
    return hits[0]


def add(engine: Engine, session: StaffSession, vehicle_id: str, customer_id: str | None, category: str,
        due: str | date, note: str | None, promised: str | None = None, owner: str | None = None,
        now: datetime | None = None) -> Complaint:
    require(session, "clerk")
    now = now or datetime.now(CST)
    detail = {"category": parse_category(category), "due": _due(due, cst_date(now)).isoformat(),
              "owner": _owner(engine, owner, session.name), "customer_id": customer_id,
              "promised": _note(promised, False)}
    note = _note(note, True)
    cid = new_id()
    with engine.begin() as conn:
        write_event(conn, core.OPENED, vehicle_id, detail, note, session.name, now, event_id=cid)
        audit.append(conn, "complaint_add", session.name, cid,
                     {"category": detail["category"], "due": detail["due"], "owner": detail["owner"]})
    return get(engine, session, cid)


def _still_open(c: Complaint) -> None:
    if c.state == "closed":
        raise BadInput("这条投诉已关闭，不能再修改；如有新情况请新建一条投诉。")


def follow_up(engine: Engine, session: StaffSession, ref: str, note: str | None, owner: str | None = None,
              due: str | date | None = None, now: datetime | None = None) -> Complaint:
    require(session, "clerk")
    now = now or datetime.now(CST)
    c = get(engine, session, ref)
    _still_open(c)
    detail: dict = {"complaint_id": c.id}
    if owner:
        detail["owner"] = _owner(engine, owner, session.name)
    if due:
        detail["due"] = _due(due, cst_date(now)).isoformat()
    with engine.begin() as conn:
        write_event(conn, core.FOLLOWUP, c.vehicle_id, detail, _note(note, True), session.name, now)
        audit.append(conn, "complaint_followup", session.name, c.id,
                     {k: v for k, v in detail.items() if k != "complaint_id"})
    return get(engine, session, c.id)


def move(engine: Engine, session: StaffSession, ref: str, to_state: str, note: str | None = None,
         now: datetime | None = None) -> Complaint:
    require(session, "clerk")
    now = now or datetime.now(CST)
    if to_state not in core.STATES:
        raise BadInput(f"状态应为 {'/'.join(core.STATES)} 之一（{'、'.join(STATE_LABEL.values())}）。")
    c = get(engine, session, ref)
    _still_open(c)
    if to_state == "closed" and not session.may(core.CLOSE_ROLE):
        raise NotAllowed("关闭投诉需要主管确认：请主管登录后再关闭。")
    if to_state not in core.TRANSITIONS[c.state]:
        allowed = "、".join(STATE_LABEL[s] for s in core.TRANSITIONS[c.state])
        raise BadInput(f"投诉现在是“{STATE_LABEL[c.state]}”，不能直接改为“{STATE_LABEL[to_state]}”；可改为：{allowed}。")
    detail = {"complaint_id": c.id, "from": c.state, "to": to_state, "by_role": session.role}
    with engine.begin() as conn:
        write_event(conn, core.STATE, c.vehicle_id, detail, _note(note, False), session.name, now)
        audit.append(conn, "complaint_state", session.name, c.id, {"from": c.state, "to": to_state})
    return get(engine, session, c.id)


def _plates(engine: Engine, vehicle_ids: set[str]) -> dict[str, str]:
    if not vehicle_ids:
        return {}
    ids = blobs(vehicle_ids)
    marks = ",".join("?" * len(ids))
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT id, plate FROM vehicle WHERE id IN ({marks})", ids).fetchall()
        conn.rollback()
    return dict(rows)


def listing(engine: Engine, session: StaffSession, open_only: bool = True, at: datetime | None = None,
            vehicle_id: str | None = None) -> list[ComplaintRow]:
    """Complaints, overdue first then by due date (`open_only`: not yet closed)."""
    require(session, "clerk")
    today = cst_date(at or datetime.now(CST))
    folded = [c for c in core.fold_complaints(_events(engine)).values()
              if (c.is_open or not open_only) and (vehicle_id is None or c.vehicle_id == vehicle_id)]
    plates = _plates(engine, {c.vehicle_id for c in folded if c.vehicle_id})
    return [ComplaintRow(c, plates.get(c.vehicle_id), c.overdue(today)) for c in core.open_first(folded, today)]
