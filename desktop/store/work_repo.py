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
work_index keeps (E, S) per vehicle, so a tab is an index range over E.

Renewal events: tier 0 (none: most vehicles) is placed by its days left alone and counted per
day; tiers 1 and 2 (contacts, named dates, 本次关闭, assignments, outcomes) are decided row by row
by desktop.store.work_cases, which reads core.cadence.plan / cap_state and
services.renewal_facts.closing_fact in SQL; tier 3 (odd times) and the rare vehicle with events
dated after today beyond x_high are left to the Python engine. 已办结 is desktop.store.work_done's.
The equivalence is tested against the Python engine on generated histories
(tests/unit/test_work_repo.py).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from desktop.core.timeutil import CST

from . import work_cases, work_done, work_triggers
from .records import iso
from .uuidcol import blobs, text_of

SQL_TABS = ("today", "week", "overdue", "lapsing", "lapsed", "visits")
WEEK = work_cases.WEEK


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


def x_range(p: TabParams, tab: str) -> tuple[int, int]:
    """The days left a vehicle without renewal events (tier 0) on the tab can have."""
    if tab == "lapsed":
        return -p.lapse_days, 0
    if tab == "lapsing":
        return 0, p.lapsing_days
    lo_c, hi_c = min(p.offsets), max(p.offsets)
    if tab == "today":      # today is a touchpoint: x is one of the offsets
        return lo_c, hi_c
    if tab == "overdue":    # a touchpoint after x has passed
        return 0, hi_c - 1
    if tab == "week":       # the next touchpoint is within 7 days
        return lo_c + 1, hi_c + WEEK
    return 0, -1            # visits: only a promise in the case puts a vehicle there


def x_high(p: TabParams) -> int:
    """Beyond these days left a vehicle's case starts after today: only events dated after today
    (a peer's clock, a test's earlier `at`) can be in it; the Python engine takes those."""
    return max(p.lead_days, max(p.offsets) + WEEK, p.lapsing_days)


def _events_x_ranges(p: TabParams, tab: str) -> dict[int, tuple[int, int]]:
    """{tier: the days left its vehicles on the tab can have}. Tier 1 names no date, so its
    touchpoints bound x as tier 0's do; a named date or a promise (tier 2) lists any live vehicle,
    a lapsed one too (plan() without touchpoints)."""
    if tab in ("lapsed", "lapsing"):
        return {1: x_range(p, tab), 2: x_range(p, tab)}
    if tab == "visits":
        return {2: (-p.lapse_days, x_high(p))}
    return {1: x_range(p, tab), 2: (-p.lapse_days, x_high(p))}


def _tier0_window(p: TabParams, tab: str, x_lo: int, x_hi: int, viewer: str | None) -> tuple[str, dict]:
    """(condition on work_index w, params) of the tab's rows placed as tier 0 with days left in
    [x_lo, x_hi]: tier 0, and the open, visible vehicles of tiers 1 and 2 whose events cannot
    change their place (work_cases.QUIET; on 已断保 / 即将断保 any open one: only a closing fact or
    停止联系 takes a vehicle off those)."""
    if tab == "lapsed":
        where, prm = work_cases.window(p, x_lo, x_hi, p.lapse_days)
        where += " AND w.ci_end_at <= :at"
    elif tab == "lapsing":
        where, prm = work_cases.window(p, x_lo, x_hi, p.lapse_days, lapsing=True)
    else:
        where, prm = work_cases.window(p, x_lo, x_hi, p.lapse_days)
        where += " AND w.ci_end_at > :at"
    quiet = "" if tab in _SUMMARY_TABS else f" AND {work_cases.QUIET}"
    events = f"(w.tier IN (1, 2) AND {work_cases.OPEN}{quiet} AND {work_cases.visible(viewer)})"
    prm.update(work_cases.summary_params(p))
    if viewer is not None:
        prm["viewer"] = viewer
    # tier IN (0, 1, 2): a seek per tier into ix_work_index_end, which covers the summary
    return f"{where} AND w.tier IN (0, 1, 2) AND (w.tier = 0 OR {events})", prm


# The tabs whose every row of tiers 1 and 2 the summary places (no event is read for them).
_SUMMARY_TABS = ("lapsed", "lapsing")


def _tier0_place(p: TabParams, tab: str, x: int) -> tuple[tuple[int, int], bool] | None:
    """Where a vehicle without renewal events (tier 0) and x days left goes: (sort key, capped),
    None when not on the tab. work_cases' rule with no facts: no reached contact (m unbounded),
    no attempt (blocked only under a cap of 0), never stopped or closed."""
    if tab == "lapsed":
        return ((max(1, -x), 0), False) if x <= 0 else None
    if tab == "visits":
        return None
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
    reaches are read as ids; tiers 1 and 2 go through work_cases.case_rows_sql row by row (ix_work_index_end
    leads with the tier, so that is a seek into those few rows), counted per sort key in SQLite too,
    with the ids of only the keys the page can reach."""
    x_lo, x_hi = x_range(p, tab)
    count = capped = 0
    days: dict[tuple[int, int], list[int]] = {}   # sort key -> the tier-0 days (x) with it
    per_key: dict[tuple[int, int], int] = {}
    for xd, n in conn.exec_driver_sql(*_tier0_counts(p, tab, x_lo, x_hi, viewer)):
        place = _tier0_place(p, tab, xd) if n else None
        if place is None:
            continue
        if place[1]:
            capped += n
        else:
            count += n
            days.setdefault(place[0], []).append(xd)
            per_key[place[0]] = per_key.get(place[0], 0) + n
    ones: dict[tuple[int, int], list[str]] = {}
    sent: set = set()
    t_sql, t_prm = work_cases.case_rows_sql(p, tab, _events_x_ranges(p, tab), viewer, max(limit, 0))
    for vid, k1, k2, held, n in ([] if tab in _SUMMARY_TABS else conn.exec_driver_sql(t_sql, t_prm)):
        if vid is not None:
            if vid not in sent:  # the last key's rows may come twice (work_cases._paged)
                sent.add(vid)
                ones.setdefault((k1, k2), []).append(_id(vid))
        elif held:
            capped += n
        else:
            count += n
            per_key[(k1, k2)] = per_key.get((k1, k2), 0) + n
    first: list[str] = []
    if limit <= 0:
        return SqlTab(count, capped, first)
    for key in sorted(per_key):
        need = limit - len(first)
        if need <= 0:
            break
        if per_key[key] <= need:
            first += ones.get(key, []) + [v for xd in days.get(key, []) for v in _tier0_ids(conn, p, tab, xd, viewer)]
            continue
        # The rows sharing the cut key (thousands on a big store: one end day) go by plate: SQLite
        # sorts the tier-0 ones and hands over `need` of them, merged with the few of tiers 1 and 2.
        cut = [(plate, v) for xd in days.get(key, []) for v, plate in _tier0_by_plate(conn, p, tab, xd, viewer, need)]
        cut += _plates(conn, ones.get(key, []))
        first += [v for _plate, v in sorted(cut)[:need]]
        break
    return SqlTab(count, capped, first)


def _tier0_counts(p: TabParams, tab: str, x_lo: int, x_hi: int, viewer: str | None) -> tuple[str, dict]:
    """(sql, params): (x, how many) of the tab's tier-0 rows for each day x in [x_lo, x_hi] with any.
    A count per day, each a range of ix_work_index_end: GROUP BY over the end's day sorted every
    entry of the range in a temporary b-tree (59,000 at 1M on 逾期未跟进: 26 of its 30 ms)."""
    x_lo = max(x_lo, -p.lapse_days)  # window() keeps no end before the lapse window either
    where, prm = _tier0_window(p, tab, x_lo, x_hi, viewer)
    bounds = "w.ci_end_at > :lo AND w.ci_end_at <= :hi"
    assert bounds in where
    day_lo = f"(:today_dn + d.x) * {work_cases.DAY} - {work_cases.CST_SECONDS}"
    where = where.replace(bounds, f"w.ci_end_at > {day_lo} AND w.ci_end_at <= {day_lo} + {work_cases.DAY}")
    prm.update({"x_lo": x_lo, "x_hi": x_hi})
    return (f"WITH RECURSIVE d(x) AS (SELECT :x_lo WHERE :x_lo <= :x_hi UNION ALL SELECT x + 1 FROM d "
            f"WHERE x < :x_hi) SELECT d.x, (SELECT count(*) FROM work_index w INDEXED BY ix_work_index_end "
            f"WHERE {where}) FROM d"), prm  # (x, 0) for a day without any: a filter would count twice


def _tier0_ids(conn: Connection, p: TabParams, tab: str, xd: int, viewer: str | None) -> list[str]:
    where, prm = _tier0_window(p, tab, xd, xd, viewer)
    return [_id(r[0]) for r in conn.exec_driver_sql(
        f"SELECT w.vehicle_id FROM work_index w INDEXED BY ix_work_index_end WHERE {where}", prm)]


def _tier0_by_plate(conn: Connection, p: TabParams, tab: str, xd: int, viewer: str | None,
                    n: int) -> list[tuple[str, str]]:
    """The first `n` (id, plate) of the tab's tier-0 rows with days left xd, by plate then id (the
    id's bytes sort as its text)."""
    where, prm = _tier0_window(p, tab, xd, xd, viewer)
    return [(_id(v), plate) for v, plate in conn.exec_driver_sql(
        f"SELECT w.vehicle_id, coalesce(v.plate, '') FROM work_index w INDEXED BY ix_work_index_end "
        f"LEFT JOIN vehicle v ON v.id = w.vehicle_id WHERE {where} ORDER BY 2, 1 LIMIT {int(n)}", prm)]


def _plates(conn: Connection, ids: list[str]) -> list[tuple[str, str]]:
    """(plate, id) of `ids` ('' for none)."""
    plates: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = blobs(ids[i:i + 500])
        plates.update((_id(v), p) for v, p in conn.exec_driver_sql(
            f"SELECT id, coalesce(plate, '') FROM vehicle WHERE id IN ({','.join('?' * len(chunk))})", chunk))
    return [(plates.get(v, ""), v) for v in ids]


def _by_plate(conn: Connection, ids: list[str]) -> list[str]:
    return ids if len(ids) <= 1 else [v for _plate, v in sorted(_plates(conn, ids))]


def python_candidates(conn: Connection, p: TabParams) -> set[str]:
    """The vehicles whose every tab the Python engine decides: tier 3 (odd times) and contactable;
    and vehicles with renewal events whose case starts after today (x_high) yet holds events dated
    after today."""
    # Seeks into ix_work_index_end (contactable, tier lead it; the id is in every entry): tier 3 and
    # a NULL tier (coalesce(tier, 3) = 3) without visiting a row. ix_work_index_python holds tier 2
    # too and not contactable: walking it visited 25,000 rows at 1M with counter events (~1 s).
    full = {_id(r[0]) for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index INDEXED BY ix_work_index_end WHERE contactable = 1 AND tier = 3 "
        "UNION ALL SELECT vehicle_id FROM work_index INDEXED BY ix_work_index_end "
        "WHERE contactable = 1 AND tier IS NULL").fetchall()}
    tomorrow = p.today + timedelta(days=1)
    full.update(_id(r[0]) for r in conn.exec_driver_sql(
        # by time (ix_event_kind_at): the planner otherwise walks every vehicle of the range for its events
        f"""SELECT DISTINCT w.vehicle_id FROM event e INDEXED BY ix_event_kind_at
        JOIN work_index w ON w.vehicle_id = e.vehicle_id
        WHERE e.kind IN ({work_triggers.FACT_KINDS}) AND e.at >= :tomorrow AND w.contactable = 1
          AND w.tier IN (1, 2) AND w.ci_end_at > :hi""",
        {"tomorrow": iso(datetime(tomorrow.year, tomorrow.month, tomorrow.day, tzinfo=CST)),
         "hi": work_cases.end_bounds(p.today, x_high(p), x_high(p))[1]}).fetchall())
    return full


def done_tab(conn: Connection, p: TabParams, month_start: date, limit: int, viewer: str | None,
             full: set[str]) -> tuple[SqlTab, set[str]]:
    """本月已办结 among the vehicles SQL decides (store.work_done): its count and first `limit` rows,
    and the vehicles whose 已办结 the Python engine decides besides `full` (whose every tab it does)."""
    sql, prm = work_done.done_sql(p, month_start, viewer)
    python = {_id(v) for v in work_done.python_done(conn)}
    per_key: dict[int, list[str]] = {}
    for vid, k1, decided in conn.exec_driver_sql(sql, prm):
        v = _id(vid)
        if v in full:
            continue
        if decided == 0:
            python.add(v)
        elif decided == 1:
            per_key.setdefault(k1, []).append(v)
    first: list[str] = []
    for key in sorted(per_key):
        if len(first) >= limit:
            break
        ids = per_key[key]
        # the rows sharing the cut key go by plate, as the service sorts them
        first += ids if len(first) + len(ids) <= limit else _by_plate(conn, ids)[:limit - len(first)]
    return SqlTab(sum(len(v) for v in per_key.values()), 0, first), python - full


def latest_end_between(conn: Connection, lo: datetime, hi: datetime) -> list[str]:
    """Vehicles whose latest valid 交强险 end is in [lo, hi] (and no odd times: those come too)."""
    # index seeks (contactable, tier lead ix_work_index_end) rather than one OR over the whole table;
    # a NULL contactable (no trigger writes one) is read by the second, a NULL tier by the third
    return [_id(r[0]) for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index WHERE contactable IN (0, 1) AND tier IN (0, 1, 2, 3) "
        "AND ci_end_at >= :lo AND ci_end_at <= :hi "
        "UNION SELECT vehicle_id FROM work_index WHERE contactable IS NULL AND ci_end_at >= :lo AND ci_end_at <= :hi "
        "UNION SELECT vehicle_id FROM work_index INDEXED BY ix_work_index_python "
        "WHERE coalesce(tier, 3) >= 2 AND coalesce(tier, 3) = 3",
        {"lo": math.ceil(lo.timestamp()), "hi": math.floor(hi.timestamp())}).fetchall()]


def latest_start_from(conn: Connection, lo: datetime) -> list[str]:
    """Vehicles whose latest-ending valid 交强险 term starts at or after `lo`."""
    return [_id(r[0]) for r in conn.exec_driver_sql("SELECT vehicle_id FROM work_index WHERE ci_start_at >= ?",
                                                    (math.ceil(lo.timestamp()),)).fetchall()]
