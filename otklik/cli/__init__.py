"""The `otklik` command line (Typer). Each module in this package adds its commands.

A module defines `register(app)`; this package finds them all, so adding a command group never
means editing a shared list. Commands are thin: they parse, call core functions, print.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer
from sqlalchemy.exc import DBAPIError

from otklik.cli._common import store_problem
from otklik.settings import Settings

app = typer.Typer(
    name="otklik",
    help="otklik — reputation desk for brands in social networks.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(ctx: typer.Context) -> None:
    """Settings are read once here and handed to every command through the context."""
    ctx.obj = Settings()


def _register_all() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def main() -> None:
    """The console script: a store that was never initialised (or is unreachable) is a message,
    not a `no such table` traceback."""
    try:
        app()
    except DBAPIError:
        problem = store_problem(Settings())
        if problem is None:
            raise
        typer.echo(f"error: {problem}", err=True)
        sys.exit(1 if problem.startswith("cannot reach") else 2)
