"""`otklik secrets rotate`: re-seal the stored network credentials under a new secret key.

Set the new `OTKLIK_SECRET_KEY`, keep the old one in another environment variable, run
`otklik secrets rotate --old-key-env OLD_OTKLIK_SECRET_KEY`, then drop the old one."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from otklik.actions.channels import rotate_credentials
from otklik.cli._common import fail, settings_of, store_session
from otklik.db.secrets import CannotOpen

secrets_app = typer.Typer(help="Stored credentials: rotate the key they are sealed with.",
                          no_args_is_help=True)


@secrets_app.command("rotate")
def rotate(
    ctx: typer.Context,
    old_key_env: Annotated[str, typer.Option(
        help="Environment variable holding the previous OTKLIK_SECRET_KEY")],
) -> None:
    """Re-seal every source's credentials from the old key to the current OTKLIK_SECRET_KEY."""
    old = os.environ.get(old_key_env)
    if not old:
        fail(f"--old-key-env {old_key_env}: environment variable {old_key_env} is not set")
    new = settings_of(ctx).secret_key
    with store_session(ctx) as s:
        try:
            count = rotate_credentials(s, old_key=old, new_key=new, actor="cli")
        except CannotOpen as exc:
            fail(f"{exc} (neither the old nor the new key opens a row)", 1)
    typer.echo(f"credentials of {count} sources re-sealed under the current key")


def register(app: typer.Typer) -> None:
    app.add_typer(secrets_app, name="secrets")
