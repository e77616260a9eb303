"""`otklik channel connect/list/check/sandbox`: the brand's own accounts, over actions.channels.

Credentials are read from environment variables (`--credential-env bot_token=TG_TOKEN`), never
from the command line, where they would land in the shell's history."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from sqlalchemy import select

from otklik.actions.brands import get_brand
from otklik.actions.channels import ConnectError, check_channel, connect_account, link_sandbox
from otklik.cli._common import fail, settings_of, store_session
from otklik.cli.sources import credentials_from_env, key_values
from otklik.db.models import Channel, Source
from otklik.sources.registry import networks

channel_app = typer.Typer(help="The brand's own accounts: connect, verify, list.",
                          no_args_is_help=True)


def _channel(c: Channel, source: Source | None) -> dict[str, object]:
    return {"id": c.id, "brand_id": c.brand_id, "network": c.network,
            "external_id": c.external_id, "name": c.name, "url": c.url,
            "connected_to": source.network if source else None,
            "capabilities": list(c.capabilities or []), "health": c.health,
            "health_reason": c.health_reason}


@channel_app.command("connect")
def channel_connect(
    ctx: typer.Context, brand: str, network: str,
    credential_env: Annotated[list[str] | None, typer.Option(
        "--credential-env", help="NAME=ENV_VAR: read a credential from the environment")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="KEY=VALUE, e.g. -p chat=@brand_channel for Telegram")] = None,
) -> None:
    """Verify an account at the network and link it as the brand's channel (prints JSON)."""
    credentials = credentials_from_env(credential_env)
    with store_session(ctx) as s:
        try:
            done = connect_account(s, settings_of(ctx), brand_id=get_brand(s, brand).id,
                                   network=network, credentials=credentials,
                                   params=key_values(param, "--param"), actor="cli")
        except ConnectError as exc:
            fail(str(exc), 1)
        channel = s.get(Channel, done.channel_ids[0])
        assert channel is not None  # just linked in this session
        typer.echo(json.dumps(_channel(channel, s.get(Source, done.source_id)),
                              ensure_ascii=False))


@channel_app.command("sandbox")
def channel_sandbox(ctx: typer.Context, brand: str, network: str, account: str,
                    name: str = "") -> None:
    """Link a brand channel to the sandbox network (practice: nothing leaves the machine)."""
    with store_session(ctx) as s:
        done = link_sandbox(s, brand_id=get_brand(s, brand).id,
                            channels=[(network, account, name or account)], actor="cli")
        channel = s.get(Channel, done.channel_ids[0])
        assert channel is not None  # just linked in this session
        typer.echo(json.dumps(_channel(channel, s.get(Source, done.source_id)),
                              ensure_ascii=False))


@channel_app.command("list")
def channel_list(ctx: typer.Context, brand: Annotated[str | None, typer.Argument()] = None
                 ) -> None:
    """The brand's channels with what they can do and their health (JSON lines)."""
    with store_session(ctx) as s:
        query = select(Channel).order_by(Channel.id)
        if brand:
            query = query.where(Channel.brand_id == get_brand(s, brand).id)
        for c in s.scalars(query):
            source = s.get(Source, c.source_id) if c.source_id else None
            typer.echo(json.dumps(_channel(c, source), ensure_ascii=False))


@channel_app.command("check")
def channel_check(ctx: typer.Context, channel_id: int) -> None:
    """Verify a channel's account again (a revoked token turns its health red); exit 1 if not ok."""
    with store_session(ctx) as s:
        c = check_channel(s, settings_of(ctx), channel_id, actor="cli")
        typer.echo(json.dumps(_channel(c, s.get(Source, c.source_id) if c.source_id else None),
                              ensure_ascii=False))
        healthy = c.health == "ok"
    if not healthy:
        raise typer.Exit(1)


@channel_app.command("networks")
def channel_networks() -> None:
    """What each network needs to connect (the connect form's fields)."""
    for cls in networks().values():
        typer.echo(json.dumps({
            "network": cls.network, "label": cls.label, "sandbox": cls.sandbox,
            "capabilities": sorted(cls.capabilities),
            "credentials": [{"name": f.name, "label": f.label, "help": f.help,
                             "required": f.required} for f in cls.credential_fields],
            "params": [{"name": f.name, "label": f.label, "help": f.help}
                       for f in cls.connect_fields]}, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(channel_app, name="channel")
