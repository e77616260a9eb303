"""Cases (negative mentions being handled) and the actions otklik sends through channels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from otklik.db.base import Base, utcnow


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    state: Mapped[str] = mapped_column(String(24), default="new", index=True)
    network: Mapped[str] = mapped_column(String(32))
    thread_key: Mapped[str | None] = mapped_column(String(400), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("authors.id"), index=True)
    root_mention_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("mentions.id"))
    customer_name: Mapped[str | None] = mapped_column(String(100))
    lang: Mapped[str | None] = mapped_column(String(8))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    priority: Mapped[float] = mapped_column(Float, default=0.0)
    tags: Mapped[list[str]] = mapped_column(default=list)
    notes: Mapped[list[dict[str, Any]]] = mapped_column(default=list)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    first_response_due_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    sla_reminded_at: Mapped[datetime | None]
    sla_breached_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    follow_up_due_at: Mapped[datetime | None]
    followed_up_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(24))  # resolved, not_resolved, no_answer
    removed_at_source: Mapped[datetime | None]
    opened_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    mentions: Mapped[list[CaseMention]] = relationship(cascade="all", lazy="selectin")
    actions: Mapped[list[Action]] = relationship(
        cascade="all", lazy="selectin", order_by="Action.id"
    )


class CaseMention(Base):
    __tablename__ = "case_mentions"

    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), primary_key=True)
    mention_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("mentions.id"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(24), default="complaint")  # complaint, answer, …
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class Action(Base):
    """Something otklik sends through a channel: drafted, maybe approved, sent, network id kept.

    `idempotency_key` makes a second attempt to send the same thing find the first one.
    """

    __tablename__ = "actions"
    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    brand_id: Mapped[int] = mapped_column(ForeignKey("brands.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    announcement_id: Mapped[int | None] = mapped_column(ForeignKey("announcements.id"))
    refutation_id: Mapped[int | None] = mapped_column(ForeignKey("refutations.id"))
    kind: Mapped[str] = mapped_column(String(24))  # public_reply, private_message, post, follow_up
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("channels.id"))
    network: Mapped[str] = mapped_column(String(32))
    target: Mapped[dict[str, Any]] = mapped_column(default=dict)  # mention / author / place ids
    text: Mapped[str] = mapped_column(Text)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("templates.id"))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    # draft → pending_approval → approved → sending → sent | failed
    needs_approval: Mapped[bool] = mapped_column(default=False)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    scheduled_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)  # why it failed, in words
    failure: Mapped[str | None] = mapped_column(String(24))  # its kind (care.failures.REASONS)
    external_id: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100), default="system")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
