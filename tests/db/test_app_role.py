"""The PostgreSQL application role: it runs the desk but cannot rewrite the audit log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from otklik.actions.audit import record
from otklik.actions.unit import transaction
from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.roles import grant_app_role
from otklik.flow.pipeline import ingest
from tests.conftest import PG_URL
from tests.factories import make_post


@pytest.fixture
def app_role(pg_store: Any) -> Iterator[tuple[Any, str]]:
    role = f"otk_app_{uuid.uuid4().hex[:8]}"
    yield pg_store, role
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP OWNED BY {role}")
        conn.exec_driver_sql(f"DROP ROLE IF EXISTS {role}")
    admin.dispose()


def test_the_app_role_writes_but_cannot_rewrite(app_role: tuple[Any, str]) -> None:
    store, role = app_role
    password = grant_app_role(store.engine, role)
    assert password  # created now, with a random password
    assert grant_app_role(store.engine, role) is None  # again (after an upgrade): no new one
    as_app = make_engine(make_url(store.url).set(username=role, password=password)
                         .render_as_string(hide_password=False))
    try:
        with transaction(make_sessionmaker(as_app)) as s:
            ingest(s, [make_post(text="Зерно: кофе остыл")])
            record(s, "alice@example.com", "case.transition", "case", 1, to="resolved")
        for statement in ("UPDATE audit_events SET actor = 'mallory'",
                          "DELETE FROM audit_events", "TRUNCATE audit_events",
                          "ALTER TABLE audit_events DISABLE TRIGGER ALL",
                          "DELETE FROM mentions", "TRUNCATE mentions CASCADE",
                          "UPDATE alembic_version SET version_num = 'x'"):
            with pytest.raises(DBAPIError, match="permission denied|must be owner"), \
                    as_app.begin() as conn:
                conn.execute(text(statement))
        with as_app.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM mentions")).scalar_one() == 1
            assert conn.execute(text("SELECT actor FROM audit_events")).scalars().all() == [
                "alice@example.com"]
    finally:
        as_app.dispose()


def test_bad_role_names_and_sqlite_are_refused(sqlite_store: Any) -> None:
    with pytest.raises(ValueError, match="PostgreSQL feature"):
        grant_app_role(sqlite_store.engine, "otklik_app")


def test_a_role_name_that_is_sql_is_refused(pg_store: Any) -> None:
    with pytest.raises(ValueError, match="lower-case letters"):
        grant_app_role(pg_store.engine, 'x"; DROP TABLE mentions; --')


def test_init_creates_the_role(app_role: tuple[Any, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from otklik.cli import app

    store, role = app_role
    monkeypatch.setenv("OTKLIK_DATABASE_URL", store.url)
    done = CliRunner().invoke(app, ["init", "--app-role", role])
    assert done.exit_code == 0, done.output
    assert "its password (shown once)" in done.output and f"{role}:PASSWORD@" in done.output
    again = CliRunner().invoke(app, ["init", "--app-role", role])
    assert again.exit_code == 0 and "shown once" not in again.output
