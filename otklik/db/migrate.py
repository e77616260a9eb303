"""Run the Alembic migrations programmatically (what `otklik init` does)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the store to the given revision (idempotent)."""
    command.upgrade(alembic_config(engine), revision)


def script_heads() -> frozenset[str]:
    """The revisions the migration scripts end at."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return frozenset(ScriptDirectory.from_config(cfg).get_heads())


def store_heads(engine: Engine) -> frozenset[str]:
    """The revisions the store is at (empty for a store never initialised)."""
    with engine.connect() as conn:
        return frozenset(MigrationContext.configure(conn).get_current_heads())
