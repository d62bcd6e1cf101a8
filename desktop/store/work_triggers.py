"""The triggers that keep work_index exact (migration 0010 made the table).

A vehicle's row holds its latest-ending valid 交强险 term, `contactable` (vehicle not deleted,
owner consents) and `tier`, the most complex renewal event it has: 0 none, 1 only kinds
desktop.store.work_repo decides in SQL, 2 a kind only the Python engine decides (a named date,
本次关闭, an assignment), 3 a time not in the stored UTC+8 form (text comparison would be unsafe) or an inverted term.
Triggers keep it on every write path (counter, import, demo, sync pull).

A batch table rebuild in a later migration would drop the triggers on the rebuilt table and fail
renaming a table the others mention, so desktop.store.migrate drops them all before any step and
installs them again afterwards with a full refresh (`install`).
"""
from __future__ import annotations

FACT_KINDS = "'contact', 'contact_stop', 'contact_close', 'assign', 'loss_confirmed', 'outcome'"


def _canonical(col: str) -> str:
    # The stored form is '2026-12-01T10:00:00+08:00' (desktop.store.records.iso): 25 characters.
    return f"(length({col}) = 25 AND substr({col}, 20) = '+08:00')"


def _iso(col: str) -> str:
    """A policy-term instant as ISO text: epoch seconds at rest when exact (desktop.store.timecol,
    migration 0012), else the text it came as. Every comparison below is made on this text, so
    work_index holds what it held when the store kept text, odd times (tier 3) included."""
    return (f"(CASE WHEN typeof({col}) = 'integer' THEN strftime('%Y-%m-%dT%H:%M:%S+08:00', {col}, 'unixepoch', "
            f"'+8 hours') ELSE {col} END)")


_P_END, _P_START, _NEW_END, _NEW_START = _iso("p.end_at"), _iso("p.start_at"), _iso("NEW.end_at"), _iso("NEW.start_at")


def _level(e: str) -> str:
    """The tier one event puts its vehicle in (see the module docstring).

    A contact whose detail does not contain the text next_date (nor a JSON \\u escape, which
    could spell it) has no next date once parsed; likewise a will_come / unreachable record
    without a follow-up day (next_date, or the older visit_date / will_come_on: the record form's
    联系不上 / 客户会来 date, services.renewal_facts)."""
    return (f"CASE WHEN {e}.kind NOT IN ({FACT_KINDS}) THEN 0 "
            f"WHEN NOT {_canonical(e + '.at')} THEN 3 "
            f"WHEN {e}.kind IN ('contact_close', 'assign') THEN 2 "
            f"WHEN {e}.kind = 'contact' AND (instr({e}.detail, 'next_date') OR instr({e}.detail, '\\u')) THEN 2 "
            f"WHEN {e}.kind = 'outcome' AND {e}.outcome IN ('will_come', 'unreachable') "
            f"AND (instr({e}.detail, '_date') OR instr({e}.detail, 'will_come_on') OR instr({e}.detail, '\\u')) THEN 2 "
            "ELSE 1 END")


def _end_day(col: str) -> str:
    # The last covered day: the calendar day (UTC+8) of end − 1 s (ends are whole seconds).
    return f"date(substr({col}, 1, 19), '-1 seconds')"


def refresh(where: str) -> str:
    """Recompute the rows of the vehicles matching `where` (over vehicle v) from their rows."""
    # "+p.kind": never the 交强险 end index here, which would walk every 交强险 term of the store.
    valid = f"p.vehicle_id = v.id AND +p.kind = 'CI' AND {_P_END} > {_P_START}"
    return f"""
    INSERT OR REPLACE INTO work_index(vehicle_id, ci_end_at, ci_start_at, end_day, contactable, tier)
    SELECT id, e, s, CASE WHEN e IS NOT NULL THEN {_end_day('e')} END, contactable, tier FROM (
      SELECT v.id AS id,
             (SELECT max({_P_END}) FROM policy_term p WHERE {valid}) AS e,
             (SELECT min({_P_START}) FROM policy_term p WHERE {valid}
              AND {_P_END} = (SELECT max({_P_END}) FROM policy_term p WHERE {valid})) AS s,
             v.deleted = 0 AND coalesce((SELECT coalesce(c.consent_contact, 0) FROM customer c
                                             WHERE c.id = v.owner_id), 1) != 0
               AS contactable,
             max(coalesce((SELECT max({_level('ev')}) FROM event ev WHERE ev.vehicle_id = v.id), 0),
                 (SELECT CASE WHEN count(*) THEN 3 ELSE 0 END FROM policy_term p
                  WHERE p.vehicle_id = v.id AND +p.kind = 'CI'
                  AND ({_P_END} <= {_P_START} OR NOT ({_canonical(_P_START)} AND {_canonical(_P_END)})))) AS tier
      FROM vehicle v WHERE {where});"""


def _owner_refresh(cid: str) -> str:
    # A customer's consent reaches each of their vehicles (vehicle.owner_id is indexed).
    return f"""
    UPDATE work_index SET contactable = (
        SELECT v.deleted = 0 AND coalesce((SELECT coalesce(c.consent_contact, 0) FROM customer c
                                             WHERE c.id = v.owner_id), 1) != 0
        FROM vehicle v WHERE v.id = work_index.vehicle_id)
    WHERE vehicle_id IN (SELECT id FROM vehicle WHERE owner_id = {cid});"""


# An inverted term (end <= start) covers nothing but the report's segments still read it: Python decides.
_odd_term = f"({_NEW_END} <= {_NEW_START} OR NOT ({_canonical(_NEW_START)} AND {_canonical(_NEW_END)}))"
_later_term = (f"{_NEW_END} > {_NEW_START} AND (ci_end_at IS NULL OR {_NEW_END} > ci_end_at "
               f"OR ({_NEW_END} = ci_end_at AND {_NEW_START} < ci_start_at))")
TRIGGERS = {
    # A new vehicle usually has no terms or events yet (they follow it in the same batch): then its
    # row needs only the owner's consent. A sync pull may bring them first: then the full refresh.
    "trg_work_vehicle_ins": f"""AFTER INSERT ON vehicle BEGIN
        INSERT OR REPLACE INTO work_index(vehicle_id, ci_end_at, ci_start_at, end_day, contactable, tier)
        VALUES (NEW.id, NULL, NULL, NULL, NEW.deleted = 0 AND coalesce((SELECT coalesce(c.consent_contact, 0)
                FROM customer c WHERE c.id = NEW.owner_id), 1) != 0, 0);
        {refresh("v.id = NEW.id AND (EXISTS (SELECT 1 FROM policy_term WHERE vehicle_id = NEW.id) "
                 "OR EXISTS (SELECT 1 FROM event WHERE vehicle_id = NEW.id))")}
        END""",
    "trg_work_vehicle_upd": f"AFTER UPDATE OF owner_id, deleted ON vehicle BEGIN {refresh('v.id = NEW.id')} END",
    "trg_work_customer_ins": f"AFTER INSERT ON customer BEGIN {_owner_refresh('NEW.id')} END",
    "trg_work_customer_upd": f"AFTER UPDATE OF consent_contact ON customer BEGIN {_owner_refresh('NEW.id')} END",
    # The hot path (imports, demo): a new term can only raise the latest end, one indexed update.
    "trg_work_term_ins": f"""AFTER INSERT ON policy_term WHEN NEW.kind = 'CI' BEGIN
        UPDATE work_index SET
          tier = CASE WHEN {_odd_term} THEN 3 ELSE tier END,
          ci_end_at = CASE WHEN {_later_term} THEN {_NEW_END} ELSE ci_end_at END,
          ci_start_at = CASE WHEN {_later_term} THEN {_NEW_START} ELSE ci_start_at END,
          end_day = CASE WHEN {_later_term} THEN {_end_day(_NEW_END)} ELSE end_day END
        WHERE vehicle_id = NEW.vehicle_id AND ({_odd_term} OR {_later_term});
        END""",
    "trg_work_term_del": f"AFTER DELETE ON policy_term WHEN OLD.kind = 'CI' BEGIN {refresh('v.id = OLD.vehicle_id')} END",
    "trg_work_term_upd": (f"AFTER UPDATE ON policy_term BEGIN {refresh('v.id = OLD.vehicle_id')} "
                          f"{refresh('v.id = NEW.vehicle_id')} END"),
    # Events are append-only: a new one can only raise the tier.
    "trg_work_event_ins": f"""AFTER INSERT ON event WHEN NEW.vehicle_id IS NOT NULL AND NEW.kind IN ({FACT_KINDS}) BEGIN
        UPDATE work_index SET tier = {_level('NEW')} WHERE vehicle_id = NEW.vehicle_id AND tier < {_level('NEW')};
        END""",
}

def drop(conn) -> None:
    for name in TRIGGERS:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")


def install(conn) -> None:
    """(Re)create every trigger and recompute every row, when the store has the table."""
    if not conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'work_index'").first():
        return
    drop(conn)
    for name, body in TRIGGERS.items():
        conn.exec_driver_sql(f"CREATE TRIGGER {name} {body}")
    conn.exec_driver_sql("DELETE FROM work_index")
    conn.exec_driver_sql(refresh("1"))
