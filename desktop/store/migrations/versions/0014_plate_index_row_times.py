"""Plates found through the plate column, vehicle.created_at and customer.updated_at as epoch seconds

Measured on a packed 20,000-vehicle demo store at 0012 (dbstat, plain copy), bytes a vehicle:
- search_key's "P" rows (plate text + the 16-byte vehicle id, ~31 B) repeated vehicle.plate,
  whose index import matching needs anyway: ix_vehicle_plate becomes partial (live vehicles
  only: every reader asks for deleted = 0) and lookups, prefix scans and the register duplicate
  check ask it (desktop.store.vehicles_repo). A P key stays only where the stored plate is not
  its own normal form (an old import's "京a 12345"), which the column cannot find by that form.
- vehicle.created_at and customer.updated_at were 25-character ISO texts (~42 B together); they
  become epoch seconds in ISOTIME columns (desktop.store.timecol: read back as the same text),
  converted as 0012 converted term times; text naming no instant stays text.
vehicle and customer are rebuilt (copy, drop, rename, indexes) in desktop.store.migrate's one
transaction with foreign keys off; work_index's triggers are installed again after it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
import importlib

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_epoch = importlib.import_module("desktop.store.migrations.versions.0012_term_times_epoch")

_TABLES = {
    "customer": ("id UUIDBLOB NOT NULL, name TEXT, phone TEXT, id_number TEXT, address TEXT, "
                 "consent_contact INTEGER NOT NULL, consent_mail INTEGER NOT NULL, notes TEXT, hlc TEXT, "
                 "updated_at {t}, deleted INTEGER NOT NULL, CONSTRAINT pk_customer PRIMARY KEY (id)",
                 "updated_at",
                 ["CREATE INDEX ix_customer_id_number ON customer (id_number)",
                  "CREATE INDEX ix_customer_name_phone ON customer (name, phone)"]),
    "vehicle": ("id UUIDBLOB NOT NULL, plate TEXT, vin TEXT, vehicle_class TEXT, use TEXT, seats INTEGER, "
                "energy TEXT, registered_on TEXT, owner_id UUIDBLOB, created_at {t}, deleted INTEGER NOT NULL, "
                "FOREIGN KEY(owner_id) REFERENCES customer (id), CONSTRAINT pk_vehicle PRIMARY KEY (id)",
                "created_at",
                ["CREATE INDEX ix_vehicle_plate ON vehicle (plate){plate_where}",
                 "CREATE INDEX ix_vehicle_vin ON vehicle (vin)",
                 "CREATE INDEX ix_vehicle_owner_id ON vehicle (owner_id)"]),
}
_LIVE = " WHERE deleted = 0"


def _rebuild(table: str, time_type: str, convert, plate_where: str) -> None:
    ddl, time_col, indexes = _TABLES[table]
    cols = [c.split(" ")[0] for c in ddl.split(", ") if not c.startswith(("FOREIGN", "CONSTRAINT"))]
    exprs = ", ".join(convert(c) if c == time_col else c for c in cols)
    op.execute(f"CREATE TABLE {table}__new ({ddl.format(t=time_type)}) WITHOUT ROWID")
    op.execute(f"INSERT INTO {table}__new ({', '.join(cols)}) SELECT {exprs} FROM {table} ORDER BY id")
    op.execute(f"DROP TABLE {table}")
    op.execute(f"ALTER TABLE {table}__new RENAME TO {table}")
    for sql in indexes:
        op.execute(sql.format(plate_where=plate_where))


def _drop_work_triggers() -> None:
    from desktop.store import work_triggers  # they name vehicle and customer: gone before the rebuild

    work_triggers.drop(op.get_bind())


def upgrade() -> None:
    _drop_work_triggers()  # (desktop.store.migrate has; a step run on its own has not)
    # The P keys a live vehicle's plate column now answers: those equal to 'P' || its stored plate.
    op.execute("DELETE FROM search_key WHERE \"key\" >= 'P' AND \"key\" < 'Q' AND substr(\"key\", 2) = "
               "(SELECT v.plate FROM vehicle v WHERE v.id = search_key.vehicle_id AND v.deleted = 0)")
    _rebuild("customer", "ISOTIME", _epoch._to_seconds, _LIVE)
    _rebuild("vehicle", "ISOTIME", _epoch._to_seconds, _LIVE)


def downgrade() -> None:
    from desktop.core.search_keys import plate_column_key  # the P key every plate had before 0014

    _drop_work_triggers()
    _rebuild("customer", "TEXT", _epoch._to_text, "")
    _rebuild("vehicle", "TEXT", _epoch._to_text, "")
    db = op.get_bind().connection.driver_connection
    rows = db.execute("SELECT CAST(id AS BLOB), plate FROM vehicle WHERE deleted = 0 AND plate IS NOT NULL")
    while batch := rows.fetchmany(20000):
        keys = sorted((k, vid) for vid, plate in batch if (k := plate_column_key(plate)))
        db.executemany("INSERT OR IGNORE INTO search_key(\"key\", vehicle_id) VALUES (?, ?)", keys)
