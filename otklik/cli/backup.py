"""`otklik backup FILE` and `otklik restore FILE`: the whole store, audit log included."""

from __future__ import annotations

from pathlib import Path

import typer

from otklik.actions.backup import BackupError, backup, restore
from otklik.cli._common import fail, settings_of


def backup_cmd(ctx: typer.Context, file: Path) -> None:
    """Back up the store (SQLite: online backup API, safe while the desk runs; PostgreSQL:
    pg_dump custom format)."""
    try:
        backup(settings_of(ctx).database_url, file)
    except BackupError as exc:
        fail(str(exc))
    typer.echo(f"backup written: {file}")


def restore_cmd(ctx: typer.Context, file: Path) -> None:
    """Restore a backup into an empty store (a new SQLite file or an empty PostgreSQL
    database), then upgrade it to this version."""
    try:
        restore(settings_of(ctx).database_url, file)
    except BackupError as exc:
        fail(str(exc))
    typer.echo(f"restored from {file}")


def register(app: typer.Typer) -> None:
    app.command("backup")(backup_cmd)
    app.command("restore")(restore_cmd)
