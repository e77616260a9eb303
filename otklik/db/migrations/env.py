"""Alembic environment: the engine comes from the caller (`otklik init`) or OTKLIK_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from otklik.db.engine import make_engine
from otklik.db.models import Base
from otklik.settings import Settings

config = context.config
engine = config.attributes.get("engine") or make_engine(Settings().database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=False,
    )
    context.run_migrations()
