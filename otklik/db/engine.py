"""Engine and session factories for both stores: SQLite (WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import json
from itertools import repeat
from json.encoder import encode_basestring_ascii
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker

from otklik.settings import Settings


def make_engine(url: str, *, pool_size: int = 5, echo: bool = False) -> Engine:
    """An engine tuned for its dialect: SQLite gets WAL, foreign keys and a busy timeout."""
    kwargs: dict[str, Any] = {"echo": echo, "future": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        kwargs["json_serializer"] = _json_dumps
        database = make_url(url).database
        if database and database != ":memory:":
            # A file's connection costs a handle, not a server process: no request ever waits
            # for one (with 5 + 10, fifty busy desk users froze the web app in load tests).
            kwargs.update(pool_size=pool_size, max_overflow=-1)
    else:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


_json_encode = json.JSONEncoder().encode  # exactly what json.dumps(value) does by default


def _json_dumps(value: Any) -> str:
    """The text json.dumps(value) gives, quicker for what ingest stores most: None (a JSON column
    holding None stores "null", SQLAlchemy's rule) and lists of strings (hashtags, @mentions)."""
    if value is None:
        return "null"
    if type(value) is list and all(map(isinstance, value, repeat(str))):
        return "[" + ", ".join(map(encode_basestring_ascii, value)) + "]"
    return _json_encode(value)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def open_store(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """The engine and session factory for the store named in the settings."""
    engine = make_engine(settings.database_url, pool_size=settings.db_pool_size)
    return engine, make_sessionmaker(engine)
