"""Alembic environment: the engine comes from the caller (`otklik init`) or OTKLIK_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from otklik.db.engine import make_engine
from otklik.db.models import Base
from otklik.settings import Settings

config = context.config


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Leave the dialect DDL of `otklik.db.ddl` (FTS tables, the FTS index) out of comparisons."""
    return not (name or "").startswith(("mentions_fts", "ix_mentions_fts"))


engine = config.attributes.get("engine") or make_engine(Settings().database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=False,
        include_name=include_name,
    )
    context.run_migrations()
