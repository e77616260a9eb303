"""Authors, places and mentions: what was said, where and by whom. Never deleted."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from otklik.db.base import Base, utcnow


class Author(Base):
    __tablename__ = "authors"
    __table_args__ = (UniqueConstraint("network", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(200))
    handle: Mapped[str | None] = mapped_column(String(200), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    followers: Mapped[int | None]
    created_at: Mapped[datetime | None]
    url: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Place(Base):
    """Where mentions live; also the community registry (stance kept on `Community`)."""

    __tablename__ = "places"
    __table_args__ = (UniqueConstraint("network", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(300))
    name: Mapped[str | None] = mapped_column(String(300))
    kind: Mapped[str | None] = mapped_column(String(32))
    audience: Mapped[int | None]
    url: Mapped[str | None] = mapped_column(Text)
    official_brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class Mention(Base):
    """One post or comment, unique by (network, external_id), with its enrichment."""

    __tablename__ = "mentions"
    __table_args__ = (
        UniqueConstraint("network", "external_id"),
        # the overview's window scans read only this index (volume, split, top places/authors)
        Index("ix_mentions_window", "created_at", "sentiment", "place_id", "author_id"),
        Index("ix_mentions_thread", "network", "thread_external_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    network: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"), index=True)
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    parent_external_id: Mapped[str | None] = mapped_column(String(300))
    thread_external_id: Mapped[str | None] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    hashtags: Mapped[list[str]] = mapped_column(default=list)
    user_mentions: Mapped[list[str]] = mapped_column(default=list)
    reach: Mapped[int | None]
    engagement: Mapped[int | None]
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"))
    removed_at_source: Mapped[datetime | None]
    # enrichment
    lang: Mapped[str | None] = mapped_column(String(8))
    sentiment: Mapped[str | None] = mapped_column(String(10), index=True)
    sentiment_score: Mapped[float | None] = mapped_column(Float)  # P(negative) − P(positive)
    sentiment_scores: Mapped[dict[str, Any] | None]
    sentiment_corrected: Mapped[bool] = mapped_column(default=False)
    customer_name: Mapped[str | None] = mapped_column(String(100))
    cluster_id: Mapped[int | None] = mapped_column(ForeignKey("duplicate_clusters.id"), index=True)
    is_question: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[float | None] = mapped_column(Float)
    priority_reasons: Mapped[dict[str, Any] | None]
    enriched_at: Mapped[datetime | None]

    author: Mapped[Author | None] = relationship(lazy="joined")
    place: Mapped[Place | None] = relationship(lazy="joined")
    brands: Mapped[list[MentionBrand]] = relationship(cascade="all", lazy="selectin")


class MentionVersion(Base):
    """An earlier text of an edited mention: edits update the mention and keep what it said."""

    __tablename__ = "mention_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)


class MentionBrand(Base):
    """Which brand (and which of its queries) a mention matched.

    It also carries copies of the mention's time, place and author (which never change), so
    a brand's overview reads one index range instead of joining a million mentions.
    """

    __tablename__ = "mention_brands"
    __table_args__ = (
        Index("ix_mention_brands_window", "brand_id", "created_at", "sentiment", "place_id",
              "author_id"),
    )

    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), primary_key=True)
    query_ids: Mapped[list[int]] = mapped_column(default=list)
    # toward this brand: the targeted label, else the mention's own (never NULL when it has one)
    sentiment: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime]  # copied from the mention
    place_id: Mapped[int | None]
    author_id: Mapped[int | None]
    # the brand's location the mention is about (attributed at enrichment), if any
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)


class DuplicateCluster(Base):
    """Near-duplicate texts grouped as they arrive.

    Its size and when it last grew are counted from its members (`Mention.cluster_id`, indexed)
    when read, never kept in this row: a counter here is one row every worker would update for
    every copy in an information attack, and they would all queue on it (issue 26).
    """

    __tablename__ = "duplicate_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    exemplar_mention_id: Mapped[int | None] = mapped_column(BigInteger)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    signature: Mapped[bytes | None]
    size: Mapped[int] = column_property(
        select(func.count(Mention.id)).where(Mention.cluster_id == id)
        .correlate_except(Mention).scalar_subquery())
    last_seen_at: Mapped[datetime | None] = column_property(
        select(func.max(Mention.ingested_at)).where(Mention.cluster_id == id)
        .correlate_except(Mention).scalar_subquery(), deferred=True)


class SentimentCorrection(Base):
    """An analyst's corrected label; the training script adds these to its data."""

    __tablename__ = "sentiment_corrections"

    id: Mapped[int] = mapped_column(primary_key=True)
    mention_id: Mapped[int] = mapped_column(ForeignKey("mentions.id"), index=True)
    brand_id: Mapped[int | None] = mapped_column(ForeignKey("brands.id"))
    old_label: Mapped[str | None] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
