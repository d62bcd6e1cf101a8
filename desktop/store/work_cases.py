"""The work tabs' rows for vehicles with renewal events, in SQL (issue 13): services.worklist.classify
and core.cadence.plan over a vehicle's facts, one GROUP BY over its events (ix_event_facts).

Per vehicle, from its events (services.renewal_facts.fact_of read in SQL; the current case is the
facts dated on or after its last covered day − lead days):
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

from . import work_triggers

DAY = 86400
CST_SECONDS = 8 * 3600
# The last covered day of the latest end, as a day number (days since 1970-01-01, UTC+8): the day
# of end − 1 s (ends are whole seconds, work_index keeps them as epoch seconds since 0013).
END_DN = f"((w.ci_end_at + {CST_SECONDS - 1}) / {DAY})"
WEEK = 7
REACHED = "'will_renew', 'quote_requested', 'will_come', 'renewed_elsewhere', 'sold', 'declined'"


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


def _json_day(path: str) -> str:
    # renewal_facts._day: the first ten characters when they are a date (of a JSON object's field)
    v = (f"substr(CASE WHEN json_valid(e.detail) THEN CASE WHEN json_type(e.detail) = 'object' "
         f"THEN nullif(json_extract(e.detail, '{path}'), '') END END, 1, 10)")
    return f"CASE WHEN date({v}) = {v} THEN {v} END"


# The facts of one event row e (renewal_facts.fact_of): a contact fact, reached, its named day.
_CONTACT = "(e.kind = 'contact' OR (e.kind = 'outcome' AND e.outcome IN ('will_come', 'declined', 'unreachable')))"
_RESULT = "(CASE WHEN e.kind = 'outcome' AND e.outcome = 'unreachable' THEN 'no_answer' ELSE e.outcome END)"
# Only a detail that can spell one of the keys is parsed (a JSON \u escape could spell any).
_MAY_NAME = ("(instr(e.detail, '_date') OR instr(e.detail, 'until') OR instr(e.detail, 'will_come_on') "
             "OR instr(e.detail, '\\u'))")
_NAMED = (f"(CASE WHEN e.detail IS NULL OR NOT {_MAY_NAME} THEN NULL "
          f"WHEN e.kind = 'contact' THEN {_json_day('$.next_date')} "
          f"WHEN e.kind = 'contact_close' THEN {_json_day('$.until')} "
          "WHEN e.kind = 'outcome' AND e.outcome IN ('will_come', 'unreachable') THEN "
          f"coalesce({_json_day('$.next_date')}, {_json_day('$.visit_date')}, {_json_day('$.will_come_on')}) END)")
_CLOSING = work_triggers.closing("e")


def case_rows_sql(p, tab: str, ranges: dict[int, tuple[int, int]], viewer: str | None) -> tuple[str, dict]:
    """(sql, params): the tab's rows among the vehicles of tiers 1 and 2 that are open, visible and
    not quiet (work_repo places the quiet ones as tier 0), each tier's with days left in its range
    ({tier: (x_lo, x_hi)}): vehicle_id, k1, k2 (the service's sort keys, NULL when capped), capped."""
    prm: dict = summary_params(p)
    wheres = []
    for tier, (x_lo, x_hi) in ranges.items():
        where, w_prm = window(p, x_lo, x_hi, p.lapse_days, lapsing=tab == "lapsing", tag=str(tier))
        wheres.append(f"({where} AND w.tier = {int(tier)} AND {OPEN} AND NOT {QUIET} AND {visible(viewer)})")
        prm.update(w_prm)
    today = p.today
    prm.update({"today": today.isoformat(), "lead": p.lead_days, "monday":
                (today - timedelta(days=today.weekday())).isoformat(), "cap_day": p.cap_day, "cap_week": p.cap_week})
    if viewer is not None:
        prm["viewer"] = viewer
    # Assignments only decide what a clerk sees (visible() reads the summary): a filter on the index
    # (LEFT JOIN: a vehicle whose only events are assignments keeps its one row of NULLs).
    skip_assign = " AND e.kind != 'assign'"
    # ev: each event's facts computed once (MATERIALIZED: the aggregates below read them many times)
    ev = f"""SELECT w.vehicle_id AS vid, {END_DN} AS end_dn, w.ci_end_at <= :at AS lapsed,
        e.at, e.kind, substr(e.at, 1, 10) AS day,
        substr(e.at, 1, 10) >= date(({END_DN} - :lead) * {DAY}, 'unixepoch') AS in_case,
        {_CONTACT} AS is_contact, {_CONTACT} AND {_RESULT} IN ({REACHED}) AS reached,
        {_CONTACT} AND {_RESULT} = 'will_come' AS will_come, {_CLOSING} AS closing,
        CASE WHEN e.kind IN ('contact', 'contact_close', 'outcome') THEN {_NAMED} END AS named
      FROM work_index w INDEXED BY ix_work_index_end
        LEFT JOIN event e INDEXED BY ix_event_facts ON e.vehicle_id = w.vehicle_id
          AND e.kind IN ({work_triggers.FACT_KINDS}){skip_assign}
      WHERE {{where}}"""
    sql = f"""WITH ev AS MATERIALIZED ({" UNION ALL ".join(ev.format(where=w) for w in wheres)}),
    g AS (SELECT vid AS vehicle_id, end_dn - :today_dn AS x, lapsed, end_dn,
        max(CASE WHEN in_case AND reached THEN day END) AS r_day,
        -- the latest dated-or-reached fact: 'N' + day (a named date), 'C' + day (本次关闭), 'R' (reached, no date)
        max(CASE WHEN in_case AND named IS NOT NULL THEN at || CASE WHEN kind = 'contact_close' THEN 'C' ELSE 'N' END
                 || named WHEN in_case AND reached THEN at || 'R' END) AS l_key,
        max(CASE WHEN in_case AND is_contact THEN at || CASE WHEN will_come AND named IS NOT NULL
                 THEN 'V' || named ELSE 'X' END END) AS v_key,
        coalesce(sum(is_contact AND day = :today), 0) >= :cap_day
          OR coalesce(sum(is_contact AND day BETWEEN :monday AND :today), 0) >= :cap_week AS blocked
      FROM ev GROUP BY vid
      HAVING coalesce(max(kind = 'contact_stop'), 0) = 0 AND coalesce(max(in_case AND closing), 0) = 0),
    n AS (SELECT *, CASE WHEN substr(l_key, 26, 1) IN ('N', 'C') THEN substr(l_key, 27, 10) END AS nd,
             substr(l_key, 26, 1) = 'C' AS is_close,
             CASE WHEN substr(v_key, 26, 1) = 'V' THEN substr(v_key, 27, 10) END AS visit FROM g),
    m AS (SELECT *, CAST(julianday(nd) - 2440587.5 AS INTEGER) AS nd_dn,
             coalesce(end_dn - CAST(julianday(r_day) - 2440587.5 AS INTEGER), 100000) AS mr,
             nd IS NOT NULL AND (r_day IS NULL OR r_day < nd) AS direct FROM n)"""
    if tab == "lapsed":
        return sql + " SELECT vehicle_id, -min(-1, x) AS k1, 0 AS k2, 0 AS capped FROM m WHERE lapsed", prm
    if tab == "lapsing":
        return (sql + " SELECT vehicle_id, x AS k1, 0 AS k2, 0 AS capped FROM m WHERE x BETWEEN 0 AND :lapsing",
                {**prm, "lapsing": p.lapsing_days})
    if tab == "visits":
        return (sql + " SELECT vehicle_id, CAST(julianday(visit) - 2440587.5 AS INTEGER) - :today_dn AS k1, "
                "x AS k2, 0 AS capped FROM m WHERE visit IS NOT NULL", prm)
    # plan(): the touchpoints c (days before the last covered day) on or after the named date
    # (c <= end − named) and after R (c < mr): the latest on or before today (smallest c >= x), else the next.
    def ok(c: int) -> str:
        return f"{c} < mr AND (nd_dn IS NULL OR {c} <= end_dn - nd_dn)"
    past = "CASE " + " ".join(f"WHEN {c} >= x AND {ok(c)} THEN {c}" for c in sorted(p.offsets)) + " END"
    future = "CASE " + " ".join(f"WHEN {c} < x AND {ok(c)} THEN {c}" for c in p.offsets) + " END"
    k = (f"CASE WHEN direct THEN nd_dn - :today_dn WHEN lapsed THEN NULL "
         f"ELSE x - coalesce({past}, {future}) END")
    sel = (f"SELECT vehicle_id, x, blocked, {k} AS k FROM m "
           "WHERE NOT (direct AND is_close AND nd_dn > :today_dn)")  # 本次关闭 in force
    cond = {"today": "k = 0", "overdue": "k < 0", "week": f"k > 0 AND k <= {WEEK}"}[tab]
    # The cap holds a vehicle back from today and overdue only (week lists it regardless).
    capped = "blocked" if tab != "week" else "0"
    return (f"{sql}, t AS ({sel}) SELECT vehicle_id, CASE WHEN NOT {capped} THEN k END AS k1, "
            f"CASE WHEN NOT {capped} THEN x END AS k2, {capped} AS capped FROM t WHERE {cond}"), prm
