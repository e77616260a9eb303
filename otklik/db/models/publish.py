"""Incidents explained publicly, announcements warned in advance, refutations of attacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from otklik.db.base import Base, utcnow


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    keywords: Mapped[str | None] = mapped_column(Text)  # a brand query matching its complaints
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, monitoring, resolved
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_update_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    spike_id: Mapped[int | None] = mapped_column(ForeignKey("spikes.id"))
    channel_ids: Mapped[list[int]] = mapped_column(default=list)
    explanation_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Announcement(Base):
    """A scheduled advance warning (maintenance, no card payments, outages)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    texts: Mapped[dict[str, Any]] = mapped_column(default=dict)  # channel id → text
    channel_ids: Mapped[list[int]] = mapped_column(default=list)
    publish_at: Mapped[datetime]
    remind_at: Mapped[datetime | None]
    event_start: Mapped[datetime | None]
    event_end: Mapped[datetime | None]
    kind: Mapped[str] = mapped_column(String(40), default="maintenance")
    status: Mapped[str] = mapped_column(String(20), default="scheduled")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Refutation(Base):
    """The three-track answer to an attack or spike: official post, replies, native placements."""

    __tablename__ = "refutations"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    attack_id: Mapped[int | None] = mapped_column(ForeignKey("attacks.id"))
    spike_id: Mapped[int | None] = mapped_column(ForeignKey("spikes.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    official_text: Mapped[str] = mapped_column(Text, default="")
    replies: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    placements: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    coverage: Mapped[float] = mapped_column(default=0.0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
