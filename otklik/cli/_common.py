"""Helpers every command module shares: settings from the context, clean errors, input files."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from otklik.actions.brands import BrandError
from otklik.actions.send import SendRefused
from otklik.actions.unit import transaction
from otklik.db.engine import make_engine, open_store
from otklik.db.migrate import script_heads, store_heads
from otklik.settings import Settings

ActorOpt = Annotated[str, typer.Option("--actor", help="Who does this (for the audit log)")]
DEFAULT_ACTOR = f"cli:{getpass.getuser()}"
# what a command's own input can cause (IllegalTransition, QuerySyntaxError and TemplateInvalid
# are ValueErrors): a message and exit code 2, never a traceback
EXPECTED = (LookupError, ValueError, SendRefused, BrandError)


def settings_of(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def store_problem(settings: Settings) -> str | None:
    """Why commands cannot use the configured store (unreachable, never initialised, older
    than this version), or None when it is fine and a database error has another cause."""
    engine = make_engine(settings.database_url)
    where = engine.url.render_as_string(hide_password=True)
    try:
        current = store_heads(engine)
    except DBAPIError as exc:
        return f"cannot reach the store at {where}: {str(exc.orig).splitlines()[0][:200]}"
    finally:
        engine.dispose()
    if not current:
        return f"the store at {where} was never initialised: run otklik init"
    if current != script_heads():
        return f"the store at {where} is older than this version: run otklik init to upgrade it"
    return None


def fail(message: str, code: int = 2) -> NoReturn:
    """Exit with a message on stderr and no traceback (2 = bad input)."""
    typer.echo(f"error: {message}", err=True)  # plain: never wrapped, easy to grep
    raise typer.Exit(code)


def read_lines(path: str | None) -> Iterator[tuple[int, str]]:
    """Numbered text lines from a file or '-' (stdin); a bad encoding is a clean error."""
    if path in (None, "-"):
        stream = sys.stdin.buffer
        name = "<stdin>"
    else:
        p = Path(path)
        if not p.exists():
            fail(f"{path}: no such file")
        stream = p.open("rb")
        name = path
    try:
        for number, raw in enumerate(stream, start=1):
            try:
                yield number, raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                fail(f"{name}:{number}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


@contextmanager
def store_session(ctx: typer.Context) -> Iterator[Session]:
    """A session on the configured store, committed on success (`otklik.actions.unit`);
    expected errors exit 2."""
    _, sessions = open_store(settings_of(ctx))
    try:
        with transaction(sessions) as session:
            yield session
    except EXPECTED as exc:
        fail(str(exc))


def parse_when(value: str | None, name: str) -> datetime | None:
    """An ISO date/time option (naive = UTC), or a clean error naming the option."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--{name} {value!r}: expected an ISO date/time such as 2026-11-25T10:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
