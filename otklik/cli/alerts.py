"""`otklik alert …`: the channels that notify responders (Telegram, e-mail, webhook) (thin).

Bad settings exit with code 2 and a message on stderr; a failed test send exits with code 1.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from otklik.actions import changes
from otklik.actions.brands import get_brand
from otklik.alerts.events import KINDS as ALERT_KINDS
from otklik.alerts.notifiers import NotifyError, build_notifier
from otklik.cli._common import DEFAULT_ACTOR, ActorOpt, fail, store_session
from otklik.db.models import AlertChannel

alert_app = typer.Typer(help="Where responders are alerted.", no_args_is_help=True)


@alert_app.command("add")
def alert_add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="telegram, email or webhook")],
    config: Annotated[str, typer.Option(help="JSON settings, e.g. {\"url\": \"https://…\"}")],
    brand: Annotated[str | None, typer.Option(help="Brand slug or id (default: all)")] = None,
    events: Annotated[list[str] | None, typer.Option("--event", help="Only these kinds")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Add a channel that notifies responders (recorded in the audit log)."""
    try:
        settings = json.loads(config)
    except json.JSONDecodeError as exc:
        fail(f"--config: not JSON ({exc.msg} at position {exc.pos})")
    if not isinstance(settings, dict):
        fail("--config: expected a JSON object")
    try:
        build_notifier(kind, settings)  # checks the kind and the settings it needs
    except ValueError as exc:
        fail(str(exc))
    with store_session(ctx) as s:
        bad = [e for e in events or [] if e not in ALERT_KINDS]
        if bad:
            fail(f"--event {bad[0]!r}: one of {', '.join(ALERT_KINDS)}")
        brand_id = get_brand(s, brand).id if brand else None
        row = changes.add_alert_channel(s, actor, brand_id=brand_id, kind=kind, config=settings,
                                        events=list(events or []))
        typer.echo(f"alert channel {row.id} ({kind})")


@alert_app.command("test")
def alert_test(ctx: typer.Context, channel_id: int) -> None:
    """Send a test message through one alert channel."""
    with store_session(ctx) as s:
        row = s.get(AlertChannel, channel_id)
        if row is None:
            raise LookupError(f"no alert channel {channel_id}")
        try:
            build_notifier(row.kind, row.config or {}).send("[otklik] test", "Alerts work.")
        except NotifyError as exc:
            fail(str(exc), code=1)
        typer.echo("sent")


def register(app: typer.Typer) -> None:
    app.add_typer(alert_app, name="alert")
