"""`otklik demo`: build the demo scenario into the store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from otklik.cli._common import settings_of
from otklik.db.engine import open_store
from otklik.db.migrate import upgrade
from otklik.demo.build import build_demo

console = Console()


def demo(
    ctx: typer.Context,
    seed: Annotated[int, typer.Option(help="Random seed of the scenario")] = 7,
) -> None:
    """Build a realistic demo: two brands, two weeks of mentions, an incident, an attack."""
    engine, sessions = open_store(settings_of(ctx))
    upgrade(engine)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("demo mentions", total=None)
        report = build_demo(sessions, seed=seed, progress=lambda n: bar.advance(task, n))
    console.print(f"demo: {report.mentions} mentions for brands {', '.join(report.brands)}")
    for step, value in report.steps.items():
        console.print(f"  {step}: {value}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
