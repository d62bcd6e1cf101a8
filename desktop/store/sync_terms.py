"""Pulled policy terms (DESIGN §6): last writer wins by HLC per row, except that a term head office
issued (source = hq) beats a counter's copy; two ids for one term (protocol.term_identity, the
import rule) become one row under the smaller id, also after two vehicles were merged.
"""
from __future__ import annotations

from .sourcecol import stored as stored_source
from .sync_page import DELETED, ROW, TERM_FIELDS, Page, Parked, Pulled, stamp_time
from .timecol import stored
from .uuidcol import blob

_T_SELECT = f"SELECT id, {', '.join(TERM_FIELDS)} FROM policy_term"
_TERM_TIMES = frozenset(("start_at", "end_at", "as_of"))


def _term_dict(row) -> dict:
    return dict(zip(("id", *TERM_FIELDS), row, strict=True))


def _term_twin(db, tid: str, p: dict) -> dict | None:
    """A stored term with the same identity as `p` (protocol.term_identity: the import rule)."""
    if p.get("policy_no"):
        r = db.execute(f"{_T_SELECT} WHERE vehicle_id = ? AND kind = ? AND policy_no = ? AND id <> ? "
                       "ORDER BY id LIMIT 1", (blob(p["vehicle_id"]), p["kind"], p["policy_no"], blob(tid))).fetchone()
    else:
        r = db.execute(f"{_T_SELECT} WHERE vehicle_id = ? AND kind = ? AND start_at = ? AND end_at = ? "
                       "AND (policy_no IS NULL OR policy_no = '') AND id <> ? ORDER BY id LIMIT 1",
                       (blob(p["vehicle_id"]), p["kind"], stored(p.get("start_at")), stored(p.get("end_at")),
                        blob(tid))).fetchone()
    return _term_dict(r) if r else None


def _term_beats(stamp: str, source: str | None, other_stamp: str, other_source: str | None) -> bool:
    """Head office's own data beats a counter's copy; otherwise the newer stamp wins."""
    if (source == "hq") != (other_source == "hq"):
        return source == "hq"
    return stamp > other_stamp


def _term_values(p: dict, stamp: str) -> list:
    v = {f: p.get(f) for f in TERM_FIELDS}
    for f in ("premium", "float_coef", "vehicle_tax"):
        if v[f] is not None:
            v[f] = str(v[f])
    v["source"] = v["source"] or "counter"
    v["as_of"] = v["as_of"] or stamp_time(stamp)
    return [v[f] for f in TERM_FIELDS]


def _put_term(db, tid: str, values: list, exists: bool) -> None:
    # vehicle_id (the first field) as its 16 bytes, instants as epoch seconds when exact (timecol).
    row = tuple(blob(v) if f == "vehicle_id" else stored(v) if f in _TERM_TIMES else
                stored_source(v) if f == "source" else v for f, v in zip(TERM_FIELDS, values, strict=True))
    if exists:
        db.execute(f"UPDATE policy_term SET {', '.join(f + ' = ?' for f in TERM_FIELDS)} WHERE id = ?",
                   (*row, blob(tid)))
    else:
        db.execute(f"INSERT INTO policy_term(id, {', '.join(TERM_FIELDS)}) "
                   f"VALUES (?, {','.join('?' * len(TERM_FIELDS))})", (blob(tid), *row))


def apply_term(pg: Page, c: Pulled) -> bool:
    db, tid = pg.db, pg.canon("policy_term", c.entity_id)
    if pg.deleted("policy_term", tid):
        return False
    if c.op == "delete":
        db.execute("DELETE FROM policy_term WHERE id = ?", (blob(tid),))
        pg.put_stamp("policy_term", tid, DELETED, c.hlc)
        return True
    p = dict(c.payload)
    p["vehicle_id"] = pg.canon("vehicle", p.get("vehicle_id"))
    if p["vehicle_id"] is not None and pg.deleted("vehicle", p["vehicle_id"]):
        return False  # a tombstone is final: its vehicle never comes back to wait for
    if not pg.exists("vehicle", p["vehicle_id"]):
        raise Parked
    r = db.execute(f"{_T_SELECT} WHERE id = ?", (blob(tid),)).fetchone()
    if r is not None:
        mine = _term_dict(r)
        if not _term_beats(c.hlc, p.get("source"), pg.stamp("policy_term", tid, ROW), mine["source"]):
            return False
        _put_term(db, tid, _term_values(p, c.hlc), True)
        pg.put_stamp("policy_term", tid, ROW, c.hlc)
        return True
    twin = _term_twin(db, tid, p)
    if twin is None:
        _put_term(db, tid, _term_values(p, c.hlc), False)
        pg.put_stamp("policy_term", tid, ROW, c.hlc)
        return True
    _merge_terms(pg, tid, _term_values(p, c.hlc), c.hlc, twin)
    return True


def _merge_terms(pg: Page, tid: str, values: list, stamp: str, twin: dict) -> None:
    """The same term under two ids (imported on two counters): one row, the smaller id."""
    db = pg.db
    pg.load_stamps([twin["id"]])
    twin_stamp = pg.stamp("policy_term", twin["id"], ROW)
    source = values[TERM_FIELDS.index("source")]
    incoming_wins = _term_beats(stamp, source, twin_stamp, twin["source"])
    winner = values if incoming_wins else [twin[f] for f in TERM_FIELDS]
    newest = max(stamp, twin_stamp)
    if twin["id"] < tid:
        pg.put_alias("policy_term", tid, twin["id"])
        if incoming_wins:
            _put_term(db, twin["id"], winner, True)
        pg.put_stamp("policy_term", twin["id"], ROW, newest)
    else:
        db.execute("DELETE FROM policy_term WHERE id = ?", (blob(twin["id"]),))
        _put_term(db, tid, winner, False)
        pg.put_alias("policy_term", twin["id"], tid)
        pg.put_stamp("policy_term", tid, ROW, newest)


def merge_twin_terms(pg: Page, vehicle_id: str) -> None:
    """After two vehicles became one, terms that were the same term on each become one too."""
    db = pg.db
    rows = [_term_dict(r) for r in db.execute(f"{_T_SELECT} WHERE vehicle_id = ? ORDER BY id", (blob(vehicle_id),))]
    pg.load_stamps([t["id"] for t in rows])
    kept: dict[tuple, dict] = {}
    for t in rows:
        ident = ((t["kind"], t["policy_no"]) if t["policy_no"] else (t["kind"], None, t["start_at"], t["end_at"]))
        if ident not in kept:
            kept[ident] = t
            continue
        first = kept[ident]  # the smaller id (ORDER BY id): it stays
        t_stamp, f_stamp = pg.stamp("policy_term", t["id"], ROW), pg.stamp("policy_term", first["id"], ROW)
        if _term_beats(t_stamp, t["source"], f_stamp, first["source"]):
            _put_term(db, first["id"], [t[f] if f != "vehicle_id" else vehicle_id for f in TERM_FIELDS], True)
        db.execute("DELETE FROM policy_term WHERE id = ?", (blob(t["id"]),))
        pg.put_alias("policy_term", t["id"], first["id"])
        pg.put_stamp("policy_term", first["id"], ROW, max(t_stamp, f_stamp) or f_stamp)


