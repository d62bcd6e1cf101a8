"""What one renewal event row says, in SQL (services.renewal_facts.fact_of), for the work_index
triggers that summarise a vehicle's events and for the tabs (desktop.store.work_cases).

Each function takes the alias of the event row (`e`, `NEW`). Event times are canonical where these
are used (work_index tier 3 sends any other to the Python engine), so a time's first ten characters
are its UTC+8 day and text order is time order.
"""
from __future__ import annotations

REACHED = "'will_renew', 'quote_requested', 'will_come', 'renewed_elsewhere', 'sold', 'declined'"


def contact(e: str) -> str:
    """A contact fact (what the cap counts, what the last contact is)."""
    return f"({e}.kind = 'contact' OR ({e}.kind = 'outcome' AND {e}.outcome IN ('will_come', 'declined', 'unreachable')))"


def result(e: str) -> str:
    return f"(CASE WHEN {e}.kind = 'outcome' AND {e}.outcome = 'unreachable' THEN 'no_answer' ELSE {e}.outcome END)"


def reached(e: str) -> str:
    return f"({contact(e)} AND {result(e)} IN ({REACHED}))"


def will_come(e: str) -> str:
    return f"({contact(e)} AND {result(e)} = 'will_come')"


def closing(e: str) -> str:
    """The event closes its case (services.renewal_facts.closing_fact: a closing record or a loss)."""
    return (f"({e}.kind = 'loss_confirmed' OR ({e}.kind = 'outcome' AND {e}.outcome IN ('renewed_here', "
            f"'renewed_elsewhere', 'sold', 'scrapped', 'declined')) "
            f"OR ({e}.kind = 'contact' AND {e}.outcome IN ('renewed_elsewhere', 'sold', 'declined')))")


def _json_day(e: str, path: str) -> str:
    # renewal_facts._day: the first ten characters when they are a date (of a JSON object's field)
    v = (f"substr(CASE WHEN json_valid({e}.detail) THEN CASE WHEN json_type({e}.detail) = 'object' "
         f"THEN nullif(json_extract({e}.detail, '{path}'), '') END END, 1, 10)")
    return f"CASE WHEN date({v}) = {v} THEN {v} END"


def named(e: str) -> str:
    """The day the event names (contact --next, 本次关闭 until, a will_come / unreachable record's
    day), NULL when none. Only a detail that can spell one of the keys is parsed (a JSON \\u escape
    could spell any)."""
    may_name = (f"(instr({e}.detail, '_date') OR instr({e}.detail, 'until') OR instr({e}.detail, 'will_come_on') "
                f"OR instr({e}.detail, '\\u'))")
    return (f"(CASE WHEN {e}.detail IS NULL OR NOT {may_name} THEN NULL "
            f"WHEN {e}.kind = 'contact' THEN {_json_day(e, '$.next_date')} "
            f"WHEN {e}.kind = 'contact_close' THEN {_json_day(e, '$.until')} "
            f"WHEN {e}.kind = 'outcome' AND {e}.outcome IN ('will_come', 'unreachable') THEN "
            f"coalesce({_json_day(e, '$.next_date')}, {_json_day(e, '$.visit_date')}, "
            f"{_json_day(e, '$.will_come_on')}) END)")


def l_key(e: str) -> str:
    """The event as a candidate for L, the latest fact that names a date or is reached: time + 'N'
    and the day (a named date), 'C' and the day (本次关闭), or 'R' (reached, no date); NULL when it
    is neither. max() over these is L (facts of the same instant: by what they say)."""
    return (f"CASE WHEN {named(e)} IS NOT NULL THEN {e}.at || CASE WHEN {e}.kind = 'contact_close' THEN 'C' "
            f"ELSE 'N' END || {named(e)} WHEN {reached(e)} THEN {e}.at || 'R' END")


def v_key(e: str) -> str:
    """The event as a candidate for the last contact: time + 'V' and the day of a promised visit
    (a will_come with a day) or 'X'; NULL when it is no contact fact."""
    return (f"CASE WHEN {contact(e)} THEN {e}.at || CASE WHEN {will_come(e)} AND {named(e)} IS NOT NULL "
            f"THEN 'V' || {named(e)} ELSE 'X' END END")
