"""The work tabs' rows for vehicles with renewal events, in SQL (issue 13): services.worklist.classify
and core.cadence.plan over a vehicle's facts, read from work_index's event summary (migration 0016,
desktop.store.work_triggers; each event's facts are desktop.store.work_facts) and this week's
contact attempts.

Per vehicle (the current case is the facts dated on or after its last covered day − lead days):
  * stopped (停止联系, ever), closed (a closing record or a loss in the case), the attempts today
    and this week (cap_state: every contact fact), the latest assignment (a clerk's view);
  * R, the last reached day in the case, and L, the latest case fact that names a date (a contact
    with next_date, 本次关闭 until, a will_come / unreachable record with its day) or is reached:
    plan()'s named date is L's when L names one;
  * the next contact as days k from today: the named date when no reached day is on or after it,
    else the touchpoints (none after a lapse) on or after the named date, after R — the latest on
    or before today, else the next; 本次关闭 in force takes the vehicle off today/overdue/week;
  * the promised visit (预约到店): the case's last contact, when it is a will_come with a day.
Event times are canonical here (work_index tier 3 sends any other to the Python engine), so a
time's first ten characters are its UTC+8 day and text order is time order. L and the last
contact are found with max() over "time + what it says" (facts of the same instant: by that).
"""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from . import work_facts, work_triggers

DAY = 86400
CST_SECONDS = 8 * 3600
# The last covered day of the latest end, as a day number (days since 1970-01-01, UTC+8): the day
# of end − 1 s (ends are whole seconds, work_index keeps them as epoch seconds since 0013).
END_DN = f"((w.ci_end_at + {CST_SECONDS - 1}) / {DAY})"
WEEK = 7


def dn(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def secs(at: datetime) -> int:
    # floor: the stored times are whole seconds, so `> at` and `<= at` mean the same for floor(at)
    return math.floor(at.timestamp())


def end_bounds(today: date, x_lo: int, x_hi: int) -> tuple[int, int]:
    """ci_end_at range (lo exclusive, hi inclusive) of the vehicles whose days left x = last
    covered day − today is in [x_lo, x_hi]."""
    return (dn(today) + x_lo) * DAY - CST_SECONDS, (dn(today) + x_hi + 1) * DAY - CST_SECONDS


def window(p, x_lo: int, x_hi: int, lapse_days: int, lapsing: bool = False, tag: str = "") -> tuple[str, dict]:
    """(condition on work_index w, params): the live-looking vehicles whose days left are in
    [x_lo, x_hi]: lapsed (latest end at or before `at`, at most lapse_days ago) or due/active with
    no later cover to start (classify's `live` before the events are read). `tag` names the range's
    parameters apart (two windows in one statement)."""
    at_s = secs(p.at)
    lo, hi = end_bounds(p.today, x_lo, x_hi)
    lo = max(lo, end_bounds(p.today, -lapse_days, 0)[0])
    prm = {"at": at_s, "today_dn": dn(p.today), f"lo{tag}": lo, f"hi{tag}": hi}
    live = "(w.ci_end_at <= :at OR w.ci_start_at <= :at)"
    if lapsing:  # DUE: within lead days of the end
        live = "w.ci_end_at > :at AND w.ci_start_at <= :at AND w.ci_end_at <= :due_hi"
        prm["due_hi"] = secs(p.at + timedelta(days=p.lead_days))
    return f"w.contactable = 1 AND w.ci_end_at > :lo{tag} AND w.ci_end_at <= :hi{tag} AND {live}", prm


def visible(viewer: str | None) -> str:
    """A clerk's view (condition on work_index w): the latest assignment (cadence.assigned_to) is
    nobody or them (work_index keeps its assignee since 0016)."""
    return "1" if viewer is None else "(w.assignee IS NULL OR w.assignee = :viewer)"


# From work_index's event summary (0016; conditions on w, parameters :lead and :monday_dn):
CASE_START_DN = f"({END_DN} - :lead)"
# never stopped and nothing closed the current case: the vehicle can be on a tab but 已办结
OPEN = f"(w.stopped = 0 AND coalesce(w.closing_dn, -1) < {CASE_START_DN})"
# every fact predates the case and this week: no R, no named date, no promise, no attempt to cap,
# so the vehicle is placed by its days left as one without events is (tier 0)
QUIET = f"(coalesce(w.fact_dn, -1) < {CASE_START_DN} AND coalesce(w.fact_dn, -1) < :monday_dn)"


def summary_params(p) -> dict:
    return {"lead": p.lead_days, "monday_dn": dn(p.today - timedelta(days=p.today.weekday()))}


def _tier2_may(p, tab: str, touch: tuple[int, int] | None, prm: dict) -> str:
    """A condition on the index entry (no row, no event read) that every tier-2 vehicle on the tab
    meets: the wide days-left range of tier 2 (a named date can list a vehicle at any x) would
    otherwise send every tier-2 vehicle of the store through the plan's arithmetic for each tab.
    On 预约到店 the last contact promises a visit (v_key 'V'); on today/overdue/week either the
    touchpoints place it (then x is in tier 1's range `touch`: a named date or a reached day only
    removes touchpoints) or L names the date the tab shows ('N' / 'C' and that day)."""
    if tab == "visits":
        return "substr(w.v_key, 26, 1) = 'V'"
    if tab not in ("today", "overdue", "week") or touch is None:
        return "1"
    prm["t_lo"], prm["t_hi"] = end_bounds(p.today, *touch)
    prm["week_end"] = (p.today + timedelta(days=WEEK)).isoformat()
    nd = "substr(w.l_key, 27, 10)"
    day = {"today": f"{nd} = :today", "overdue": f"{nd} < :today",
           "week": f"{nd} > :today AND {nd} <= :week_end"}[tab]
    return f"((w.ci_end_at > :t_lo AND w.ci_end_at <= :t_hi) OR (substr(w.l_key, 26, 1) IN ('N', 'C') AND {day}))"


def case_rows_sql(p, tab: str, ranges: dict[int, tuple[int, int]], viewer: str | None,
                  limit: int) -> tuple[str, dict]:
    """(sql, params): the tab's rows among the vehicles of tiers 1 and 2 that are open, visible and
    not quiet (work_repo places the quiet ones as tier 0), each tier's with days left in its range
    ({tier: (x_lo, x_hi)}), k1 and k2 the service's sort keys (NULL when capped), as _paged gives them."""
    prm: dict = summary_params(p)
    wheres = []
    for tier, (x_lo, x_hi) in ranges.items():
        where, w_prm = window(p, x_lo, x_hi, p.lapse_days, lapsing=tab == "lapsing", tag=str(tier))
        if tier == 2:
            where += f" AND {_tier2_may(p, tab, ranges.get(1), prm)}"
        wheres.append(f"({where} AND w.tier = {int(tier)} AND {OPEN} AND NOT {QUIET} AND {visible(viewer)})")
        prm.update(w_prm)
    today = p.today
    prm.update({"today": today.isoformat(), "lead": p.lead_days, "monday":
                (today - timedelta(days=today.weekday())).isoformat(), "cap_day": p.cap_day, "cap_week": p.cap_week})
    if viewer is not None:
        prm["viewer"] = viewer
    prm["tomorrow"] = (today + timedelta(days=1)).isoformat()
    case_day = f"date(({END_DN} - :lead) * {DAY}, 'unixepoch')"
    # The plan's facts from the summary: the vehicle's latest reached day, L and last contact are
    # the case's when dated in it (the case is a suffix in time: work_triggers). The cap counts the
    # attempts of this week and today, read only for a vehicle with a fact this week, from
    # ix_event_facts alone (a seek by time into ix_event_kind_at then visited each event's row:
    # ~0.5 s at 1M, the rows' pages not in the cache).
    # One seek for both counts; only today and overdue hold a capped vehicle back (week lists it
    # regardless, visits ignore the cap), so the other tabs read no event at all.
    blocked = (f"CASE WHEN coalesce(w.fact_dn, -1) >= :monday_dn THEN (SELECT coalesce(sum(e.at >= :today), 0) "
               f">= :cap_day OR count(*) >= :cap_week FROM event e INDEXED BY ix_event_facts WHERE e.vehicle_id = w.vehicle_id "
               f"AND e.kind IN ({work_triggers.FACT_KINDS}) AND e.at >= :monday AND e.at < :tomorrow "
               f"AND {work_facts.contact('e')}) ELSE 0 >= :cap_day OR 0 >= :cap_week END") if tab in ("today", "overdue") else "0"
    g = f"""SELECT w.vehicle_id, {END_DN} - :today_dn AS x, w.ci_end_at <= :at AS lapsed, {END_DN} AS end_dn,
        CASE WHEN w.reached_day >= {case_day} THEN w.reached_day END AS r_day,
        CASE WHEN substr(w.l_key, 26, 1) IN ('N', 'C') AND substr(w.l_key, 1, 10) >= {case_day}
             THEN substr(w.l_key, 27, 10) END AS nd,
        substr(w.l_key, 26, 1) = 'C' AS is_close,
        CASE WHEN substr(w.v_key, 26, 1) = 'V' AND substr(w.v_key, 1, 10) >= {case_day}
             THEN substr(w.v_key, 27, 10) END AS visit,
        {blocked} AS blocked
      FROM work_index w INDEXED BY ix_work_index_end WHERE {{where}}"""
    # nd: the date L names when L is in the case ('N', 'C': 本次关闭); is_close is read only with
    # nd; visit: the day the case's last contact promised. Only what the plan reads is carried on.
    sql = f"""WITH
    g AS MATERIALIZED ({" UNION ALL ".join(g.format(where=w) for w in wheres)}),
    m AS MATERIALIZED (SELECT vehicle_id, x, lapsed, end_dn, visit, is_close, blocked,
             CAST(julianday(nd) - 2440587.5 AS INTEGER) AS nd_dn,
             coalesce(end_dn - CAST(julianday(r_day) - 2440587.5 AS INTEGER), 100000) AS mr,
             nd IS NOT NULL AND (r_day IS NULL OR r_day < nd) AS direct FROM g)"""
    if tab == "lapsed":
        return _paged(sql, "SELECT vehicle_id, -min(-1, x) AS k1, 0 AS k2, 0 AS capped FROM m WHERE lapsed", limit), prm
    if tab == "lapsing":
        return (_paged(sql, "SELECT vehicle_id, x AS k1, 0 AS k2, 0 AS capped FROM m WHERE x BETWEEN 0 AND :lapsing",
                       limit), {**prm, "lapsing": p.lapsing_days})
    if tab == "visits":
        return _paged(sql, "SELECT vehicle_id, CAST(julianday(visit) - 2440587.5 AS INTEGER) - :today_dn AS k1, "
                      "x AS k2, 0 AS capped FROM m WHERE visit IS NOT NULL", limit), prm
    # plan(): the touchpoints c (days before the last covered day) on or after the named date
    # (c <= end − named) and after R (c < mr): the latest on or before today (smallest c >= x), else the next.
    def ok(c: int) -> str:
        return f"{c} < mr AND (nd_dn IS NULL OR {c} <= end_dn - nd_dn)"
    past = "CASE " + " ".join(f"WHEN {c} >= x AND {ok(c)} THEN {c}" for c in sorted(p.offsets)) + " END"
    future = "CASE " + " ".join(f"WHEN {c} < x AND {ok(c)} THEN {c}" for c in p.offsets) + " END"
    k = (f"CASE WHEN direct THEN nd_dn - :today_dn WHEN lapsed THEN NULL "
         f"ELSE x - coalesce({past}, {future}) END")
    # The row a tab shows names the promised visit as its next date when there is one
    # (worklist.classify), and the tab sorts by that: so does its sort key here.
    visit_k = "CAST(julianday(visit) - 2440587.5 AS INTEGER) - :today_dn"
    # t is materialized so that k is worked out once a row (a CTE read twice is expanded twice)
    sel = (f"SELECT vehicle_id, x, blocked, visit, {k} AS k FROM m "
           "WHERE NOT (direct AND is_close AND nd_dn > :today_dn)")  # 本次关闭 in force
    cond = {"today": "k = 0", "overdue": "k < 0", "week": f"k > 0 AND k <= {WEEK}"}[tab]
    # The cap holds a vehicle back from today and overdue only (week lists it regardless).
    capped = "blocked" if tab != "week" else "0"
    return _paged(f"{sql}, t AS MATERIALIZED ({sel})",
                  f"SELECT vehicle_id, CASE WHEN NOT {capped} THEN coalesce({visit_k}, k) END AS k1, "
                  f"CASE WHEN NOT {capped} THEN x END AS k2, {capped} AS capped FROM t WHERE {cond}", limit), prm


def _paged(ctes: str, rows: str, limit: int) -> str:
    """The tab's rows r (vehicle_id, k1, k2, capped) as SQLite hands them over: one row a sort key
    (vehicle_id NULL, k1, k2, capped, n: how many), then the ids of the rows whose key could be on
    the first `limit` rows: the first `limit` by key (a bounded sort) and every other row sharing
    the last one's key (a tie goes by plate, which r does not know; an id may come twice). So a tab
    of 18,000 such vehicles (逾期未跟进 at 1M) sends ~200 ids rather than every one."""
    sql = f"{ctes}, r AS MATERIALIZED ({rows}) SELECT NULL, k1, k2, capped, count(*) FROM r GROUP BY capped, k1, k2"
    if limit <= 0:
        return sql
    ready = "SELECT vehicle_id, k1, k2, capped, 0 FROM r WHERE NOT capped"
    return (f"{sql} UNION ALL SELECT * FROM ({ready} ORDER BY k1, k2 LIMIT {int(limit)}) UNION ALL {ready} "
            f"AND (k1, k2) = (SELECT k1, k2 FROM r WHERE NOT capped ORDER BY k1, k2 LIMIT 1 OFFSET {int(limit) - 1})")
