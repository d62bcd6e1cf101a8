"""Queries behind the renewal work lists and the monthly report (issue 13).

Renewal facts are events (contact, contact_stop, contact_close, assign, loss_confirmed, and the
record outcomes), so they sync like every other event; these queries only find candidates, the
pure core (core.cadence, core.segments) decides.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Connection

from desktop.core.timeutil import CST

from .records import iso
from .timecol import stored
from .uuidcol import text_of

RENEWAL_KINDS = ("contact", "contact_stop", "contact_close", "assign", "loss_confirmed", "outcome",
                 "inspection_override", "float_notice")


def _marks(n: int) -> str:
    return ",".join("?" * n)


def vehicles_with_events_since(conn: Connection, kinds: Sequence[str], since: datetime,
                               until: datetime | None = None) -> list[str]:
    """Vehicles with an event of these kinds at or after `since` (and before `until`)."""
    sql = f"SELECT DISTINCT vehicle_id FROM event WHERE kind IN ({_marks(len(kinds))}) AND at >= ?"
    params: list = [*kinds, iso(since)]
    if until is not None:
        sql += " AND at < ?"
        params.append(iso(until))
    return [r[0] for r in conn.exec_driver_sql(sql + " AND vehicle_id IS NOT NULL", tuple(params)).fetchall()]


def vehicles_with_ci_start_between(conn: Connection, lo: datetime, hi: datetime) -> list[str]:
    # Starts are epoch seconds when exact, else the text they came as (desktop.store.timecol).
    rows = conn.exec_driver_sql("SELECT DISTINCT vehicle_id FROM policy_term WHERE kind = 'CI' AND "
                                "((start_at >= ? AND start_at < ?) OR (start_at >= ? AND start_at < ?))",
                                (stored(iso(lo)), stored(iso(hi)), iso(lo), iso(hi))).fetchall()
    return [r[0] for r in rows]


def active_staff(conn: Connection) -> dict[str, str]:
    """{name: role} of the staff who may hold a work list."""
    return {r[0]: r[1] for r in conn.exec_driver_sql("SELECT name, role FROM staff WHERE active = 1").fetchall()}


# --- The monthly renewal report by segment in SQL (mirrors core.segments.classify) -------------
#
# Per vehicle, its 交强险 terms in classify's order (start, end, then id: load_bundles reads a
# vehicle's terms in primary-key order and the sort is stable) — the order of
# ix_policy_term_ci_vehicle (vehicle_id, start_at, end_at, then the key's id; migration 0017), so
# each term the rules name is one probe into that index: the due term is the last one whose last
# covered day is in the month, the lapsed one the last ending before the month when none covers
# its first day, a term's predecessor / successor the neighbouring entry, the 新保 term the
# first. No window over every candidate's terms (at 1M that pass, its sort and the join back were
# half the report). A 本店续保 record claims the first term starting on or after its day − 2, i.e.
# term n is claimed when prev_sd < day − 2 <= sd. Only canonical stored times are read here
# (work_index tier 3 — an odd time or an inverted term — and vehicles with an odd visit time go to
# the Python engine, `python_report_ids`).

def _term_day(col: str, epoch: bool) -> str:
    return f"date({col}, 'unixepoch', '+8 hours')" if epoch else f"substr({col}, 1, 10)"


def _term_last_day(col: str, epoch: bool) -> str:
    # the last covered day: the calendar day (UTC+8) of end − 1 s (ends are whole seconds)
    return f"date({col} - 1, 'unixepoch', '+8 hours')" if epoch else f"date(substr({col}, 1, 19), '-1 seconds')"


def terms_are_epoch(conn: Connection) -> bool:
    """Whether policy_term keeps its times as INTEGER epoch seconds (rather than UTC+8 ISO text)."""
    # By the declared type (migration 0012: ISOTIME), not by one row's value: an odd time a peer
    # sent is kept as text among the numbers (desktop.store.timecol).
    row = conn.exec_driver_sql("SELECT type FROM pragma_table_info('policy_term') WHERE name = 'end_at'").first()
    return bool(row) and row[0].upper() == "ISOTIME"


def _term_param(dt: datetime, epoch: bool):
    return int(dt.timestamp()) if epoch else iso(dt)


# ix_event_facts is partial: a query names its exact condition to use it
_FACTS = "e.kind IN ('contact', 'contact_stop', 'contact_close', 'assign', 'loss_confirmed', 'outcome')"
_CANONICAL = "(length({c}) = 25 AND substr({c}, 20) = '+08:00')"
_REASON = "CASE WHEN json_valid(e.detail) THEN json_extract(e.detail, '$.reason') END"
# segments._outcome without a successor: the latest closing fact of the case, as 'outcome|reason'
_CLOSING = f"""(SELECT CASE WHEN e.kind = 'loss_confirmed'
        THEN (CASE WHEN {_REASON} = 'elsewhere' THEN 'renewed_elsewhere' ELSE 'lost' END) || '|' || coalesce({_REASON}, '')
        WHEN e.outcome = 'renewed_elsewhere' THEN 'renewed_elsewhere|elsewhere'
        WHEN e.outcome = 'sold' THEN 'lost|transferred' ELSE 'lost|scrapped' END
    FROM event e INDEXED BY ix_event_facts WHERE e.vehicle_id = {{vid}} AND {_FACTS} AND e.at >= {{since}}
      AND (e.kind = 'loss_confirmed' OR (e.kind = 'outcome' AND e.outcome IN ('renewed_elsewhere', 'sold', 'scrapped')))
    ORDER BY e.at DESC, e.rowid DESC LIMIT 1)"""
_OUTCOME = ("CASE WHEN {nxt} = 1 THEN 'renewed_here|' WHEN {nxt} = 0 THEN 'renewed_elsewhere|' "
            "ELSE coalesce({closing}, 'open|') END")
_ASSIGNED = f"""(SELECT CASE WHEN json_valid(e.detail) THEN json_extract(e.detail, '$.to') END
    FROM event e INDEXED BY ix_event_facts WHERE e.vehicle_id = d.vid AND {_FACTS} AND e.kind = 'assign' ORDER BY e.at DESC, e.rowid DESC LIMIT 1)"""


def _claimed(vid: str, after: str, upto: str) -> str:
    """Whether a 本店续保 record claims a term starting on day `upto` after one starting on `after`
    (NULL: none): its day − 2 is in (after, upto], a range over ix_event_facts' `at`. The terms
    before the n-th are claimed together iff a record's day − 2 <= the previous start: (NULL, prev]."""
    lower = f" AND e.at >= date({after}, '+3 days')" if after != "NULL" else ""
    return (f"EXISTS (SELECT 1 FROM event e INDEXED BY ix_event_facts WHERE e.vehicle_id = {vid} AND {_FACTS} "
            f"AND e.kind = 'outcome' AND e.outcome = 'renewed_here' AND e.at < date({upto}, '+3 days'){lower})")


def _probe(cols: str, vid: str, cond: str = "", last: bool = True, a: str = "p") -> str:
    """`cols` (of alias `a`) of the vehicle's last (or first) 交强险 term in classify's order
    meeting `cond` (written with {a})."""
    o = "DESC" if last else "ASC"
    return (f"(SELECT {cols.format(a=a)} FROM policy_term {a} INDEXED BY ix_policy_term_ci_vehicle "
            f"WHERE {a}.vehicle_id = {vid} AND {a}.kind = 'CI'{cond.format(a=a)} "
            f"ORDER BY {a}.start_at {o}, {a}.end_at {o}, {a}.id {o} LIMIT 1)")


def _neighbour(vid: str, cond: str, after: bool) -> str:
    """The start of the term just after (before) the last term meeting `cond`: a row-value range."""
    key = _probe("{a}.start_at, {a}.end_at, {a}.id", vid, cond, a="q")
    return _probe("{a}.start_at", vid, f" AND ({{a}}.start_at, {{a}}.end_at, {{a}}.id) {'>' if after else '<'} {key}",
                  last=not after)


_DUE = " AND {a}.end_at > :lo AND {a}.end_at <= :hi"
_ENDED = " AND {a}.end_at <= :lo"


def _segment_sql(epoch: bool) -> str:
    def sd(c: str) -> str:
        return _term_day(c, epoch)

    def ld(c: str) -> str:
        return _term_last_day(c, epoch)

    def covers(vid: str, before: str) -> str:
        return _probe("1", vid, f" AND {{a}}.start_at < {before} AND {{a}}.end_at > :lo")

    due_outcome = _OUTCOME.format(nxt="d.here_next", closing=_CLOSING.format(
        vid="d.vid", since="date(d.ld, '-' || :lead || ' days')"))
    lapse_outcome = _OUTCOME.format(nxt="here_next", closing=_CLOSING.format(vid="l.vid", since=":m0"))
    odd_visit = _CANONICAL.format(c="at")
    # A candidate only of the lapsed arm (latest valid end by the month's start, tier < 3: no odd or
    # inverted term) has every term ended: nothing covers the first day, and its last ended term is
    # its last, with no successor. Neither needs a probe (~half the report's vehicles).
    uncovered = f"(NOT (due OR fresh) OR {covers('c.vid', ':lo1')} IS NULL)"
    nxt = "CASE WHEN {t}.next_sd IS NOT NULL THEN " + _claimed("{t}.vid", "{t}.sd", "{t}.next_sd") + " END"
    # Candidates: a 交强险 end in the month (due); the latest-ending term starting from the month on
    # (新保, or a lapse with a later cover: checked not to cover the first day); the latest end in
    # the 3 years before it (lapsed). `due` / `fresh`: which probes can find anything.
    # `ok` reads every term the rules name in one pass in vehicle order (cand is grouped by vid),
    # while the vehicle's index page is in the cache: one pass per rule re-read (and, encrypted,
    # re-verified) every page of the index each time.
    return f"""
WITH cand0(vid, chk, due, fresh) AS (
    SELECT vehicle_id, 0, 1, 0 FROM policy_term INDEXED BY ix_policy_term_ci_vehicle
      WHERE kind = 'CI' AND end_at > :lo AND end_at <= :hi
    UNION ALL SELECT vehicle_id, 1, 0, 1 FROM work_index WHERE ci_start_at >= :lo_secs
    UNION ALL SELECT vehicle_id, 0, 0, 0 FROM work_index WHERE contactable IN (0, 1) AND tier IN (0, 1, 2)
      AND ci_end_at >= :lapse_lo AND ci_end_at <= :lo_secs),
cand(vid, chk, due, fresh) AS (SELECT vid, min(chk), max(due), max(fresh) FROM cand0 GROUP BY vid),
ok AS MATERIALIZED (SELECT vid,
      CASE WHEN due THEN {_probe("{a}.start_at", "c.vid", _DUE)} END AS ds,
      CASE WHEN due THEN {_probe("{a}.end_at", "c.vid", _DUE)} END AS de,
      CASE WHEN due THEN {_neighbour("c.vid", _DUE, False)} END AS dps,
      CASE WHEN due THEN {_neighbour("c.vid", _DUE, True)} END AS dns,
      CASE WHEN {uncovered} THEN {_probe("{a}.start_at", "c.vid", _ENDED)} END AS ls,
      CASE WHEN {uncovered} THEN {_probe("{a}.end_at", "c.vid", _ENDED)} END AS le,
      CASE WHEN NOT (due OR fresh) THEN NULL WHEN {uncovered} THEN {_neighbour("c.vid", _ENDED, True)} END AS lns,
      CASE WHEN fresh THEN {_probe("{a}.start_at", "c.vid", last=False)} END AS fs
    FROM cand c JOIN work_index w ON w.vehicle_id = c.vid JOIN vehicle v ON v.id = c.vid
    WHERE w.tier < 3 AND v.deleted = 0 AND (c.chk = 0 OR {covers("c.vid", ":lo")} IS NULL)
      AND c.vid NOT IN (SELECT vehicle_id FROM event WHERE kind = 'visit' AND NOT {odd_visit})),
t AS (SELECT vid, {sd("ds")} AS sd, {ld("de")} AS ld, {sd("dps")} AS prev_sd, {sd("dns")} AS next_sd,
         dps IS NULL AS first FROM ok WHERE ds IS NOT NULL),
d0 AS (SELECT vid, ld, first, {_claimed("t.vid", "t.prev_sd", "t.sd").replace("t.prev_sd", "coalesce(t.prev_sd, '0000-01-01')")} AS here,
         NOT first AND {_claimed("t.vid", "NULL", "t.prev_sd")} AS here_before, {nxt.format(t="t")} AS here_next
    FROM t),
d AS (SELECT vid, ld, here, here_next,
         CASE WHEN first THEN (CASE WHEN here THEN '新转续' ELSE '首次' END) WHEN here THEN '续转续'
              WHEN here_before THEN '间转续' ELSE '潜转续' END AS seg FROM d0),
dd AS MATERIALIZED (SELECT d.vid, d.seg, d.here, d.ld, {due_outcome} AS oc, {_ASSIGNED} AS who FROM d),
l0 AS (SELECT vid, {sd("ls")} AS sd, {ld("le")} AS ld, {sd("lns")} AS next_sd FROM ok WHERE ls IS NOT NULL),
l AS (SELECT vid, {nxt.format(t="l0")} AS here_next FROM l0 WHERE julianday(:m0) - julianday(ld) - 1 <= :lapse),
nb AS (SELECT vid, {sd("fs")} AS sd FROM ok WHERE fs IS NOT NULL),
hits(seg, oc, who) AS (
    SELECT '新保', CASE WHEN {_claimed("nb.vid", "NULL", "nb.sd")} THEN 'renewed_here|' ELSE 'renewed_elsewhere|' END,
           NULL FROM nb WHERE sd BETWEEN :m0 AND :m1
    UNION ALL SELECT seg, oc, coalesce(who, '') FROM dd
    UNION ALL SELECT '在修不在保', oc, NULL FROM dd WHERE NOT dd.here AND EXISTS (SELECT 1 FROM event e INDEXED BY ix_event_vehicle_at
      WHERE e.vehicle_id = dd.vid AND e.kind = 'visit' AND e.at >= date(dd.ld, '-365 days') AND e.at < date(dd.ld, '+1 days'))
    UNION ALL SELECT '断保回流', {lapse_outcome}, NULL FROM l)
SELECT seg, oc, who, count(*) FROM hits GROUP BY seg, oc, who"""


@dataclass(frozen=True)
class SegmentCount:
    segment: str
    outcome: str         # renewed_here | renewed_elsewhere | lost | open
    reason: str | None   # a confirmed 战败 reason (lost or renewed elsewhere)
    assigned_to: str | None  # for the renewal segments: who the vehicle belongs to (None: nobody)
    count: int


def segment_query(first: date, last: date, lead_days: int, lapse_days: int, epoch: bool) -> tuple[str, dict]:
    """(sql, params) giving (segment, 'outcome|reason', assigned_to, count) rows for the month."""
    lo = datetime(first.year, first.month, first.day, tzinfo=CST)
    hi = lo + timedelta(days=(last - first).days + 1)
    return _segment_sql(epoch), {
        "lo": _term_param(lo, epoch), "hi": _term_param(hi, epoch), "lo_secs": int(lo.timestamp()),
        "lo1": _term_param(lo + timedelta(days=1), epoch),
        "lapse_lo": int((lo - timedelta(days=lapse_days + 2)).timestamp()), "m0": first.isoformat(), "m1": last.isoformat(),
        "lead": lead_days, "lapse": lapse_days}


def segment_counts(conn: Connection, first: date, last: date, lead_days: int, lapse_days: int) -> list[SegmentCount]:
    """The month's segment hits of every vehicle SQL decides (all but `python_report_ids`), grouped."""
    sql, prm = segment_query(first, last, lead_days, lapse_days, terms_are_epoch(conn))
    out = []
    for seg, oc, who, n in conn.exec_driver_sql(sql, prm).fetchall():
        outcome, _, reason = oc.partition("|")
        out.append(SegmentCount(seg, outcome, reason or None, who or None, n))
    return out


def python_report_ids(conn: Connection) -> list[str]:
    """Vehicles whose segments only the Python engine decides: odd stored times or an inverted term
    (work_index tier 3, or a row the triggers never filled), an odd visit time."""
    ids = {text_of(bytes(r[0])) if isinstance(r[0], (bytes, memoryview)) else r[0] for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index WHERE coalesce(tier, 3) = 3 OR contactable IS NULL UNION SELECT vehicle_id FROM event "
        f"WHERE kind = 'visit' AND vehicle_id IS NOT NULL AND NOT {_CANONICAL.format(c='at')}").fetchall()}
    return sorted(ids)
