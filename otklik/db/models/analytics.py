"""What the detectors found: spikes, communities with their stance, attacks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from otklik.db.base import Base, utcnow


class Spike(Base):
    __tablename__ = "spikes"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    series: Mapped[str] = mapped_column(String(16), default="all")  # all, negative
    start: Mapped[datetime]
    peak: Mapped[datetime]
    end: Mapped[datetime | None]
    volume: Mapped[int] = mapped_column(default=0)
    expected: Mapped[float] = mapped_column(Float, default=0.0)
    severity: Mapped[float] = mapped_column(Float, default=0.0)
    explanation: Mapped[dict[str, Any]] = mapped_column(default=dict)
    responded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Community(Base):
    """A place (or group of authors) and its stance toward a brand."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("brand_id", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # place, author_group
    key: Mapped[str] = mapped_column(String(300))
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"))
    name: Mapped[str] = mapped_column(String(300), default="")
    stance: Mapped[str] = mapped_column(String(32), default="unofficial-neutral")
    stance_score: Mapped[float] = mapped_column(Float, default=0.0)
    volume: Mapped[int] = mapped_column(default=0)
    growth: Mapped[float | None] = mapped_column(Float)
    audience: Mapped[int | None]
    flagged: Mapped[bool] = mapped_column(default=False)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attack(Base):
    __tablename__ = "attacks"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    start: Mapped[datetime]
    end: Mapped[datetime]
    score: Mapped[float] = mapped_column(Float)
    mention_ids: Mapped[list[int]] = mapped_column(default=list)
    authors: Mapped[list[str]] = mapped_column(default=list)
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict)
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="open")
    responded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
