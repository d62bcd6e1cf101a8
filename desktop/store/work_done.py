"""本月已办结 in SQL (issue 13): which vehicles services.worklist.classify puts on 已办结, from
work_index's event summary (migrations 0016/0019, desktop.store.work_triggers).

classify puts a vehicle there when
  * the 停止联系 in force (cadence.stopped: the latest, over every fact) is dated in this month:
    some 停止联系 is dated on or after the first of the month; or
  * what closed its case (renewal_facts.closing_fact over the facts dated on or after the case
    start, ci_end_date − lead days; every fact when there is no ci_end_date) is dated in this
    month: the latest closing day (`closing_dn`) is on or after both the first of the month and
    the case start.
A deleted vehicle is on no list; consent and the case's liveness do not matter here.

ci_end_date is the end of the merged cover interval holding or preceding `at` (core.status). With
E and S the latest valid 交强险 end and the earliest start among the terms ending at E (work_index),
it is E's last day unless some cover interval starts after `at`: with S <= at the latest term
holds `at` or has ended, so no term starts a later interval; with S > at one may (a new cover
after a gap, or every term in the future). Those vehicles (`later_cover`, read from
ix_policy_term_ci_vehicle only for the few candidates with S > at), tier 3 (odd times: the summary
is not exact) and a NULL tier or consent go to the Python engine.

The sort key is the days left as the status engine gives them: x = E's last day − today, at most −1
once lapsed, none (worklist._sort_key's 10**6) without a 交强险 term.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from .work_cases import END_DN, dn, secs, visible
from .work_triggers import FACT_KINDS

NO_DAYS = 10 ** 6  # services.worklist._sort_key: a row without days left sorts last

# A valid 交强险 term t of w's vehicle starts a cover interval after `at`: no valid 交强险 term starts
# before it and reaches it (core.status._merge merges a term starting at or before the end so far).
_LATER_COVER = """EXISTS (SELECT 1 FROM policy_term t INDEXED BY ix_policy_term_ci_vehicle
    WHERE t.vehicle_id = w.vehicle_id AND t.kind = 'CI' AND t.start_at > :at AND t.end_at > t.start_at
      AND NOT EXISTS (SELECT 1 FROM policy_term u INDEXED BY ix_policy_term_ci_vehicle
        WHERE u.vehicle_id = w.vehicle_id AND u.kind = 'CI' AND u.start_at < t.start_at
          AND u.end_at >= t.start_at AND u.end_at > u.start_at))"""


def done_sql(p, month_start: date, viewer: str | None) -> tuple[str, dict]:
    """(sql, params) over the vehicles of tiers 1 and 2 with a fact this month that closed or
    stopped: vehicle_id, k1 (the sort key), decided (0: the Python engine decides it, 1: on 已办结;
    the others are not on it)."""
    # ix_event_facts is partial: SQLite uses it when the query repeats its condition
    stop_in_month = (f"(w.stopped = 1 AND EXISTS (SELECT 1 FROM event e INDEXED BY ix_event_facts "
                     f"WHERE e.vehicle_id = w.vehicle_id AND e.kind IN ({FACT_KINDS}) AND e.kind = 'contact_stop' "
                     f"AND e.at >= :m0))")
    closed_in_month = (f"(w.closing_dn >= :m0_dn AND (w.ci_end_at IS NULL OR w.closing_dn >= {END_DN} - :lead))")
    k1 = (f"CASE WHEN w.ci_end_at IS NULL THEN {NO_DAYS} WHEN w.ci_end_at <= :at THEN min(-1, {END_DN} - :today_dn) "
          f"ELSE {END_DN} - :today_dn END")
    sql = f"""SELECT w.vehicle_id, {k1} AS k1,
        CASE WHEN w.ci_end_at IS NOT NULL AND w.ci_start_at > :at AND {_LATER_COVER} THEN 0
             WHEN {stop_in_month} OR {closed_in_month} THEN 1 ELSE 2 END AS decided
      FROM work_index w INDEXED BY ix_work_index_end
      WHERE w.contactable IN (0, 1) AND w.tier IN (1, 2) AND w.fact_dn >= :m0_dn
        AND (w.closing_dn >= :m0_dn OR w.stopped = 1) AND {visible(viewer)}
        AND (w.contactable = 1 OR EXISTS (SELECT 1 FROM vehicle v WHERE v.id = w.vehicle_id AND v.deleted = 0))"""
    prm = {"at": secs(p.at), "today_dn": dn(p.today), "lead": p.lead_days, "m0": month_start.isoformat(),
           "m0_dn": dn(month_start)}
    if viewer is not None:
        prm["viewer"] = viewer
    return sql, prm


def python_done(conn: Connection) -> list:
    """Vehicles whose 已办结 only the Python engine can decide, besides the contactable ones of tier 3
    (work_repo.python_candidates has those): not contactable (deleted, no consent) with odd times or
    a NULL tier, and a NULL consent (no trigger writes one)."""
    return [r[0] for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index INDEXED BY ix_work_index_end WHERE contactable = 0 AND tier = 3 "
        "UNION ALL SELECT vehicle_id FROM work_index INDEXED BY ix_work_index_end "
        "WHERE contactable = 0 AND tier IS NULL "
        "UNION ALL SELECT vehicle_id FROM work_index WHERE contactable IS NULL").fetchall()]
