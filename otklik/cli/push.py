"""`otklik push connect SOURCE_ID --url https://desk.example.org`: real-time events from a VK
community (Callback API) or a Telegram bot (webhook) instead of waiting for the next poll."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from otklik.actions.push_setup import PushSetupError, connect_push, disconnect_push
from otklik.cli._common import fail, settings_of, store_session

push_app = typer.Typer(help="Real-time push from VK and Telegram to this desk.",
                       no_args_is_help=True)


@push_app.command("connect")
def push_connect(
    ctx: typer.Context, source_id: int,
    url: Annotated[str, typer.Option(help="The desk's public address, e.g. "
                                          "https://desk.example.org")],
    confirmation: Annotated[str | None, typer.Option(
        help="VK: the confirmation code from Manage → API usage → Callback API, when the "
             "community token may not manage the community (then add the server by hand)")] = None,
) -> None:
    """Give the source a push secret and register the push URL at the network (prints JSON)."""
    with store_session(ctx) as s:
        try:
            done = connect_push(s, settings_of(ctx), source_id, public_url=url, actor="cli",
                                confirmation=confirmation)
        except LookupError as exc:
            fail(str(exc))
        except PushSetupError as exc:
            fail(str(exc), 1)
    out: dict[str, object] = {"source_id": done.source_id, "network": done.network,
                              "url": done.url, "registered": done.registered}
    if done.secret:  # the person enters it at VK once; it is not shown again
        out["secret_key"] = done.secret
        out["next"] = ("VK → Manage → API usage → Callback API: add the server with this url "
                       "and secret_key, API version 5.199, and tick the wall comment, wall post "
                       "and incoming message events")
    typer.echo(json.dumps(out, ensure_ascii=False))


@push_app.command("stop")
def push_stop(ctx: typer.Context, source_id: int) -> None:
    """Turn push off: the network stops pushing and the source is polled as before."""
    with store_session(ctx) as s:
        try:
            done = disconnect_push(s, settings_of(ctx), source_id, actor="cli")
        except LookupError as exc:
            fail(str(exc))
        except PushSetupError as exc:
            fail(str(exc), 1)
    typer.echo(json.dumps({"source_id": done.source_id, "network": done.network,
                           "push": False}))


def register(app: typer.Typer) -> None:
    app.add_typer(push_app, name="push")
