"""Brands, what counts as their mention (queries), their own channels, templates, alert routes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.db.base import Base, utcnow


class Brand(Base):
    __tablename__ = "brands"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    languages: Mapped[list[str]] = mapped_column(default=lambda: ["ru", "en"])
    sla_minutes: Mapped[int] = mapped_column(default=60)
    # {"tz": "Europe/Moscow", "start": 9, "end": 21, "days": [0, 1, 2, 3, 4]}; empty = 24/7
    working_hours: Mapped[dict[str, Any]] = mapped_column(default=dict)
    follow_up_days: Mapped[float] = mapped_column(default=2.0)
    response_limit_minutes: Mapped[int] = mapped_column(default=120)  # silence detector
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    queries: Mapped[list[BrandQuery]] = relationship(back_populates="brand", cascade="all")
    channels: Mapped[list[Channel]] = relationship(back_populates="brand", cascade="all")


class BrandQuery(Base):
    """One query in the brand query language; a mention matching it belongs to the brand."""

    __tablename__ = "queries"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    brand: Mapped[Brand] = relationship(back_populates="queries")


class Channel(Base):
    """An account the brand owns, through which it replies, writes privately and posts."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("network", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    network: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))  # VK group id, TG chat id, …
    name: Mapped[str] = mapped_column(String(200), default="")
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    audience: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(Text)
    # what the connected account may do (reply, private, publish…) and its health in words
    capabilities: Mapped[list[str]] = mapped_column(default=list)
    health: Mapped[str] = mapped_column(String(16), default="unlinked")  # ok, problem, failing
    health_reason: Mapped[str | None] = mapped_column(Text)
    verified_at: Mapped[datetime | None]

    brand: Mapped[Brand] = relationship(back_populates="channels")


class Template(Base):
    """A user-written reply template (Jinja2, rendered in a sandbox)."""

    __tablename__ = "templates"
    __table_args__ = (UniqueConstraint("brand_id", "kind", "lang", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # public_apology, private_opening, follow_up, …
    lang: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(100), default="default")
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class AlertChannel(Base):
    """Where alerts for a brand go: telegram, email or webhook, with its settings."""

    __tablename__ = "alert_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    events: Mapped[list[str]] = mapped_column(default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    last_sent_at: Mapped[datetime | None]
    retry_at: Mapped[datetime | None]  # after a failed send: wait until then


class AlertOutbox(Base):
    """One alert routed to one channel: held until the channel's window has passed, then sent
    grouped with the others. In the store, so a restart or a crash loses none; kept after
    sending as the record of who was told what, and when."""

    __tablename__ = "alert_outbox"
    __table_args__ = (Index("ix_alert_outbox_waiting", "state", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("alert_channels.id"))
    kind: Mapped[str] = mapped_column(String(32))
    event: Mapped[dict[str, Any]]
    state: Mapped[str] = mapped_column(String(16), default="held")  # held, sent, dropped
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
