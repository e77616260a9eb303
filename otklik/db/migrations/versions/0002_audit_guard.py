"""audit guard: refuse REPLACE INTO an existing audit row on SQLite

Revision ID: 0002
Revises: 0001

SQLite's REPLACE (and INSERT OR REPLACE) deletes the conflicting row without firing the DELETE
trigger unless the connection set `PRAGMA recursive_triggers=ON`, a per-connection setting any
other client can leave off. A BEFORE INSERT trigger that refuses an existing id is in the schema
itself, so it holds for every connection.

PostgreSQL has no REPLACE; its nearest form, INSERT ... ON CONFLICT DO UPDATE, fires the row-level
BEFORE UPDATE trigger of 0001 (`audit_events_append_only`) and is refused there, so no new object
is needed on PostgreSQL. (A table owner can still disable triggers: see the README on the
application role.)
"""

from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

SQLITE_NO_REPLACE = """CREATE TRIGGER IF NOT EXISTS audit_events_no_replace
    BEFORE INSERT ON audit_events
    WHEN EXISTS (SELECT 1 FROM audit_events WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_NO_REPLACE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_replace")
