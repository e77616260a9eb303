"""Dialect-specific DDL the ORM cannot express: full-text search and the append-only audit log.

Called from the migrations, so both stores get them from `otklik init`.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS mentions_fts USING fts5(
        text, content='mentions', content_rowid='id', tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER IF NOT EXISTS mentions_fts_ai AFTER INSERT ON mentions BEGIN
        INSERT INTO mentions_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER IF NOT EXISTS mentions_fts_au AFTER UPDATE OF text ON mentions BEGIN
        INSERT INTO mentions_fts(mentions_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO mentions_fts(rowid, text) VALUES (new.id, new.text); END""",
]

SQLITE_AUDIT_GUARD = [
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]

PG_FTS = [
    """CREATE INDEX IF NOT EXISTS ix_mentions_fts ON mentions USING gin (
        (to_tsvector('russian', text) || to_tsvector('english', text)))""",
]

PG_AUDIT_GUARD = [
    """CREATE OR REPLACE FUNCTION otklik_append_only() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION otklik_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION otklik_append_only()""",
]


def install(conn: Connection) -> None:
    """Create the full-text index and the audit guard for this connection's dialect."""
    if conn.dialect.name == "sqlite":
        statements = SQLITE_FTS + SQLITE_AUDIT_GUARD
    else:
        statements = PG_FTS + PG_AUDIT_GUARD
    for sql in statements:
        conn.exec_driver_sql(sql)


def uninstall(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for name in ("mentions_fts_ai", "mentions_fts_au", "audit_events_no_update",
                     "audit_events_no_delete"):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        conn.exec_driver_sql("DROP TABLE IF EXISTS mentions_fts")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS otklik_append_only()")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_mentions_fts")
