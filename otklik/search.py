"""Searching stored mentions: full text in the store, the brand query language in Python."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Integer, Select, column, func, select, text
from sqlalchemy.orm import Session

from otklik.db.models import Brand, Mention, MentionBrand
from otklik.query.search import filter_by_query


class SearchError(ValueError):
    """A search that cannot run as asked (unknown brand, bad query)."""


def fts_filter(session: Session, stmt: Select, words: str) -> Select:  # type: ignore[type-arg]
    """Restrict a mention query to rows whose text contains all the words (store-native FTS)."""
    if session.get_bind().dialect.name == "sqlite":
        terms = " ".join('"' + w.replace('"', '""') + '"' for w in words.split())
        ids = text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :q").bindparams(
            q=terms
        ).columns(column("rowid", Integer))
        return stmt.where(Mention.id.in_(ids))
    vector = func.to_tsvector("russian", Mention.text).op("||")(
        func.to_tsvector("english", Mention.text)
    )
    query = func.plainto_tsquery("russian", words).op("||")(func.plainto_tsquery("english", words))
    return stmt.where(vector.op("@@")(query))


def search_mentions(
    session: Session,
    *,
    text: str | None = None,
    query: str | None = None,
    brand: str | None = None,
    network: str | None = None,
    sentiment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 50,
) -> Sequence[Mention]:
    """Newest first. Filters run in the store; a brand query is matched exactly in Python."""
    stmt = select(Mention).order_by(Mention.created_at.desc(), Mention.id.desc())
    if brand:
        brand_id = session.scalar(select(Brand.id).where(Brand.slug == brand))
        if brand_id is None:
            raise SearchError(f"no brand {brand!r}")
        stmt = stmt.where(Mention.id.in_(
            select(MentionBrand.mention_id).where(MentionBrand.brand_id == brand_id)
        ))
    if network:
        stmt = stmt.where(Mention.network == network)
    if sentiment:
        stmt = stmt.where(Mention.sentiment == sentiment)
    if since:
        stmt = stmt.where(Mention.created_at >= since)
    if until:
        stmt = stmt.where(Mention.created_at < until)
    if text and text.strip():
        stmt = fts_filter(session, stmt, text)
    if not query:
        return session.scalars(stmt.limit(limit)).unique().all()
    return filter_by_query(session, stmt, query, limit)
