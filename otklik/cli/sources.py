"""`otklik source add/list/poll`: thin commands over the sources actions."""

from __future__ import annotations

import asyncio
import json
import os
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from otklik.actions.changes import ChangeError, save_source
from otklik.actions.sources import poll_source, source_health
from otklik.actions.unit import transaction
from otklik.cli._common import fail, settings_of
from otklik.db.engine import open_store
from otklik.db.models import Source as SourceRow
from otklik.sources.forms import clean_params
from otklik.sources.registry import source_class

console = Console()
source_app = typer.Typer(help="Connectors: add, list with health, poll now.", no_args_is_help=True)


def credentials_from_env(items: list[str] | None) -> dict[str, str]:
    """`--credential-env NAME=ENV_VAR`: secrets come from the environment, never the command
    line (where they would land in the shell's history)."""
    credentials: dict[str, str] = {}
    for key, var in key_values(items, "--credential-env").items():
        value = os.environ.get(str(var))
        if not value:
            fail(f"--credential-env {key}={var}: environment variable {var} is not set")
        credentials[key] = value
    return credentials


def key_values(items: list[str] | None, option: str) -> dict[str, Any]:
    """KEY=VALUE options; a VALUE that is valid JSON (true, -100500, [..]) is kept typed."""
    out: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"{option} {item!r}: expected KEY=VALUE")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


PROBLEM_WORDS = {"required": "is required", "int": "must be a whole number",
                 "number": "must be a number", "url": "must be an http(s):// address",
                 "bool": "must be true or false", "unknown": "is not a parameter of this kind"}


def declared_params(network: str, kind: str, params: dict[str, Any]) -> dict[str, Any]:
    """Parameters checked and typed by the kind's declaration, as the web form checks them
    (an unknown network or kind is left for `save_source` to name)."""
    try:
        cls = source_class(network)
    except ValueError:
        return params
    if kind not in cls.kinds:
        return params
    spec = cls.kind_spec(kind)
    cleaned, problems = clean_params(spec, params, unknown=False)
    if problems:
        labels = {p.name: p.label_en for p in spec.params}
        known = ", ".join(p.name for p in spec.params)
        fail("; ".join(f"--param {name} ({labels.get(name, '?')}): {PROBLEM_WORDS[code]}"
                       for name, code in problems.items()) + f" (known: {known})")
    return cleaned


@source_app.command("add")
def add(
    ctx: typer.Context,
    network: str,
    kind: str,
    name: str,
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="KEY=VALUE")] = None,
    credential_env: Annotated[list[str] | None, typer.Option(
        "--credential-env", help="KEY=ENV_VAR: read a credential from the environment")] = None,
    interval: Annotated[int, typer.Option(help="Seconds between polls")] = 300,
    brand: Annotated[int | None, typer.Option(help="Brand id")] = None,
    disabled: Annotated[bool, typer.Option(help="Add without polling it")] = False,
) -> None:
    """Add a source, e.g. `otklik source add vk search "VK: Зерно" -p q=Зерно`."""
    credentials = credentials_from_env(credential_env)
    params = declared_params(network, kind, key_values(param, "--param"))
    settings = settings_of(ctx)
    _, sessions = open_store(settings)
    try:
        with transaction(sessions) as session:
            row = save_source(session, "cli", None, name=name, network=network, kind=kind,
                              params=params, credentials=credentials,
                              interval_seconds=interval, enabled=not disabled, brand_id=brand,
                              secret_key=settings.secret_key)
            source_id = row.id
    except ChangeError as exc:
        fail(str(exc))
    console.print(f"source {source_id} added")


@source_app.command("list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line")] = False,
) -> None:
    """Sources with their health: last success, last error, posts/hour, silent."""
    _, sessions = open_store(settings_of(ctx))
    with transaction(sessions) as session:
        rows = session.scalars(select(SourceRow).order_by(SourceRow.id)).all()
        healths = [source_health(session, r.id) for r in rows]
    if as_json:
        for row, h in zip(rows, healths, strict=True):
            print(json.dumps({
                "id": row.id, "network": row.network, "kind": row.kind, "name": row.name,
                "enabled": row.enabled, "interval_seconds": row.interval_seconds,
                "posts_total": row.posts_total, "posts_per_hour": round(h.posts_per_hour, 2),
                "silent": h.silent, "failing": h.failing,
                "last_success_at": h.last_success_at.isoformat() if h.last_success_at else None,
                "last_error": h.last_error}, ensure_ascii=False))
        return
    table = Table("id", "network", "kind", "name", "on", "posts", "per hour", "state",
                  "last success", "last error")
    for row, h in zip(rows, healths, strict=True):
        state = "failing" if h.failing else "silent" if h.silent else "ok"
        table.add_row(str(row.id), row.network, row.kind, row.name, "yes" if row.enabled else "no",
                      str(row.posts_total), f"{h.posts_per_hour:.1f}", state,
                      f"{h.last_success_at:%Y-%m-%d %H:%M}" if h.last_success_at else "-",
                      (h.last_error or "")[:60])
    console.print(table)


@source_app.command("poll")
def poll(
    ctx: typer.Context,
    source_id: int,
    max_pages: Annotated[int, typer.Option(help="Pages to fetch at most")] = 20,
    enrich: Annotated[bool, typer.Option(help="Run enrichment on new mentions")] = True,
) -> None:
    """Poll one source now and print what it stored (exit 1 when the poll failed)."""
    settings = settings_of(ctx)
    _, sessions = open_store(settings)
    with transaction(sessions) as session:
        if session.get(SourceRow, source_id) is None:
            fail(f"no source with id {source_id}")
    enrichers: list[Any] = []
    if enrich:
        from otklik.flow.wiring import build_enrichers

        with transaction(sessions) as session:
            enrichers = list(build_enrichers(session))
    result = asyncio.run(poll_source(sessions, source_id, enrichers=enrichers,
                                     settings=settings, max_pages=max_pages))
    print(json.dumps(asdict(result), ensure_ascii=False, default=str))
    if result.error:
        raise typer.Exit(1)


@source_app.command("discover")
def discover(
    ctx: typer.Context,
    brand: Annotated[str, typer.Option(help="Brand slug or id")],
    source_id: Annotated[int, typer.Option("--source", help="A VK source with a read token")],
) -> None:
    """Find communities named after the brand (VK groups.search) and add them to the registry."""
    from otklik.actions.brands import BrandError, get_brand
    from otklik.actions.discovery import discover_vk
    from otklik.sources.errors import SourceError
    from otklik.sources.registry import build_source, new_client
    from otklik.sources.vk import VKSource

    settings = settings_of(ctx)
    _, sessions = open_store(settings)

    async def run() -> list[str]:
        client = new_client()
        try:
            with transaction(sessions) as session:
                row = session.get(SourceRow, source_id)
                source = build_source(row, settings, client) if row is not None else None
                if not isinstance(source, VKSource):
                    fail(f"source {source_id} is not a VK source")
                added = await discover_vk(session, get_brand(session, brand).id, source,
                                          actor="cli")
                return [f"{c.key}\t{c.stance}\t{c.name}" for c in added]
        finally:
            await client.aclose()

    try:
        for line in asyncio.run(run()):
            print(line)
    except (BrandError, SourceError) as exc:
        fail(str(exc))


def register(app: typer.Typer) -> None:
    app.add_typer(source_app, name="source")
