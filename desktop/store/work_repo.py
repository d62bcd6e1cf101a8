"""The work tabs in SQL (issue 13): counts and the first rows of each tab, from work_index.

Why the latest-ending term decides: a vehicle is on a tab other than 已办结 only while it is
live — DUE or ACTIVE with no later cover to start, or LAPSED (at most 3 years) with none
either (services.worklist.classify). Let E be the latest end of its valid (end > start) 交强险
terms and S the earliest start among the terms ending at E. Then, by DESIGN §3:
  * DUE/ACTIVE and no next start ⟺ S <= at < E. (⇐: that term contains `at` and nothing ends
    later, so it is the current term, no later term extends it, and any term starting after
    `at` lies inside it. ⇒: with no next interval every term belongs to the current interval,
    whose end is the current term's end, so the current term ends at E and starts <= at.)
  * LAPSED and no next start ⟺ E <= at (a term starting after `at` would end after E).
  * ci_end_date is the last covered day of E in both cases; DUE ⟺ E − at <= lead_days.
work_index keeps (E, S, that day) per vehicle, so a tab is an index range over E.

Renewal events: tier 0 (none) and tier 1 (undated contacts, record outcomes, 停止联系, a
confirmed loss) are decided here by aggregates that mirror core.cadence.plan/cap_state and
services.renewal_facts.closing_fact; tier 2/3 vehicles (named dates, 本次关闭, assignments,
odd times) are left to the Python engine, and 已办结 is always decided there. The equivalence
is tested against the Python engine on generated histories (tests/unit/test_work_repo.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from desktop.core.timeutil import CST

from .records import iso
from .uuidcol import blobs, text_of

SQL_TABS = ("today", "week", "overdue", "lapsing", "lapsed")
WEEK = 7
_REACHED = "'will_renew', 'quote_requested', 'will_come', 'renewed_elsewhere', 'sold', 'declined'"
_AS_CONTACT = "'will_come', 'declined', 'unreachable'"  # record outcomes that are a contact


@dataclass(frozen=True)
class TabParams:
    at: datetime
    today: date
    lead_days: int
    cadence: tuple[int, ...]      # core.cadence.parse_cadence order (largest first)
    lapsing_days: int
    cap_day: int
    cap_week: int
    lapse_days: int

    @property
    def offsets(self) -> list[int]:
        """Touchpoints as days before the last covered day (core.cadence.touchpoints), largest first."""
        return sorted({min(d, self.lead_days) for d in self.cadence}, reverse=True)


def _mid(d: date) -> str:
    return iso(datetime(d.year, d.month, d.day, tzinfo=CST))


def _rows_sql(p: TabParams, tab: str) -> tuple[str, dict]:
    """(sql, params) of the tab's rows decided in SQL: vehicle_id, k1, k2 (sort keys), capped."""
    today, at_s = p.today, iso(p.at)
    prm = {"at": at_s, "today": today.isoformat(), "lead": p.lead_days, "monday":
           (today - timedelta(days=today.weekday())).isoformat(), "cap_day": p.cap_day, "cap_week": p.cap_week}
    if tab == "lapsed":
        lo, hi, live = _mid(today - timedelta(days=p.lapse_days)), at_s, "1"
    else:
        ahead = (max(p.offsets) + WEEK) if tab in ("today", "week", "overdue") else p.lapsing_days
        lo, hi = at_s, _mid(today + timedelta(days=ahead + 1))
        live = "w.ci_start_at <= :at"
        if tab == "lapsing":
            live += " AND w.ci_end_at <= :due_hi"
            prm["due_hi"] = iso(p.at + timedelta(days=p.lead_days))
    prm.update(lo=lo, hi=hi)
    x = "CAST(julianday(w.end_day) - julianday(:today) AS INTEGER)"
    case_from = "date(w.end_day, '-' || :lead || ' days')"
    is_contact = f"(e.kind = 'contact' OR (e.kind = 'outcome' AND e.outcome IN ({_AS_CONTACT})))"
    facts = f"""SELECT e.vehicle_id AS vid,
        max(e.kind = 'contact_stop') AS stopped,
        max(substr(e.at, 1, 10) >= {case_from} AND (e.kind = 'loss_confirmed'
            OR (e.kind = 'outcome' AND e.outcome IN ('renewed_here', 'renewed_elsewhere', 'sold', 'scrapped', 'declined'))
            OR (e.kind = 'contact' AND e.outcome IN ('renewed_elsewhere', 'sold', 'declined')))) AS closed,
        max(CASE WHEN substr(e.at, 1, 10) >= {case_from} AND ((e.kind = 'contact' AND e.outcome IN ({_REACHED}))
                 OR (e.kind = 'outcome' AND e.outcome IN ('will_come', 'declined'))) THEN substr(e.at, 1, 10) END) AS lr,
        sum({is_contact} AND substr(e.at, 1, 10) = :today) AS n_today,
        sum({is_contact} AND substr(e.at, 1, 10) BETWEEN :monday AND :today) AS n_week
      FROM w JOIN event e INDEXED BY ix_event_facts ON e.vehicle_id = w.vehicle_id
      WHERE w.tier = 1 AND e.kind IN ('contact', 'contact_stop', 'contact_close', 'assign', 'loss_confirmed', 'outcome')
      GROUP BY e.vehicle_id"""
    base = f"""WITH w AS (SELECT vehicle_id, ci_end_at, ci_start_at, end_day, tier FROM work_index
                 WHERE contactable = 1 AND ci_end_at > :lo AND ci_end_at <= :hi AND tier < 2),
      f AS ({facts}),
      r AS (SELECT w.vehicle_id, {x} AS x,
                   coalesce(CAST(julianday(w.end_day) - julianday(f.lr) AS INTEGER), 100000) AS m,
                   coalesce(f.n_today, 0) >= :cap_day OR coalesce(f.n_week, 0) >= :cap_week AS blocked
            FROM w LEFT JOIN f ON f.vid = w.vehicle_id
            WHERE {live} AND coalesce(f.stopped, 0) = 0 AND coalesce(f.closed, 0) = 0)"""
    if tab == "lapsed":
        return base + " SELECT vehicle_id, -min(-1, x), 0, 0 FROM r", prm
    if tab == "lapsing":
        return base + " SELECT vehicle_id, x, 0, 0 FROM r WHERE x BETWEEN 0 AND :lapsing", {**prm, "lapsing":
                                                                                           p.lapsing_days}
    asc, desc = sorted(p.offsets), p.offsets
    # plan(): the latest open touchpoint on or before today (smallest offset >= x), else the next one.
    past = "CASE " + " ".join(f"WHEN {c} >= x AND {c} < m THEN {c}" for c in asc) + " END"
    future = "CASE " + " ".join(f"WHEN {c} < x AND {c} < m THEN {c}" for c in desc) + " END"
    sel = f"SELECT vehicle_id, x, {past} AS pc, {future} AS fc, blocked FROM r"
    if tab == "today":
        cond, key = "pc = x", "x - pc"
    elif tab == "overdue":
        cond, key = "pc > x", "x - pc"
    else:
        cond, key = f"pc IS NULL AND fc IS NOT NULL AND x - fc <= {WEEK}", "x - fc"
    capped = "blocked" if tab != "week" else "0"
    keep = f"({cond}) AND NOT blocked" if tab != "week" else cond
    # k1 = next_date as days from today, k2 = days_left: the service's sort order before the plate.
    return f"{base}, t AS ({sel}) SELECT vehicle_id, {key}, x, 0 FROM t WHERE {keep}" + (
        f" UNION ALL SELECT vehicle_id, NULL, NULL, 1 FROM t WHERE ({cond}) AND {capped}"
        if tab != "week" else ""), prm


def _id(v) -> str:
    # A column read through a CTE, a UNION or DISTINCT may lose its declared type (UUIDBLOB) and
    # come back as the stored bytes.
    return text_of(bytes(v)) if isinstance(v, (bytes, memoryview)) else v


@dataclass(frozen=True)
class SqlTab:
    count: int
    capped: int
    first: list[str]  # vehicle ids of the first `limit` rows (by k1, k2, plate)


def tab_rows(conn: Connection, p: TabParams, tab: str, limit: int) -> SqlTab:
    sql, prm = _rows_sql(p, tab)
    rows = [(_id(r[0]), r[1], r[2], r[3]) for r in conn.exec_driver_sql(sql, prm).fetchall()]
    listed = [r for r in rows if not r[3]]
    listed.sort(key=lambda r: (r[1], r[2]))
    first: list[str] = []
    if listed and limit > 0:
        cut = listed[min(limit, len(listed)) - 1][1:3]
        first = [r[0] for r in listed if (r[1], r[2]) < cut]
        # The rows sharing the cut key (thousands on a big store: one end day) go by plate.
        ties = [r[0] for r in listed if (r[1], r[2]) == cut]
        first += _by_plate(conn, ties)[:limit - len(first)]
    return SqlTab(len(listed), len(rows) - len(listed), first)


def _by_plate(conn: Connection, ids: list[str]) -> list[str]:
    if len(ids) <= 1:
        return ids
    plates: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = blobs(ids[i:i + 500])
        plates.update((_id(v), p) for v, p in conn.exec_driver_sql(
            f"SELECT id, coalesce(plate, '') FROM vehicle WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return sorted(ids, key=lambda v: plates.get(v, ""))


def python_candidates(conn: Connection, p: TabParams, month_start: date) -> tuple[set[str], set[str]]:
    """(vehicles whose every tab the Python engine decides, vehicles it decides 已办结 for).

    The first: tier 2/3 and contactable, live-looking (E after the 3-year lapse bound) or with odd
    times. The second: a closing record, loss or 停止联系 since the month began (closing_fact and
    stopped need one on or after the first of the month)."""
    lo = _mid(p.today - timedelta(days=p.lapse_days))
    full = {_id(r[0]) for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index WHERE contactable = 1 "
        "AND ((coalesce(tier, 3) = 2 AND ci_end_at > ?) OR coalesce(tier, 3) = 3)",
        (lo,)).fetchall()}
    done = {_id(r[0]) for r in conn.exec_driver_sql(
        "SELECT DISTINCT vehicle_id FROM event WHERE kind IN ('outcome', 'loss_confirmed', 'contact', 'contact_stop') "
        "AND at >= ? AND vehicle_id IS NOT NULL", (_mid(month_start),)).fetchall()}
    return full, done - full


def latest_end_between(conn: Connection, lo: datetime, hi: datetime) -> list[str]:
    """Vehicles whose latest valid 交强险 end is in [lo, hi] (and no odd times: those come too)."""
    return [_id(r[0]) for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index WHERE (ci_end_at >= ? AND ci_end_at <= ?) OR coalesce(tier, 3) = 3",
        (iso(lo), iso(hi))).fetchall()]


def latest_start_from(conn: Connection, lo: datetime) -> list[str]:
    """Vehicles whose latest-ending valid 交强险 term starts at or after `lo`."""
    return [_id(r[0]) for r in conn.exec_driver_sql("SELECT vehicle_id FROM work_index WHERE ci_start_at >= ?",
                                               (iso(lo),)).fetchall()]
