"""Sources (connector instances with their cursors and health) and dead letters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from otklik.db.base import Base, utcnow


class Source(Base):
    """A connector instance: network + credentials + what to pull + where polling resumes."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="search")  # search, wall, channel, feed…
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)  # query, group id, feed url…
    credentials: Mapped[dict[str, Any]] = mapped_column(default=dict)  # never logged nor shown
    cursor: Mapped[dict[str, Any] | None]
    interval_seconds: Mapped[int] = mapped_column(default=300)
    enabled: Mapped[bool] = mapped_column(default=True)
    # health
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_post_at: Mapped[datetime | None]
    posts_total: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeadLetter(Base):
    """A task that kept failing after its retries: kept for a person to look at and replay."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(200))
    args: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    replayed_at: Mapped[datetime | None]


class SandboxMessage(Base):
    """The sandbox network's own record ("Песочница"): what the brand sent through it and what
    its simulated customers answer. Customers' answers wait here until `due_at`; the sandbox
    source hands every message to the pipeline when it is due, like a network's API would."""

    __tablename__ = "sandbox_messages"
    __table_args__ = (UniqueConstraint("external_id"), UniqueConstraint("idempotency_key"))

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(String(32))  # the thread's network (vk, telegram, x…)
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # reply, private, post
    from_brand: Mapped[bool] = mapped_column(default=True)
    channel_external_id: Mapped[str] = mapped_column(String(200))
    author_external_id: Mapped[str] = mapped_column(String(200))  # who wrote it
    author_name: Mapped[str | None] = mapped_column(String(200))
    parent_external_id: Mapped[str | None] = mapped_column(String(300))
    thread_external_id: Mapped[str | None] = mapped_column(String(300))
    place_external_id: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
