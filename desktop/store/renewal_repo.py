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
# each term the rules name is one probe into that index. A 本店续保 record claims the first term
# starting on or after its day − 2, i.e. term n is claimed when prev_sd < day − 2 <= sd. Only
# canonical stored times are read here (work_index tier 3 — an odd time or an inverted term — and
# vehicles with an odd visit time go to the Python engine, `python_report_ids`).
#
# Three disjoint sets of candidates, so no GROUP BY over their union:
# D  a 交强险 term ends in the month: one pass over the covering index (no end index since 0020),
#    grouped by vehicle in index order; the pass hands over the due term itself when it is the
#    vehicle's only one in the month (nearly always), so only its two neighbours are probed;
# F  not D, the latest-ending term starts from the month on (work_index.ci_start_at): 新保, or a
#    lapse with a later cover. One probe drops those a term started before the month still covers
#    (a car renewed ahead: ~70 % of F), before anything else is read for them;
# L  the latest end in the 3 years before the month (work_index): every term has ended.
# A vehicle not covered on the month's first day has as its ended terms exactly those starting by
# that day (a later-ending one would cover it), so its last ended term and that term's successor
# are each one range probe. Events are read only for vehicles work_index says have a closing fact
# (closing_dn: every 本店续保 and 战败 record is one) — ~7 % of a store — and the assignee is
# work_index's (the same latest assignment, kept by the triggers).

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
# segments._outcome without a successor: the latest closing fact of the case, as 'outcome|reason'.
# Its time first, from ix_event_facts alone (a max() over the covering entries: no sort, no row
# read), then that one row — the latest of the same time (rowid) — whose detail names the reason.
_CLOSING_KIND = "({e}.kind = 'loss_confirmed' OR ({e}.kind = 'outcome' AND {e}.outcome IN ('renewed_elsewhere', 'sold', 'scrapped')))"
_CLOSING = f"""(SELECT CASE WHEN e.kind = 'loss_confirmed'
        THEN (CASE WHEN {_REASON} = 'elsewhere' THEN 'renewed_elsewhere' ELSE 'lost' END) || '|' || coalesce({_REASON}, '')
        WHEN e.outcome = 'renewed_elsewhere' THEN 'renewed_elsewhere|elsewhere'
        WHEN e.outcome = 'sold' THEN 'lost|transferred' ELSE 'lost|scrapped' END
    FROM event e INDEXED BY ix_event_facts WHERE e.vehicle_id = {{vid}} AND {_FACTS} AND {_CLOSING_KIND.format(e="e")}
      AND e.at = (SELECT max(f.at) FROM event f INDEXED BY ix_event_facts WHERE f.vehicle_id = {{vid}}
        AND {_FACTS.replace("e.kind", "f.kind")} AND {_CLOSING_KIND.format(e="f")} AND f.at >= {{since}})
    ORDER BY e.rowid DESC LIMIT 1)"""
# the day number work_index.closing_dn counts in (desktop.store.work_triggers.day_number) of a date
_DN = "(julianday({d}) - 2440587.5)"


def _outcome(nxt: str, vid: str, since: str) -> str:
    """The case's outcome: by its successor's claim (`nxt`: NULL when there is none), else its
    latest closing fact on or after day `since` — read only when work_index has one that late."""
    closing = _CLOSING.format(vid=vid, since=since)
    return (f"CASE WHEN {nxt} = 1 THEN 'renewed_here|' WHEN {nxt} = 0 THEN 'renewed_elsewhere|' "
            f"WHEN cdn >= {_DN.format(d=since)} THEN coalesce({closing}, 'open|') ELSE 'open|' END")


def _claimed(vid: str, after: str, upto: str) -> str:
    """Whether a 本店续保 record claims a term starting on day `upto` after one starting on `after`
    (NULL: none): its day − 2 is in (after, upto], a range over ix_event_facts' `at`. The terms
    before the n-th are claimed together iff a record's day − 2 <= the previous start: (NULL, prev].
    0 without a probe when work_index has no closing fact (`cdn`) for the vehicle."""
    lower = f" AND e.at >= date({after}, '+3 days')" if after != "NULL" else ""
    return (f"(CASE WHEN cdn IS NULL THEN 0 ELSE EXISTS (SELECT 1 FROM event e INDEXED BY ix_event_facts "
            f"WHERE e.vehicle_id = {vid} AND {_FACTS} AND e.kind = 'outcome' AND e.outcome = 'renewed_here' "
            f"AND e.at < date({upto}, '+3 days'){lower}) END)")


def _probe(cols: str, vid: str, cond: str = "", last: bool = True, a: str = "p") -> str:
    """`cols` (of alias `a`) of the vehicle's last (or first) 交强险 term in classify's order
    meeting `cond` (written with {a})."""
    o = "DESC" if last else "ASC"
    return (f"(SELECT {cols.format(a=a)} FROM policy_term {a} INDEXED BY ix_policy_term_ci_vehicle "
            f"WHERE {a}.vehicle_id = {vid} AND {a}.kind = 'CI'{cond.format(a=a)} "
            f"ORDER BY {a}.start_at {o}, {a}.end_at {o}, {a}.id {o} LIMIT 1)")


def _beside(vid: str, key: str, after: bool) -> str:
    """The start of the term just after (before) the one whose (start, end, id) is `key`."""
    return _probe("{a}.start_at", vid, f" AND ({{a}}.start_at, {{a}}.end_at, {{a}}.id) {'>' if after else '<'} ({key})",
                  last=not after)


_DUE = " AND {a}.end_at > :lo AND {a}.end_at <= :hi"
_COVERS = " AND {a}.start_at < :lo1 AND {a}.end_at > :lo"  # a term covering the month's first day
_ODD_VISIT = f"SELECT vehicle_id FROM event WHERE kind = 'visit' AND NOT {_CANONICAL.format(c='at')}"
# A term's place in classify's order as fixed-width text (start, end, then the id's hex), so that
# max() over the month's due terms finds the last one: epoch seconds shifted positive (years 1–9999)
_SHIFT = 10 ** 12


def _pack(epoch: bool) -> str:
    if epoch:
        return f"printf('%013d%013d', {{a}}.start_at + {_SHIFT}, {{a}}.end_at + {_SHIFT}) || hex({{a}}.id)"
    return "{a}.start_at || {a}.end_at || hex({a}.id)"  # canonical text times are 25 characters (others: tier 3)


def _unpack(epoch: bool) -> tuple[str, str, str]:
    if epoch:
        return (f"CAST(substr(k, 1, 13) AS INTEGER) - {_SHIFT}", f"CAST(substr(k, 14, 13) AS INTEGER) - {_SHIFT}",
                "unhex(substr(k, 27))")
    return "substr(k, 1, 25)", "substr(k, 26, 25)", "unhex(substr(k, 51))"


def _segment_sql(epoch: bool) -> str:
    def sd(c: str) -> str:
        return _term_day(c, epoch)

    def ld(c: str) -> str:
        return _term_last_day(c, epoch)

    def claimed(t: str, after: str, upto: str) -> str:
        return _claimed(f"{t}.vid", after, upto)

    us, ue, uid = _unpack(epoch)
    _PACK = _pack(epoch)
    key = "b1.s, b1.e, b1.did"
    # `a` is a co-routine: each vehicle's row reaches `b` (and its probes) right after the pass read
    # its index entries, while their page is in the cache — at 1M the index is ~3x the page cache,
    # and probing afterwards, or in any other order, re-reads and re-verifies most of its pages.
    # contactable = 1 implies a live vehicle (work_triggers): only the others look the row up.
    return f"""
WITH odd AS MATERIALIZED ({_ODD_VISIT}),
a AS NOT MATERIALIZED (SELECT vehicle_id AS vid, min(start_at) AS fs,
      max(CASE WHEN end_at > :lo AND end_at <= :hi THEN 4 WHEN start_at < :lo1 AND end_at > :lo THEN 2
               WHEN start_at < :lo1 AND end_at >= :lapse_lo_t THEN 1 ELSE 0 END) AS x
    FROM policy_term INDEXED BY ix_policy_term_ci_vehicle WHERE kind = 'CI' GROUP BY vehicle_id
    HAVING x >= 4 OR x = 1 OR (fs >= :lo AND fs < :hi)),
b0 AS NOT MATERIALIZED (SELECT a.vid, fs, x, w.closing_dn AS cdn, w.assignee AS who,
      CASE WHEN x >= 4 THEN {_probe(_PACK, "a.vid", _DUE)} END AS k
    FROM a CROSS JOIN work_index w ON w.vehicle_id = a.vid
    WHERE w.tier < 3 AND w.contactable IN (0, 1)
      AND (w.contactable = 1 OR (SELECT v.deleted FROM vehicle v WHERE v.id = a.vid) = 0) AND a.vid NOT IN odd
    LIMIT -1 OFFSET 0),
b1 AS NOT MATERIALIZED (SELECT vid, fs, cdn, who, k, {us} AS s, {ue} AS e, {uid} AS did,
      x = 1 OR (x >= 4 AND {us} >= :lo1 AND {_probe("1", "b0.vid", _COVERS)} IS NULL) AS lapsing
    FROM b0 LIMIT -1 OFFSET 0),
b AS MATERIALIZED (SELECT vid, cdn, who, fs, k IS NOT NULL AS due, s, e,
      CASE WHEN k IS NOT NULL THEN {_beside("b1.vid", key, False)} END AS ps,
      CASE WHEN k IS NOT NULL THEN {_beside("b1.vid", key, True)} END AS ns,
      CASE WHEN lapsing THEN {_probe("{a}.end_at", "b1.vid", " AND {a}.start_at < :lo1")} END AS le,
      CASE WHEN lapsing THEN {_probe("{a}.start_at", "b1.vid", " AND {a}.start_at >= :lo1", last=False)} END AS lns,
      CASE WHEN lapsing AND cdn IS NOT NULL THEN {_probe("{a}.start_at", "b1.vid", " AND {a}.start_at < :lo1")} END AS ls
    FROM b1),
dt AS (SELECT vid, cdn, who, {sd("s")} AS sd, {ld("e")} AS ld, {sd("ps")} AS prev_sd, {sd("ns")} AS next_sd,
      ps IS NULL AS first FROM b WHERE due),
d0 AS MATERIALIZED (SELECT vid, cdn, who, ld, first, {claimed("dt", "coalesce(dt.prev_sd, '0000-01-01')", "dt.sd")} AS here,
      CASE WHEN first THEN 0 ELSE {claimed("dt", "NULL", "dt.prev_sd")} END AS here_before,
      CASE WHEN next_sd IS NOT NULL THEN {claimed("dt", "dt.sd", "dt.next_sd")} END AS here_next FROM dt),
dd AS MATERIALIZED (SELECT vid, ld, here,
      CASE WHEN first THEN (CASE WHEN here THEN '新转续' ELSE '首次' END) WHEN here THEN '续转续'
           WHEN here_before THEN '间转续' ELSE '潜转续' END AS seg,
      {_outcome("here_next", "d0.vid", "date(d0.ld, '-' || :lead || ' days')")} AS oc, who FROM d0),
nb AS (SELECT vid, cdn, {sd("fs")} AS sd FROM b WHERE fs >= :lo AND fs < :hi),
l0 AS (SELECT vid, cdn, {ld("le")} AS ld, {sd("ls")} AS lsd, {sd("lns")} AS next_sd FROM b WHERE le IS NOT NULL),
l1 AS MATERIALIZED (SELECT vid, cdn, CASE WHEN next_sd IS NOT NULL THEN {claimed("l0", "l0.lsd", "l0.next_sd")} END AS here_next
    FROM l0 WHERE julianday(:m0) - julianday(ld) <= :lapse),
hits(seg, oc, who) AS (
    SELECT '新保', CASE WHEN {claimed("nb", "NULL", "nb.sd")} THEN 'renewed_here|' ELSE 'renewed_elsewhere|' END,
           NULL FROM nb WHERE sd BETWEEN :m0 AND :m1
    UNION ALL SELECT seg, oc, coalesce(who, '') FROM dd
    UNION ALL SELECT '在修不在保', oc, NULL FROM dd WHERE NOT dd.here
      AND dd.vid IN (SELECT vehicle_id FROM event INDEXED BY ix_event_kind_at WHERE kind = 'visit')
      AND EXISTS (SELECT 1 FROM event e INDEXED BY ix_event_vehicle_at
      WHERE e.vehicle_id = dd.vid AND e.kind = 'visit' AND e.at >= date(dd.ld, '-365 days') AND e.at < date(dd.ld, '+1 days'))
    UNION ALL SELECT '断保回流', {_outcome("here_next", "l1.vid", ":m0")}, NULL FROM l1)
SELECT seg, oc, who, count(*) FROM hits GROUP BY seg, oc, who"""


@dataclass(frozen=True)
class SegmentCount:
    segment: str
    outcome: str         # renewed_here | renewed_elsewhere | lost | open
    reason: str | None   # a confirmed 战败 reason (lost or renewed elsewhere)
    assigned_to: str | None  # for the renewal segments: who the vehicle belongs to (None: nobody)
    count: int


def segment_query(first: date, last: date, lead_days: int, lapse_days: int, epoch: bool) -> tuple[str, dict]:
    """(sql, params) giving (segment, 'outcome|reason', assigned_to, count) rows for the month.
    `lapse_days`: how far before the month's first day a 断保回流 car's last covered day may be
    (timeutil.lapse_window_days of that day; at most segments.LAPSE_DAYS)."""
    lo = datetime(first.year, first.month, first.day, tzinfo=CST)
    hi = lo + timedelta(days=(last - first).days + 1)
    return _segment_sql(epoch), {
        "lo": _term_param(lo, epoch), "hi": _term_param(hi, epoch), "lo1": _term_param(lo + timedelta(days=1), epoch),
        "lapse_lo_t": _term_param(lo - timedelta(days=lapse_days + 2), epoch), "m0": first.isoformat(), "m1": last.isoformat(),
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
    # Each arm seeks its index (ix_work_index_python is partial: its condition is named; contactable
    # leads ix_work_index_end): an OR of the two conditions read all of work_index (~0.5 s at 1M).
    ids = {text_of(bytes(r[0])) if isinstance(r[0], (bytes, memoryview)) else r[0] for r in conn.exec_driver_sql(
        "SELECT vehicle_id FROM work_index INDEXED BY ix_work_index_python WHERE coalesce(tier, 3) >= 2 "
        "AND coalesce(tier, 3) = 3 UNION SELECT vehicle_id FROM work_index WHERE contactable IS NULL "
        "UNION SELECT vehicle_id FROM event "
        f"WHERE kind = 'visit' AND vehicle_id IS NOT NULL AND NOT {_CANONICAL.format(c='at')}").fetchall()}
    return sorted(ids)
