"""UUIDs as 16-byte BLOBs, one-character search-key kinds, full-pinyin keys, no term created_at

Measured on a 100,000-vehicle demo store (dbstat on a plain copy): 3,170 B a vehicle, of which
~1,760 B were 36-character UUID strings (about 49 of them a vehicle: keys, foreign keys and every
index entry carrying a primary key). As 16 bytes each (desktop.store.uuidcol) they take 17.
Search keys lose their "pl:"-style prefix for one kind character and their index by vehicle (a
second copy of the table: keys are derived again to delete them); policy_term.created_at (a copy
of as_of) goes; every name gains its full-pinyin keys ("F" kind) so `linanjun` finds 林安君.

Tables are rebuilt (copy, drop, rename, indexes) inside desktop.store.migrate's one transaction
with foreign keys off. An id that is not a UUID fails the upgrade (rolled back, store untouched).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
from alembic import op
from sqlalchemy import text

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_ID_COLS = {
    "customer": ("id",),
    "vehicle": ("id", "owner_id"),
    "policy_term": ("id", "vehicle_id"),
    "event": ("id", "vehicle_id", "corrects"),
    "search_key": ("vehicle_id",),
    "letter_log": ("id", "vehicle_id"),
}


def _ddl(u: str, key_index: list[str]) -> dict[str, tuple[str, str, list[str]]]:
    """(columns, suffix, indexes) per table; `u` is the type of a UUID column."""
    return {
        "customer": (f"id {u} NOT NULL, name TEXT, phone TEXT, id_number TEXT, address TEXT, "
                     "consent_contact INTEGER NOT NULL, consent_mail INTEGER NOT NULL, notes TEXT, hlc TEXT, "
                     "updated_at TEXT, deleted INTEGER NOT NULL, CONSTRAINT pk_customer PRIMARY KEY (id)",
                     " WITHOUT ROWID",
                     ["CREATE INDEX ix_customer_id_number ON customer (id_number)",
                      "CREATE INDEX ix_customer_name_phone ON customer (name, phone)"]),
        "vehicle": (f"id {u} NOT NULL, plate TEXT, vin TEXT, vehicle_class TEXT, use TEXT, seats INTEGER, "
                    f"energy TEXT, registered_on TEXT, owner_id {u}, created_at TEXT, deleted INTEGER NOT NULL, "
                    "FOREIGN KEY(owner_id) REFERENCES customer (id), CONSTRAINT pk_vehicle PRIMARY KEY (id)",
                    " WITHOUT ROWID",
                    ["CREATE INDEX ix_vehicle_plate ON vehicle (plate)", "CREATE INDEX ix_vehicle_vin ON vehicle (vin)",
                     "CREATE INDEX ix_vehicle_owner_id ON vehicle (owner_id)"]),
        "policy_term": (f"id {u} NOT NULL, vehicle_id {u} NOT NULL, kind VARCHAR(2) NOT NULL, insurer TEXT, "
                        "policy_no TEXT, start_at TEXT NOT NULL, end_at TEXT NOT NULL, premium TEXT, "
                        "float_coef TEXT, vehicle_tax TEXT, source TEXT NOT NULL, as_of TEXT NOT NULL, "
                        "verified_by TEXT, FOREIGN KEY(vehicle_id) REFERENCES vehicle (id), "
                        "CONSTRAINT pk_policy_term PRIMARY KEY (vehicle_id, id)",
                        " WITHOUT ROWID",
                        ["CREATE UNIQUE INDEX ix_policy_term_id ON policy_term (id)",
                         "CREATE INDEX ix_policy_term_kind_end ON policy_term (kind, end_at)"]),
        "event": (f"id {u} NOT NULL, vehicle_id {u}, kind TEXT NOT NULL, outcome TEXT, detail TEXT, note TEXT, "
                  f"staff TEXT, at TEXT NOT NULL, corrects {u}, PRIMARY KEY (id), "
                  "FOREIGN KEY(vehicle_id) REFERENCES vehicle (id)",
                  "",
                  ["CREATE INDEX ix_event_vehicle_at ON event (vehicle_id, at)",
                   "CREATE INDEX ix_event_kind_at ON event (kind, at)"]),
        "search_key": (f'"key" TEXT NOT NULL, vehicle_id {u} NOT NULL, PRIMARY KEY ("key", vehicle_id)',
                       " WITHOUT ROWID", key_index),
        "letter_log": (f"id {u} NOT NULL, vehicle_id {u} NOT NULL, batch TEXT, printed_at TEXT NOT NULL, "
                       "staff TEXT, ci_end_date TEXT, returned_at TEXT, return_reason TEXT, PRIMARY KEY (id), "
                       "FOREIGN KEY(vehicle_id) REFERENCES vehicle (id)",
                       "",
                       ["CREATE INDEX ix_letter_log_vehicle_id ON letter_log (vehicle_id)"]),
    }


_OLD_KIND = {"pl:": "P", "vin:": "V", "v6:": "6", "ph:": "T", "p4:": "4", "id:": "I", "i4:": "E", "nm:": "N",
             "py:": "Y"}


def _to_blob(col: str) -> str:
    # Idempotent: a value already stored as bytes stays as it is.
    return (f"CASE WHEN {col} IS NULL OR typeof({col}) = 'blob' THEN {col} "
            f"ELSE unhex(replace(lower({col}), '-', '')) END")


def _to_text(col: str) -> str:
    h = f"lower(hex({col}))"
    return (f"CASE WHEN typeof({col}) = 'blob' THEN substr({h}, 1, 8) || '-' || substr({h}, 9, 4) || '-' || "
            f"substr({h}, 13, 4) || '-' || substr({h}, 17, 4) || '-' || substr({h}, 21) ELSE {col} END")


def _column_names(cols: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in cols:  # split on the commas outside parentheses
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    out = []
    for part in parts:
        word = part.split()[0]
        if word in ("FOREIGN", "CONSTRAINT", "PRIMARY"):
            continue
        out.append(word.strip('"'))
    return out


def _rebuild(table: str, spec: tuple[str, str, list[str]], convert, key_expr: str | None = None) -> None:
    cols, suffix, indexes = spec
    names = _column_names(cols)
    exprs = []
    for n in names:
        if n in _ID_COLS[table]:
            exprs.append(convert(n))
        elif n == "key" and key_expr is not None:
            exprs.append(key_expr)
        elif n == "created_at" and table == "policy_term":
            exprs.append("as_of")  # downgrade: the column comes back as the copy of as_of it was
        else:
            exprs.append(f'"{n}"')
    op.execute(f"CREATE TABLE {table}__new ({cols}){suffix}")
    op.execute(f'INSERT INTO {table}__new ({", ".join(chr(34) + n + chr(34) for n in names)}) '
               f"SELECT {', '.join(exprs)} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}__new RENAME TO {table}")
    for ddl in indexes:
        op.execute(ddl)


def _check_ids(bind) -> None:
    for table, cols in _ID_COLS.items():
        for c in cols:
            bad = bind.execute(text(f"SELECT count(*) FROM {table} WHERE {c} IS NOT NULL AND "
                                    f"(typeof({c}) != 'blob' OR length({c}) != 16)")).scalar()
            if bad:
                raise RuntimeError(f"migration 0009: {bad} value(s) of {table}.{c} are not UUIDs")


def _new_key_expr() -> str:
    cases = " ".join(f"WHEN substr(\"key\", 1, {len(p)}) = '{p}' THEN '{k}' || substr(\"key\", {len(p) + 1})"
                     for p, k in _OLD_KIND.items())
    return f'CASE {cases} ELSE "key" END'


def _old_key_expr() -> str:
    cases = " ".join(f"WHEN substr(\"key\", 1, 1) = '{k}' THEN '{p}' || substr(\"key\", 2)" for p, k in _OLD_KIND.items())
    return f'CASE {cases} ELSE "key" END'


def _add_full_pinyin(bind) -> None:
    from desktop.core.search_keys import PINYIN, full_pinyin  # the same derivation the app writes

    db = bind.connection.driver_connection
    rows = db.execute("SELECT v.id, c.name FROM vehicle v JOIN customer c ON c.id = v.owner_id "
                      "WHERE v.deleted = 0 AND c.name IS NOT NULL")
    while batch := rows.fetchmany(20000):
        keys = [(PINYIN + p, vid) for vid, name in batch for p in full_pinyin(name)]
        # The driver reads UUIDBLOB ids back as text: bind them as the bytes they are stored as.
        db.executemany("INSERT OR IGNORE INTO search_key(\"key\", vehicle_id) VALUES (?, ?)",
                       [(k, bytes.fromhex(v.replace("-", ""))) if isinstance(v, str) else (k, v) for k, v in keys])


def upgrade() -> None:
    new = _ddl("UUIDBLOB", [])  # no ix_search_key_vehicle: it was a second copy of the table
    for table in ("customer", "vehicle", "policy_term", "event", "letter_log"):
        _rebuild(table, new[table], _to_blob)
    _rebuild("search_key", new["search_key"], _to_blob, _new_key_expr())
    bind = op.get_bind()
    _check_ids(bind)
    _add_full_pinyin(bind)


def downgrade() -> None:
    old = _ddl("VARCHAR(36)", ["CREATE INDEX ix_search_key_vehicle ON search_key (vehicle_id)"])
    cols, suffix, idx = old["policy_term"]
    old["policy_term"] = (cols.replace("verified_by TEXT, ", "verified_by TEXT, created_at TEXT, "), suffix, idx)
    op.execute("DELETE FROM search_key WHERE substr(\"key\", 1, 1) = 'F'")
    for table in ("customer", "vehicle", "event", "letter_log"):
        _rebuild(table, old[table], _to_text)
    _rebuild("policy_term", old["policy_term"], _to_text)
    _rebuild("search_key", old["search_key"], _to_text, _old_key_expr())
