"""The triggers that keep work_index exact (migration 0010 made the table).

A vehicle's row holds its latest-ending valid 交强险 term, `contactable` (vehicle not deleted,
owner consents) and `tier`, the most complex renewal event it has: 0 none, 1 only kinds
desktop.store.work_repo decides in SQL (an assignment among them), 2 a kind only the Python engine
decides when it falls in the vehicle's current case (a named date, 本次关闭: work_repo decides a
tier-2 vehicle in SQL while none does), 3 an event time not in the stored UTC+8 form (text comparison would be
unsafe), a term time that is not epoch seconds, or an inverted term. Term times are copied as
stored (epoch seconds, migration 0013), so every comparison is on integers.
Triggers keep it on every write path (counter, import, demo, sync pull).

Since 0016 the row also summarises the vehicle's renewal events, so the tabs read no event but
this week's contact attempts (desktop.store.work_repo, work_cases): the day (day number, UTC+8) of
its latest fact other than an assignment (`fact_dn`) and of its latest closing fact (`closing_dn`,
services.renewal_facts.closing_fact's kinds), `stopped` (a 停止联系, ever), the latest
assignment's assignee with its time (`assignee`, `assign_at`: a sync pull may bring an older
assignment after a newer one), and since 0019 the latest of what core.cadence.plan reads from a
case (desktop.store.work_facts): the last reached day (`reached_day`), L (`l_key`: the latest fact
that names a date or is reached) and the last contact (`v_key`). The current case is a suffix in
time (the facts dated on or after its start), so its latest fact of a sort is the vehicle's latest
when that is dated in the case, and none otherwise. None of it depends on a setting (lead days,
cadence, cap): the case start and this Monday are applied when a tab is read, and a new term that
moves the case needs no recompute. Only canonical times are summarised correctly; a vehicle with
any other is tier 3 and the Python engine's anyway.

A batch table rebuild in a later migration would drop the triggers on the rebuilt table and fail
renaming a table the others mention, so desktop.store.migrate drops them all before any step and
installs them again afterwards with a full refresh (`install`).
"""
from __future__ import annotations

from . import work_facts

FACT_KINDS = "'contact', 'contact_stop', 'contact_close', 'assign', 'loss_confirmed', 'outcome'"
SUMMARY_COLUMNS = ("fact_dn", "closing_dn", "stopped", "assignee", "assign_at", "reached_day", "l_key", "v_key")


def day_number(at: str) -> str:
    """The UTC+8 day of a canonical event time as days since 1970-01-01 (NULL for any other text)."""
    return f"CAST(julianday(substr({at}, 1, 10)) - 2440587.5 AS INTEGER)"


def assignee(e: str) -> str:
    # what work_cases' clerk's view compares (json_extract as is: a number stays a number)
    return f"CASE WHEN json_valid({e}.detail) THEN json_extract({e}.detail, '$.to') END"


def _canonical(col: str) -> str:
    # The stored form of an event time is '2026-12-01T10:00:00+08:00' (desktop.store.records.iso): 25 characters.
    return f"(length({col}) = 25 AND substr({col}, 20) = '+08:00')"


def _exact(col: str) -> str:
    # A policy-term instant stored as epoch seconds (desktop.store.timecol, migration 0012); only
    # text that names no instant stays text, and its vehicle goes to the Python engine (tier 3).
    return f"(typeof({col}) = 'integer')"


def level(e: str) -> str:
    """The tier one event puts its vehicle in (see the module docstring).

    A contact whose detail does not contain the text next_date (nor a JSON \\u escape, which
    could spell it) has no next date once parsed; likewise a will_come / unreachable record
    without a follow-up day (next_date, or the older visit_date / will_come_on: the record form's
    联系不上 / 客户会来 date, services.renewal_facts)."""
    return (f"CASE WHEN {e}.kind NOT IN ({FACT_KINDS}) THEN 0 "
            f"WHEN NOT {_canonical(e + '.at')} THEN 3 "
            f"WHEN {e}.kind = 'contact_close' THEN 2 "
            f"WHEN {e}.kind = 'contact' AND (instr({e}.detail, 'next_date') OR instr({e}.detail, '\\u')) THEN 2 "
            f"WHEN {e}.kind = 'outcome' AND {e}.outcome IN ('will_come', 'unreachable') "
            f"AND (instr({e}.detail, '_date') OR instr({e}.detail, 'will_come_on') OR instr({e}.detail, '\\u')) THEN 2 "
            "ELSE 1 END")


_SUMMARY = ", ".join(SUMMARY_COLUMNS)
# ix_event_facts: one seek into the vehicle's facts
_facts = f"INDEXED BY ix_event_facts WHERE ev.vehicle_id = v.id AND ev.kind IN ({FACT_KINDS})"


def refresh(where: str, summary: bool = True) -> str:
    """Recompute the rows of the vehicles matching `where` (over vehicle v) from their rows
    (without the event summary: the layout before 0016, where a test stops an upgrade)."""
    cols = f"tier, {_SUMMARY}" if summary else "tier"
    # "+p.kind": never the 交强险 end index here, which would walk every 交强险 term of the store.
    valid = "p.vehicle_id = v.id AND +p.kind = 'CI' AND p.end_at > p.start_at"
    return f"""
    INSERT OR REPLACE INTO work_index(vehicle_id, ci_end_at, ci_start_at, contactable, {cols})
    SELECT id, e, s, contactable, {cols} FROM (
      SELECT v.id AS id,
             (SELECT max(p.end_at) FROM policy_term p WHERE {valid}) AS e,
             (SELECT min(p.start_at) FROM policy_term p WHERE {valid}
              AND p.end_at = (SELECT max(p.end_at) FROM policy_term p WHERE {valid})) AS s,
             v.deleted = 0 AND coalesce((SELECT coalesce(c.consent_contact, 0) FROM customer c
                                             WHERE c.id = v.owner_id), 1) != 0
               AS contactable,
             max(coalesce((SELECT max({level('ev')}) FROM event ev WHERE ev.vehicle_id = v.id), 0),
                 (SELECT CASE WHEN count(*) THEN 3 ELSE 0 END FROM policy_term p
                  WHERE p.vehicle_id = v.id AND +p.kind = 'CI'
                  AND (p.end_at <= p.start_at OR NOT ({_exact('p.start_at')} AND {_exact('p.end_at')})))) AS tier
             {_SUMMARY_OF if summary else ""}
      FROM vehicle v WHERE {where});"""


_SUMMARY_OF = f""",
             (SELECT max({day_number('ev.at')}) FROM event ev {_facts} AND ev.kind != 'assign') AS fact_dn,
             (SELECT max({day_number('ev.at')}) FROM event ev {_facts} AND {work_facts.closing('ev')}) AS closing_dn,
             EXISTS (SELECT 1 FROM event ev {_facts} AND ev.kind = 'contact_stop') AS stopped,
             (SELECT {assignee('ev')} FROM event ev {_facts} AND ev.kind = 'assign'
              ORDER BY ev.at DESC, ev.rowid DESC LIMIT 1) AS assignee,
             (SELECT max(ev.at) FROM event ev {_facts} AND ev.kind = 'assign') AS assign_at,
             (SELECT max(substr(ev.at, 1, 10)) FROM event ev {_facts} AND {work_facts.reached('ev')}) AS reached_day,
             (SELECT max({work_facts.l_key('ev')}) FROM event ev {_facts}) AS l_key,
             (SELECT max({work_facts.v_key('ev')}) FROM event ev {_facts}) AS v_key"""


def _owner_refresh(cid: str) -> str:
    # A customer's consent reaches each of their vehicles (vehicle.owner_id is indexed).
    return f"""
    UPDATE work_index SET contactable = (
        SELECT v.deleted = 0 AND coalesce((SELECT coalesce(c.consent_contact, 0) FROM customer c
                                             WHERE c.id = v.owner_id), 1) != 0
        FROM vehicle v WHERE v.id = work_index.vehicle_id)
    WHERE vehicle_id IN (SELECT id FROM vehicle WHERE owner_id = {cid});"""


# An inverted term (end <= start) covers nothing but the report's segments still read it: Python decides.
_odd_term = f"(NEW.end_at <= NEW.start_at OR NOT ({_exact('NEW.start_at')} AND {_exact('NEW.end_at')}))"
_later_term = ("NEW.end_at > NEW.start_at AND (ci_end_at IS NULL OR NEW.end_at > ci_end_at "
               "OR (NEW.end_at = ci_end_at AND NEW.start_at < ci_start_at))")
_new_dn = day_number("NEW.at")


def _latest(col: str, new: str) -> str:
    # the larger of the column and the new value, either of them NULL
    return f"max(coalesce({col}, {new}), coalesce({new}, {col}))"


_later_assign = "(NEW.kind = 'assign' AND (assign_at IS NULL OR NEW.at >= assign_at))"


def triggers(summary: bool = True) -> dict[str, str]:
    """{name: body} of the triggers; without the event summary for the layout before 0016."""
    def refresh_of(where: str) -> str:
        return refresh(where, summary)
    return {
        # A new vehicle usually has no terms or events yet (they follow it in the same batch): then its
        # row needs only the owner's consent. A sync pull may bring them first: then the full refresh.
        "trg_work_vehicle_ins": f"""AFTER INSERT ON vehicle BEGIN
            INSERT OR REPLACE INTO work_index(vehicle_id, ci_end_at, ci_start_at, contactable, tier)
            VALUES (NEW.id, NULL, NULL, NEW.deleted = 0 AND coalesce((SELECT coalesce(c.consent_contact, 0)
                    FROM customer c WHERE c.id = NEW.owner_id), 1) != 0, 0);
            {refresh_of("v.id = NEW.id AND (EXISTS (SELECT 1 FROM policy_term WHERE vehicle_id = NEW.id) "
                     "OR EXISTS (SELECT 1 FROM event WHERE vehicle_id = NEW.id))")}
            END""",
        "trg_work_vehicle_upd": f"AFTER UPDATE OF owner_id, deleted ON vehicle BEGIN {refresh_of('v.id = NEW.id')} END",
        "trg_work_customer_ins": f"AFTER INSERT ON customer BEGIN {_owner_refresh('NEW.id')} END",
        "trg_work_customer_upd": f"AFTER UPDATE OF consent_contact ON customer BEGIN {_owner_refresh('NEW.id')} END",
        # The hot path (imports, demo): a new term can only raise the latest end, one indexed update.
        "trg_work_term_ins": f"""AFTER INSERT ON policy_term WHEN NEW.kind = 'CI' BEGIN
            UPDATE work_index SET
              tier = CASE WHEN {_odd_term} THEN 3 ELSE tier END,
              ci_end_at = CASE WHEN {_later_term} THEN NEW.end_at ELSE ci_end_at END,
              ci_start_at = CASE WHEN {_later_term} THEN NEW.start_at ELSE ci_start_at END
            WHERE vehicle_id = NEW.vehicle_id AND ({_odd_term} OR {_later_term});
            END""",
        "trg_work_term_del": f"AFTER DELETE ON policy_term WHEN OLD.kind = 'CI' BEGIN {refresh_of('v.id = OLD.vehicle_id')} END",
        "trg_work_term_upd": (f"AFTER UPDATE ON policy_term BEGIN {refresh_of('v.id = OLD.vehicle_id')} "
                              f"{refresh_of('v.id = NEW.vehicle_id')} END"),
        # Events are append-only: a new one can only raise the tier and the summary's days; an
        # assignment replaces the assignee unless an assignment of a later time is already there (a
        # tie goes to the later row, as the clerk's view's ORDER BY at, rowid does).
        "trg_work_event_ins": f"""AFTER INSERT ON event WHEN NEW.vehicle_id IS NOT NULL AND NEW.kind IN ({FACT_KINDS}) BEGIN
            UPDATE work_index SET tier = CASE WHEN tier < {level('NEW')} THEN {level('NEW')} ELSE tier END,
              fact_dn = CASE WHEN NEW.kind = 'assign' THEN fact_dn
                             ELSE max(coalesce(fact_dn, {_new_dn}), {_new_dn}) END,
              closing_dn = CASE WHEN {work_facts.closing('NEW')} THEN max(coalesce(closing_dn, {_new_dn}), {_new_dn})
                                ELSE closing_dn END,
              stopped = stopped OR NEW.kind = 'contact_stop',
              assignee = CASE WHEN {_later_assign} THEN {assignee('NEW')} ELSE assignee END,
              assign_at = CASE WHEN {_later_assign} THEN NEW.at ELSE assign_at END,
              reached_day = CASE WHEN {work_facts.reached('NEW')} THEN {_latest('reached_day', "substr(NEW.at, 1, 10)")}
                                 ELSE reached_day END,
              l_key = {_latest('l_key', work_facts.l_key('NEW'))},
              v_key = {_latest('v_key', work_facts.v_key('NEW'))}
            WHERE vehicle_id = NEW.vehicle_id;
            END""" if summary else f"""AFTER INSERT ON event WHEN NEW.vehicle_id IS NOT NULL AND NEW.kind IN ({FACT_KINDS})
            BEGIN UPDATE work_index SET tier = {level('NEW')} WHERE vehicle_id = NEW.vehicle_id AND tier < {level('NEW')};
            END""",
    }


TRIGGERS = triggers()


def drop(conn) -> None:
    for name in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def _layout(execute) -> tuple[str, bool]:
    """work_index as the store has it: ci_end_at's declared type (ISOTIME since 0013) and whether
    0016's and 0019's event summary columns are there. `execute`: a SQLAlchemy connection's
    exec_driver_sql or a raw connection's execute (the importer's)."""
    layout = dict(execute("SELECT name, type FROM pragma_table_info('work_index')").fetchall())
    return layout.get("ci_end_at", "").upper(), set(SUMMARY_COLUMNS) <= set(layout)


def install(conn) -> None:
    """(Re)create every trigger and recompute every row, when the store has the table as 0013 made it
    (with the event summary when 0016's and 0019's columns are there).

    An older layout (TEXT times and end_day: only a test stops the upgrade at an earlier revision,
    the app always goes to head in one transaction) is left as its step left it, without triggers."""
    end_type, summary = _layout(conn.exec_driver_sql)
    if end_type != "ISOTIME":
        return
    drop(conn)
    for name, body in triggers(summary).items():
        conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    conn.exec_driver_sql("DELETE FROM work_index")
    conn.exec_driver_sql(refresh("1", summary))


# -- a bulk import's chunk: one set-based refresh instead of a trigger program per inserted row ------
# Per row, the insert triggers cost ~25% of an import's SQL (10⁵ rows: ~2.6 s of ~10.5 s CPU, most of
# it the work_index UPDATE each 交强险 term makes after the vehicle's INSERT put the row there). The
# importer holds the write lock for the whole chunk, so no other writer can see the triggers gone:
# they are dropped and re-created inside its transaction (a rollback restores them as well).
_BULK_TABLES = ("vehicle", "customer", "policy_term")
BULK_SUSPENDED = tuple(n for n, body in TRIGGERS.items()
                       if body.split()[:2] == ["AFTER", "INSERT"] and body.split()[3] in _BULK_TABLES)
_IDS = "temp.work_refresh_ids"


def suspend_inserts(db) -> list[str]:
    """Drop the insert triggers of vehicle, customer and policy_term (update and delete triggers
    stay); returns their stored CREATE statements for `resume_inserts` ([]: the store has none)."""
    marks = ",".join("?" * len(BULK_SUSPENDED))
    stored = [sql for (sql,) in db.execute(
        f"SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})", BULK_SUSPENDED)]
    for name in BULK_SUSPENDED:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
    return stored


# The row of a vehicle that has no event (a car this batch created): no fact, never stopped.
_EVENTLESS = ", ".join("0" if c == "stopped" else "NULL" for c in SUMMARY_COLUMNS)
_FRESH = (f"INSERT OR REPLACE INTO work_index(vehicle_id, ci_end_at, ci_start_at, contactable, tier, {_SUMMARY}) "
          f"VALUES (?, ?, ?, ?, ?, {_EVENTLESS})")


def resume_inserts(db, stored: list[str], vehicle_ids, fresh: list[tuple] | None = None) -> None:
    """Recompute the work_index rows of `vehicle_ids` (16-byte ids: every vehicle the chunk inserted
    or gave a term) from their rows, as the suspended triggers would have left them, then re-create
    the triggers exactly as they were stored. `fresh`: rows (id, ci_end_at, ci_start_at, contactable,
    tier) the caller computed for vehicles it created in this transaction, which no event can name
    yet (import_ledger: an SQL refresh of 5×10⁴ new cars evaluates ~12 subqueries each for nothing)."""
    if not stored:
        return
    _end_type, summary = _layout(db.execute)
    ids = list(vehicle_ids)
    if fresh and summary:
        db.executemany(_FRESH, fresh)
    elif fresh:  # the layout before 0016 (a test stops an upgrade there): the SQL refresh does them
        ids.extend(row[0] for row in fresh)
    if ids:
        db.execute(f"CREATE TABLE IF NOT EXISTS {_IDS}(id BLOB PRIMARY KEY) WITHOUT ROWID")
        db.executemany(f"INSERT OR IGNORE INTO {_IDS}(id) VALUES (?)", ((i,) for i in ids))
        db.execute(refresh(f"v.id IN (SELECT id FROM {_IDS})", summary))
        db.execute(f"DELETE FROM {_IDS}")
    for sql in stored:
        db.execute(sql)
