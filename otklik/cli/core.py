"""Core commands: init, import, brand, mentions search, stats."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.brands import BrandError, create_brand
from otklik.actions.imports import import_file
from otklik.actions.unit import transaction
from otklik.cli._common import fail, settings_of
from otklik.db.engine import open_store
from otklik.db.migrate import upgrade
from otklik.db.models import Brand
from otklik.db.roles import grant_app_role
from otklik.domain.enrichment import Enricher
from otklik.figures.stats import store_stats
from otklik.flow.importers import UnreadableFile, parse_time
from otklik.flow.wiring import build_enrichers

console = Console()
brand_app = typer.Typer(help="Brands and their queries.", no_args_is_help=True)
mentions_app = typer.Typer(help="Search the stored mentions.", no_args_is_help=True)


def init(
    ctx: typer.Context,
    app_role: Annotated[str | None, typer.Option(
        help="PostgreSQL: also create (or re-grant) this non-owner role for the desk to "
        "connect as: it cannot UPDATE, DELETE or TRUNCATE the audit log, nor DELETE mentions")
    ] = None,
    app_password: Annotated[str | None, typer.Option(
        envvar="OTKLIK_APP_ROLE_PASSWORD", help="The role's password (default: a random one "
        "for a new role, printed once; an existing role keeps its own)")] = None,
) -> None:
    """Create or upgrade the store named by OTKLIK_DATABASE_URL (as the schema's owner)."""
    settings = settings_of(ctx)
    engine, _ = open_store(settings)
    upgrade(engine)
    console.print(f"store ready: {engine.url.render_as_string(hide_password=True)}")
    if app_role is None:
        return
    try:
        password = grant_app_role(engine, app_role, app_password)
    except ValueError as exc:
        fail(str(exc))
    console.print(f"application role {app_role}: granted (no UPDATE/DELETE/TRUNCATE on "
                  "audit_events, no DELETE on mentions)")
    if password and not app_password:
        typer.echo(f"its password (shown once): {password}")
        typer.echo("connect the desk with OTKLIK_DATABASE_URL="
                   + engine.url.set(username=app_role, password="PASSWORD")
                   .render_as_string(hide_password=False))


def import_(
    ctx: typer.Context,
    file: Path,
    fmt: Annotated[str | None, typer.Option("--format", help="jsonl or csv")] = None,
    encoding: Annotated[str, typer.Option(help="Text encoding of the file")] = "utf-8",
    network: Annotated[str, typer.Option(help="Network for rows without one")] = "file",
    map_: Annotated[list[str] | None, typer.Option("--map", help="FIELD=COLUMN")] = None,
    skip_bad: Annotated[bool, typer.Option(help="Store good rows, write bad ones aside")] = False,
    rejects: Annotated[Path | None, typer.Option(help="Where bad rows go")] = None,
    enrich: Annotated[bool, typer.Option(help="Run enrichment (language, sentiment…)")] = True,
) -> None:
    """Import mentions from a JSON Lines or CSV file (DESIGN.md field names by default)."""
    settings = settings_of(ctx)
    mapping: dict[str, str] = {}
    for item in map_ or []:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            fail(f"--map {item!r}: expected FIELD=COLUMN")
        mapping[field.strip()] = column.strip()
    if rejects is None and skip_bad:
        rejects = file.with_name(file.name + ".rejects.jsonl")
    _, sessions = open_store(settings)
    enrichers = _enrichers(sessions) if enrich else []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task(f"importing {file.name}", total=None)
        try:
            report = import_file(
                sessions, file, fmt=fmt, encoding=encoding, mapping=mapping, network=network,
                skip_bad=skip_bad, rejects=rejects, enrichers=enrichers,
                progress=lambda n: bar.advance(task, n),
            )
        except (UnreadableFile, LookupError) as exc:
            fail(str(exc))
    for bad in report.bad[:20]:
        typer.echo(f"{file}:{bad.line}: {bad.reason}", err=True)
    if len(report.bad) > 20:
        typer.echo(f"… and {len(report.bad) - 20} more bad rows", err=True)
    if report.bad and not skip_bad:
        fail(f"{len(report.bad)} bad row(s) of {report.rows}: nothing imported "
             "(fix them, or pass --skip-bad to import the good rows)")
    console.print(
        f"{file}: {report.inserted} new, {report.updated} updated, {report.unchanged} unchanged"
        + (f", {len(report.bad)} rejected → {rejects}" if report.bad else "")
    )


def _enrichers(sessions: sessionmaker[Session]) -> list[Enricher]:
    with transaction(sessions) as session:
        return build_enrichers(session)


@brand_app.command("add")
def brand_add(
    ctx: typer.Context,
    name: str,
    query: Annotated[list[str] | None, typer.Option("--query", "-q", help="Brand query")] = None,
    slug: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a brand with its queries."""
    _, sessions = open_store(settings_of(ctx))
    try:
        with transaction(sessions) as session:
            brand = create_brand(session, name, slug=slug, queries=query or [], actor="cli")
            console.print(f"brand {brand.slug} (id {brand.id}) with {len(query or [])} queries")
    except BrandError as exc:
        fail(str(exc))
    except ValueError as exc:  # the query language's errors carry their position
        fail(str(exc))


@brand_app.command("list")
def brand_list(ctx: typer.Context) -> None:
    """List brands and their queries."""
    _, sessions = open_store(settings_of(ctx))
    table = Table("id", "slug", "name", "queries")
    with transaction(sessions) as session:
        for brand in session.scalars(select(Brand).order_by(Brand.id)):
            table.add_row(str(brand.id), brand.slug, brand.name,
                          "\n".join(q.text for q in brand.queries))
    console.print(table)


@mentions_app.command("search")
def mentions_search(
    ctx: typer.Context,
    text: Annotated[str | None, typer.Argument(help="Full-text words")] = None,
    query: Annotated[str | None, typer.Option("--query", "-q", help="Brand query")] = None,
    brand: Annotated[str | None, typer.Option(help="Brand slug")] = None,
    network: Annotated[str | None, typer.Option()] = None,
    sentiment: Annotated[str | None, typer.Option()] = None,
    since: Annotated[str | None, typer.Option(help="ISO time")] = None,
    until: Annotated[str | None, typer.Option(help="ISO time")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON Lines output")] = False,
) -> None:
    """Search mentions: full text and/or the brand query language, with filters."""
    from otklik.query.search import SearchError, search_mentions

    _, sessions = open_store(settings_of(ctx))
    try:
        since_t: datetime | None = parse_time(since, "--since") if since else None
        until_t: datetime | None = parse_time(until, "--until") if until else None
        with transaction(sessions) as session:
            found = search_mentions(
                session, text=text, query=query, brand=brand, network=network,
                sentiment=sentiment, since=since_t, until=until_t, limit=limit,
            )
            rows: list[dict[str, Any]] = [
                {"id": m.id, "network": m.network, "external_id": m.external_id,
                 "created_at": m.created_at.isoformat(), "sentiment": m.sentiment,
                 "author": m.author.handle if m.author else None, "text": m.text}
                for m in found
            ]
    except (SearchError, ValueError) as exc:
        fail(str(exc))
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table("id", "when", "network", "sentiment", "author", "text")
    for row in rows:
        table.add_row(str(row["id"]), str(row["created_at"])[:16], row["network"],
                      row["sentiment"] or "", row["author"] or "", row["text"][:120])
    console.print(table)


def stats(ctx: typer.Context) -> None:
    """What the store holds."""
    _, sessions = open_store(settings_of(ctx))
    with transaction(sessions) as session:
        typer.echo(json.dumps(store_stats(session), ensure_ascii=False, indent=2))


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("import")(import_)
    app.command("stats")(stats)
    app.add_typer(brand_app, name="brand")
    app.add_typer(mentions_app, name="mentions")
