"""Shared test fixtures: isolated stores on SQLite and the real PostgreSQL, no internet."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session, sessionmaker

from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.migrate import upgrade

PG_URL = os.environ.get("OTKLIK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    host = address[0] if isinstance(address, tuple) else address
    if self.family in (socket.AF_INET, socket.AF_INET6) and host not in (
        "127.0.0.1", "::1", "localhost", "0.0.0.0",
    ):
        raise RuntimeError(f"tests may not reach the internet (tried {address!r})")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@dataclass
class Store:
    """A migrated, empty store of its own: the engine, a session factory and its URL."""

    engine: Engine
    sessions: sessionmaker[Session]
    url: str
    dialect: str


def _sqlite_store(tmp_path: Any) -> Iterator[Store]:
    url = f"sqlite:///{tmp_path}/otklik-test.db"
    engine = make_engine(url)
    upgrade(engine)
    yield Store(engine, make_sessionmaker(engine), url, "sqlite")
    engine.dispose()


def _pg_store() -> Iterator[Store]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url, pool_size=2)
    upgrade(engine)
    try:
        yield Store(engine, make_sessionmaker(engine), url, "postgresql")
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[Store]:
    """Each test runs once on SQLite and once on PostgreSQL, in a store of its own."""
    gen = _sqlite_store(tmp_path) if request.param == "sqlite" else _pg_store()
    yield from gen


@pytest.fixture
def sqlite_store(tmp_path: Any) -> Iterator[Store]:
    yield from _sqlite_store(tmp_path)


@pytest.fixture
def pg_store() -> Iterator[Store]:
    yield from _pg_store()
