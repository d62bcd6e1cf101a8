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

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from desktop.core.timeutil import CST

from . import work_triggers
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


DAY = 86400
_CST_SECONDS = 8 * 3600
# The last covered day of the latest end, as a day number (days since 1970-01-01, UTC+8): the day
# of end − 1 s (ends are whole seconds, work_index keeps them as epoch seconds since 0013).
_END_DN = f"((w.ci_end_at + {_CST_SECONDS - 1}) / {DAY})"


def _dn(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _secs(at: datetime) -> int:
    # floor: the stored times are whole seconds, so `> at` and `<= at` mean the same for floor(at)
    return math.floor(at.timestamp())


def _end_bounds(today: date, x_lo: int, x_hi: int) -> tuple[int, int]:
    """ci_end_at range (lo exclusive, hi inclusive) of the vehicles whose days left x = last
    covered day − today is in [x_lo, x_hi]."""
    return (_dn(today) + x_lo) * DAY - _CST_SECONDS, (_dn(today) + x_hi + 1) * DAY - _CST_SECONDS


def x_range(p: TabParams, tab: str) -> tuple[int, int]:
    """The days left a vehicle on the tab can have (narrows the index range each tab reads)."""
    if tab == "lapsed":
        return -p.lapse_days, 0
    if tab == "lapsing":
        return 0, p.lapsing_days
    lo_c, hi_c = min(p.offsets), max(p.offsets)
    if tab == "today":      # today is a touchpoint: x is one of the offsets
        return lo_c, hi_c
    if tab == "overdue":    # a touchpoint after x has passed
        return 0, hi_c - 1
    return lo_c + 1, hi_c + WEEK  # week: the next touchpoint is within 7 days


def _window(p: TabParams, tab: str, x_lo: int, x_hi: int) -> tuple[str, dict]:
    """(condition on work_index w, params): the live vehicles of the tab's index range whose days
    left are in [x_lo, x_hi] (before their renewal events are looked at)."""
    today, at_s = p.today, _secs(p.at)
    prm = {"at": at_s, "today_dn": _dn(today)}
    lo, hi = _end_bounds(today, x_lo, x_hi)
    if tab == "lapsed":
        lo, hi = max(lo, _end_bounds(today, -p.lapse_days, 0)[0]), min(hi, at_s)
        live = "1"
    else:
        lo = max(lo, at_s)
        live = "w.ci_start_at <= :at"
        if tab == "lapsing":
            live += " AND w.ci_end_at <= :due_hi"
            prm["due_hi"] = _secs(p.at + timedelta(days=p.lead_days))
    prm.update(lo=lo, hi=hi)
    return f"w.contactable = 1 AND w.ci_end_at > :lo AND w.ci_end_at <= :hi AND {live}", prm


def _case_from() -> str:
    # the first day of the current case (services.renewal_facts.case_start) as YYYY-MM-DD
    return f"date(({_END_DN} - :lead) * {DAY}, 'unixepoch')"


def _tier1_sql(p: TabParams, tab: str, x_lo: int, x_hi: int, viewer: str | None) -> tuple[str, dict]:
    """(sql, params) of the tab's rows among vehicles with renewal events SQL decides (tier 1, and
    tier 2 with no named date or 本次关闭 in the current case): vehicle_id, k1, k2 (sort keys, NULL
    when capped), capped. `viewer`: a clerk sees their own and the unassigned (None: everyone)."""
    where, prm = _window(p, tab, x_lo, x_hi)
    today = p.today
    prm.update({"today": today.isoformat(), "lead": p.lead_days, "monday":
                (today - timedelta(days=today.weekday())).isoformat(), "cap_day": p.cap_day, "cap_week": p.cap_week})
    x = f"({_END_DN} - :today_dn)"
    case_from = _case_from()
    is_contact = f"(e.kind = 'contact' OR (e.kind = 'outcome' AND e.outcome IN ({_AS_CONTACT})))"
    # Every expression here is per vehicle and its events (GROUP BY the vehicle's row).
    sql = f"""WITH r AS (SELECT w.vehicle_id, {x} AS x,
        coalesce({_END_DN} - CAST(julianday(max(CASE WHEN substr(e.at, 1, 10) >= {case_from}
                 AND ((e.kind = 'contact' AND e.outcome IN ({_REACHED}))
                      OR (e.kind = 'outcome' AND e.outcome IN ('will_come', 'declined')))
                 THEN substr(e.at, 1, 10) END)) - 2440587.5 AS INTEGER), 100000) AS m,
        coalesce(sum({is_contact} AND substr(e.at, 1, 10) = :today), 0) >= :cap_day
          OR coalesce(sum({is_contact} AND substr(e.at, 1, 10) BETWEEN :monday AND :today), 0) >= :cap_week
          AS blocked
      FROM work_index w INDEXED BY ix_work_index_end
        LEFT JOIN event e INDEXED BY ix_event_facts ON e.vehicle_id = w.vehicle_id
          AND e.kind IN ('contact', 'contact_stop', 'contact_close', 'assign', 'loss_confirmed', 'outcome')
      WHERE {where} AND w.tier IN (1, 2)
      GROUP BY w.vehicle_id
      HAVING coalesce(max(CASE WHEN substr(e.at, 1, 10) >= {case_from} THEN {work_triggers.level('e')} END), 0) < 2
        AND {_visible(viewer)}
        AND coalesce(max(e.kind = 'contact_stop'), 0) = 0
        AND coalesce(max(substr(e.at, 1, 10) >= {case_from} AND (e.kind = 'loss_confirmed'
            OR (e.kind = 'outcome' AND e.outcome IN ('renewed_here', 'renewed_elsewhere', 'sold', 'scrapped', 'declined'))
            OR (e.kind = 'contact' AND e.outcome IN ('renewed_elsewhere', 'sold', 'declined')))), 0) = 0)"""
    if viewer is not None:
        prm["viewer"] = viewer
    if tab == "lapsed":
        return sql + " SELECT vehicle_id, -min(-1, x) AS k1, 0 AS k2, 0 AS capped FROM r", prm
    if tab == "lapsing":
        return (sql + " SELECT vehicle_id, x AS k1, 0 AS k2, 0 AS capped FROM r WHERE x BETWEEN 0 AND :lapsing",
                {**prm, "lapsing": p.lapsing_days})
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
    # k1 = next_date as days from today, k2 = days_left: the service's sort order before the plate.
    # The cap holds a vehicle back from today and overdue only (week lists it regardless).
    capped = "blocked" if tab != "week" else "0"
    return (f"{sql}, t AS ({sel}) SELECT vehicle_id, CASE WHEN NOT {capped} THEN {key} END AS k1, "
            f"CASE WHEN NOT {capped} THEN x END AS k2, {capped} AS capped FROM t WHERE {cond}"), prm


def _visible(viewer: str | None) -> str:
    """A clerk's view: the latest assignment (cadence.assigned_to) is nobody or them."""
    if viewer is None:
        return "1"
    return f"""coalesce((SELECT CASE WHEN json_valid(a.detail) THEN json_extract(a.detail, '$.to') END = :viewer
        FROM event a INDEXED BY ix_event_facts WHERE a.vehicle_id = w.vehicle_id AND a.kind IN ({work_triggers.FACT_KINDS})
          AND a.kind = 'assign' ORDER BY a.at DESC, a.rowid DESC LIMIT 1), 1)"""


def _tier0_place(p: TabParams, tab: str, x: int) -> tuple[tuple[int, int], bool] | None:
    """Where a vehicle without renewal events (tier 0) and x days left goes: (sort key, capped),
    None when not on the tab. _tier1_sql's rule with no facts: no reached contact (m unbounded),
    no attempt (blocked only under a cap of 0), never stopped or closed."""
    if tab == "lapsed":
        return ((max(1, -x), 0), False) if x <= 0 else None
    if tab == "lapsing":
        return ((x, 0), False) if 0 <= x <= p.lapsing_days else None
    blocked = p.cap_day <= 0 or p.cap_week <= 0
    past = min((c for c in p.offsets if c >= x), default=None)
    future = max((c for c in p.offsets if c < x), default=None)
    if tab == "today":
        return ((x - past, x), blocked) if past == x else None
    if tab == "overdue":
        return ((x - past, x), blocked) if past is not None and past > x else None
    if past is None and future is not None and x - future <= WEEK:
        return (x - future, x), False
    return None


def _id(v) -> str:
    # A column read through a CTE, a UNION or DISTINCT may lose its declared type (UUIDBLOB) and
    # come back as the stored bytes.
    return text_of(bytes(v)) if isinstance(v, (bytes, memoryview)) else v


@dataclass(frozen=True)
class SqlTab:
    count: int
    capped: int
    first: list[str]  # vehicle ids of the first `limit` rows (by k1, k2, plate)


def tab_rows(conn: Connection, p: TabParams, tab: str, limit: int, viewer: str | None = None) -> SqlTab:
    """The tab's count, its capped count and its first `limit` rows among the vehicles SQL decides.

    Tier 0 (no renewal event: most of a store) is placed by its days left alone, so it is counted
    per day (one pass over the covering index, no row leaves SQLite) and only the days the page
    reaches are read as ids; tiers 1 and 2 go through _tier1_sql row by row (ix_work_index_end
    leads with the tier, so that is a seek into those few rows)."""
    x_lo, x_hi = x_range(p, tab)
    where, prm = _window(p, tab, x_lo, x_hi)
    x = f"({_END_DN} - :today_dn)"
    count = capped = 0
    days: dict[tuple[int, int], list[int]] = {}   # sort key -> the tier-0 days (x) with it
    per_key: dict[tuple[int, int], int] = {}
    for xd, n in conn.exec_driver_sql(f"SELECT {x}, count(*) FROM work_index w INDEXED BY ix_work_index_end "
                                      f"WHERE {where} AND w.tier = 0 GROUP BY 1", prm):
        place = _tier0_place(p, tab, xd)
        if place is None:
            continue
        if place[1]:
            capped += n
        else:
            count += n
            days.setdefault(place[0], []).append(xd)
            per_key[place[0]] = per_key.get(place[0], 0) + n
    t_sql, t_prm = _tier1_sql(p, tab, x_lo, x_hi, viewer)
    ones: dict[tuple[int, int], list[str]] = {}
    for vid, k1, k2, held in conn.exec_driver_sql(t_sql, t_prm):
        if held:
            capped += 1
        else:
            count += 1
            ones.setdefault((k1, k2), []).append(_id(vid))
            per_key[(k1, k2)] = per_key.get((k1, k2), 0) + 1
    first: list[str] = []
    if limit <= 0:
        return SqlTab(count, capped, first)
    seen = 0
    for key in sorted(per_key):
        ids = ones.get(key, []) + [v for xd in days.get(key, []) for v in _tier0_ids(conn, p, tab, xd)]
        if seen + len(ids) <= limit:
            first += ids
            seen += len(ids)
            if seen == limit:
                break
            continue
        # The rows sharing the cut key (thousands on a big store: one end day) go by plate.
        first += _by_plate(conn, ids)[:limit - seen]
        break
    return SqlTab(count, capped, first)


def _tier0_ids(conn: Connection, p: TabParams, tab: str, xd: int) -> list[str]:
    where, prm = _window(p, tab, xd, xd)
    return [_id(r[0]) for r in conn.exec_driver_sql(
        f"SELECT w.vehicle_id FROM work_index w INDEXED BY ix_work_index_end WHERE {where} AND w.tier = 0", prm)]


def _by_plate(conn: Connection, ids: list[str]) -> list[str]:
    if len(ids) <= 1:
        return ids
    plates: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = blobs(ids[i:i + 500])
        plates.update((_id(v), p) for v, p in conn.exec_driver_sql(
            f"SELECT id, coalesce(plate, '') FROM vehicle WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return sorted(ids, key=lambda v: (plates.get(v, ""), v))


def python_candidates(conn: Connection, p: TabParams, month_start: date) -> tuple[set[str], set[str]]:
    """(vehicles whose every tab the Python engine decides, vehicles it decides 已办结 for).

    The first: tier 2/3 and contactable, live-looking (E after the 3-year lapse bound) or with odd
    times. The second: a closing record, loss or 停止联系 since the month began (closing_fact and
    stopped need one on or after the first of the month)."""
    lo = _end_bounds(p.today, -p.lapse_days, 0)[0]
    # coalesce(tier, 3) >= 2 names ix_work_index_python's condition: a seek into the few such rows.
    # A tier-2 vehicle whose named dates and 本次关闭 are all before its current case is _tier1_sql's.
    full = {_id(r[0]) for r in conn.exec_driver_sql(
        f"""SELECT vehicle_id FROM work_index w WHERE coalesce(tier, 3) >= 2 AND contactable = 1
        AND (coalesce(tier, 3) = 3 OR (ci_end_at > :lo AND EXISTS (
            SELECT 1 FROM event e INDEXED BY ix_event_facts WHERE e.vehicle_id = w.vehicle_id
              AND e.kind IN ({work_triggers.FACT_KINDS}) AND e.at >= {_case_from()}
              AND {work_triggers.level('e')} >= 2)))""", {"lo": lo, "lead": p.lead_days}).fetchall()}
    done = {_id(r[0]) for r in conn.exec_driver_sql(
        "SELECT DISTINCT vehicle_id FROM event WHERE kind IN ('outcome', 'loss_confirmed', 'contact', 'contact_stop') "
        "AND at >= ? AND vehicle_id IS NOT NULL", (iso(datetime(month_start.year, month_start.month, month_start.day, tzinfo=CST)),)).fetchall()}
    return full, done - full


def latest_end_between(conn: Connection, lo: datetime, hi: datetime) -> list[str]:
    """Vehicles whose latest valid 交强险 end is in [lo, hi] (and no odd times: those come too)."""
    # index seeks (contactable, tier lead ix_work_index_end) rather than one OR over the whole table;
    # a NULL contactable (no trigger writes one) is read by the second, a NULL tier by the third
    return [_id(r[0]) for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index WHERE contactable IN (0, 1) AND tier IN (0, 1, 2, 3) "
        "AND ci_end_at >= :lo AND ci_end_at <= :hi "
        "UNION SELECT vehicle_id FROM work_index WHERE contactable IS NULL AND ci_end_at >= :lo AND ci_end_at <= :hi "
        "UNION SELECT vehicle_id FROM work_index WHERE coalesce(tier, 3) >= 2 AND coalesce(tier, 3) = 3",
        {"lo": math.ceil(lo.timestamp()), "hi": math.floor(hi.timestamp())}).fetchall()]


def latest_start_from(conn: Connection, lo: datetime) -> list[str]:
    """Vehicles whose latest-ending valid 交强险 term starts at or after `lo`."""
    return [_id(r[0]) for r in conn.exec_driver_sql("SELECT vehicle_id FROM work_index WHERE ci_start_at >= ?",
                                                    (math.ceil(lo.timestamp()),)).fetchall()]
