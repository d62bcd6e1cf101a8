"""customer, vehicle and policy_term as WITHOUT ROWID tables; terms clustered by vehicle

A lookup shows up to 50 vehicles with their owners and terms. As rowid tables each of those rows
cost an index probe plus a row fetch, and in SQLCipher every page read is a page decryption.
Keyed directly by their primary key (and terms by (vehicle_id, id)), each costs one.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_CUSTOMER_COLS = ("id VARCHAR(36) NOT NULL, name TEXT, name_initials TEXT, phone TEXT, id_number TEXT, address TEXT, "
                  "consent_contact INTEGER NOT NULL, consent_mail INTEGER NOT NULL, notes TEXT, hlc TEXT, "
                  "updated_at TEXT, deleted INTEGER NOT NULL")
_VEHICLE_COLS = ("id VARCHAR(36) NOT NULL, plate TEXT, vin TEXT, vehicle_class TEXT, use TEXT, seats INTEGER, "
                 "energy TEXT, registered_on TEXT, owner_id VARCHAR(36), created_at TEXT, deleted INTEGER NOT NULL, "
                 "FOREIGN KEY(owner_id) REFERENCES customer (id)")
_TERM_COLS = ("id VARCHAR(36) NOT NULL, vehicle_id VARCHAR(36) NOT NULL, kind VARCHAR(2) NOT NULL, insurer TEXT, "
              "policy_no TEXT, start_at TEXT NOT NULL, end_at TEXT NOT NULL, premium TEXT, float_coef TEXT, "
              "vehicle_tax TEXT, source TEXT NOT NULL, as_of TEXT NOT NULL, verified_by TEXT, created_at TEXT, "
              "FOREIGN KEY(vehicle_id) REFERENCES vehicle (id)")

_NEW = {
    "customer": (_CUSTOMER_COLS, "CONSTRAINT pk_customer PRIMARY KEY (id)", True,
                 ["CREATE INDEX ix_customer_id_number ON customer (id_number)",
                  "CREATE INDEX ix_customer_name_phone ON customer (name, phone)"]),
    "vehicle": (_VEHICLE_COLS, "CONSTRAINT pk_vehicle PRIMARY KEY (id)", True,
                ["CREATE INDEX ix_vehicle_plate ON vehicle (plate)", "CREATE INDEX ix_vehicle_vin ON vehicle (vin)",
                 "CREATE INDEX ix_vehicle_owner_id ON vehicle (owner_id)"]),
    "policy_term": (_TERM_COLS, "CONSTRAINT pk_policy_term PRIMARY KEY (vehicle_id, id)", True,
                    ["CREATE UNIQUE INDEX ix_policy_term_id ON policy_term (id)",
                     "CREATE INDEX ix_policy_term_kind_end ON policy_term (kind, end_at)"]),
}
_OLD = {
    "customer": (_CUSTOMER_COLS, "PRIMARY KEY (id)", False, _NEW["customer"][3]),
    "vehicle": (_VEHICLE_COLS, "PRIMARY KEY (id)", False, _NEW["vehicle"][3]),
    "policy_term": (_TERM_COLS, "PRIMARY KEY (id)", False,
                    ["CREATE INDEX ix_policy_term_vehicle_id ON policy_term (vehicle_id)",
                     "CREATE INDEX ix_policy_term_kind_end ON policy_term (kind, end_at)"]),
}


def _rebuild(table: str, spec: tuple) -> None:
    # Runs inside desktop.store.migrate's one transaction with foreign keys off: copy, drop, rename,
    # then the indexes (their names are free only once the old table is gone).
    cols, pk, without_rowid, indexes = spec
    names = ", ".join(part.split()[0] for part in cols.split(", ") if not part.startswith("FOREIGN KEY"))
    op.execute(f"CREATE TABLE {table}__new ({cols}, {pk}){' WITHOUT ROWID' if without_rowid else ''}")
    op.execute(f"INSERT INTO {table}__new ({names}) SELECT {names} FROM {table}")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}__new RENAME TO {table}")
    for ddl in indexes:
        op.execute(ddl)


def upgrade() -> None:
    for table in ("customer", "vehicle", "policy_term"):
        _rebuild(table, _NEW[table])


def downgrade() -> None:
    for table in ("policy_term", "vehicle", "customer"):
        _rebuild(table, _OLD[table])
