"""A PostgreSQL application role that cannot rewrite history.

The audit log's triggers stop UPDATE, DELETE and TRUNCATE, but the table's owner (or a
superuser) can disable triggers. So the desk should connect as a role that owns nothing: it
may read and write what the desk needs, INSERT into `audit_events` but never UPDATE, DELETE or
TRUNCATE it, and never DELETE a mention (nothing is ever deleted at the source, nor here).
Migrations keep running as the owner (`otklik init`), which grants again after each upgrade.
"""

from __future__ import annotations

import re
import secrets

from psycopg import sql
from sqlalchemy import Engine

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
# (table, privileges the application role must not have)
WITHHELD = {"audit_events": ("UPDATE", "DELETE", "TRUNCATE"), "mentions": ("DELETE", "TRUNCATE"),
            "alembic_version": ("INSERT", "UPDATE", "DELETE", "TRUNCATE")}


def grant_app_role(engine: Engine, role: str, password: str | None = None) -> str | None:
    """Create `role` if needed (LOGIN; a random password when none is given) and grant it the
    desk's privileges on the store's schema; returns the password it set, if it set one."""
    if engine.dialect.name != "postgresql":
        raise ValueError("an application role is a PostgreSQL feature; SQLite has no roles")
    if not ROLE_NAME.match(role):
        raise ValueError(f"role {role!r}: use lower-case letters, digits and _ (max 63)")
    who = sql.Identifier(role)
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        assert raw is not None  # a live psycopg connection
        schema = sql.Identifier(conn.exec_driver_sql("SELECT current_schema()").scalar_one())
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_roles WHERE rolname = %(r)s", {"r": role}).scalar()
        if not exists:
            password = password or secrets.token_urlsafe(24)
            raw.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                who, sql.Literal(password)))
        elif password:
            raw.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(who, sql.Literal(password)))
        statements = [
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, who),
            sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}")
            .format(schema, who),
            sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, who),
            sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {} FROM {}")
            .format(schema, who),
        ]
        for table, privileges in WITHHELD.items():
            statements.append(sql.SQL("REVOKE {} ON {}.{} FROM {}").format(
                sql.SQL(", ").join(sql.SQL(p) for p in privileges), schema,
                sql.Identifier(table), who))
        for statement in statements:
            raw.execute(statement)  # composed, so a password or name is never spliced as text
    return None if exists and not password else password
