"""Helpers every command module shares: settings from the context, clean errors, input files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import typer

from otklik.settings import Settings


def settings_of(ctx: typer.Context) -> Settings:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


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
