"""Settings: one class, read from the environment (OTKLIK_ prefix), passed in — never a global."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Everything configurable about one otklik installation."""

    model_config = SettingsConfigDict(env_prefix="OTKLIK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///./otklik.db",
        description="SQLAlchemy URL: sqlite:///path or postgresql+psycopg://…",
    )
    broker_url: str | None = Field(
        default=None, description="Celery broker (redis://… or amqp://…); unset = embedded mode"
    )
    secret_key: str = Field(
        default="change-me-in-production", description="Signs session cookies and CSRF tokens"
    )
    data_dir: Path = Field(default=Path("./otklik-data"), description="Rejects files, exports")
    db_pool_size: int = Field(default=5, description="Connections per process (PostgreSQL)")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
