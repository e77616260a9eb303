"""Searching stored mentions: plain words in the store's full-text index, and the brand query
language.

For a query, the store's full-text index narrows the rows (`fts.py`, a superset); the compiled
query decides each row in Python, in the statement's order, until `limit` matches are found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Select, column, func, select, text
from sqlalchemy.orm import Session

from otklik.db.models import Brand, BrandQuery, Mention, MentionBrand
from otklik.query import Query, parse
from otklik.query.fts import fts5_match, pg_tsquery
from otklik.query.index import QueryIndex

BATCH = 500


def mention_mapping(m: Mention) -> dict[str, Any]:
    """What a query matches, from a stored mention and its author and place."""
    author = m.author
    place = m.place
    return {
        "text": m.text,
        "lang": m.lang,
        "network": m.network,
        "author": {"handle": author.handle, "name": author.name,
                   "external_id": author.external_id} if author else None,
        "place": {"external_id": place.external_id, "name": place.name} if place else None,
        "url": m.url,
        "geo": {"lat": m.lat, "lon": m.lon} if m.lat is not None else None,
        "hashtags": m.hashtags,
        "user_mentions": m.user_mentions,
    }


def fts_condition(session: Session, query: Query) -> ColumnElement[bool] | None:
    """The store-native full-text condition for a query, or None when none is safe."""
    if session.get_bind().dialect.name == "sqlite":
        expr = fts5_match(query.tree)
        if expr is None:
            return None
        ids = text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :fts_q").bindparams(
            fts_q=expr
        ).columns(column("rowid", Integer))
        return Mention.id.in_(ids)
    tsq = pg_tsquery(query.tree)
    if tsq is None:
        return None
    return _pg_match(tsq)


def _pg_match(tsq: str) -> ColumnElement[bool]:
    # the same expression as the GIN index in db/ddl.py, so PostgreSQL can use it
    vector = func.to_tsvector(text("'russian'::regconfig"), Mention.text).op("||")(
        func.to_tsvector(text("'english'::regconfig"), Mention.text)
    )
    query = func.to_tsquery(text("'russian'::regconfig"), tsq).op("||")(
        func.to_tsquery(text("'english'::regconfig"), tsq)
    )
    return vector.op("@@")(query)  # type: ignore[no-any-return]


def filter_by_query(
    session: Session, stmt: Select[Any], query_text: str | Query, limit: int, batch: int = BATCH
) -> list[Mention]:
    """The first `limit` mentions of `stmt` (in its order) that the query matches.

    Raises `QuerySyntaxError` for a bad query.
    """
    query = query_text if isinstance(query_text, Query) else parse(query_text)
    condition = fts_condition(session, query)
    if condition is not None:
        stmt = stmt.where(condition)
    found: list[Mention] = []
    offset = 0
    while len(found) < limit:
        rows = session.scalars(stmt.limit(batch).offset(offset)).unique().all()
        found.extend(m for m in rows if query.matches(mention_mapping(m)))
        if len(rows) < batch:
            break
        offset += batch
    return found[:limit]


def search(
    session: Session,
    query_text: str,
    limit: int = 50,
    *,
    network: str | None = None,
    brand_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[Mention]:
    """Newest mentions matching the query (and the filters); `QuerySyntaxError` if it is bad."""
    stmt = select(Mention).order_by(Mention.created_at.desc(), Mention.id.desc())
    if network:
        stmt = stmt.where(Mention.network == network)
    if brand_id is not None:
        stmt = stmt.where(Mention.id.in_(
            select(MentionBrand.mention_id).where(MentionBrand.brand_id == brand_id)))
    if since:
        stmt = stmt.where(Mention.created_at >= since)
    if until:
        stmt = stmt.where(Mention.created_at < until)
    return filter_by_query(session, stmt, query_text, limit)


class SearchError(ValueError):
    """A search that cannot run as asked (unknown brand, bad query)."""


def words_condition(session: Session, words: str) -> ColumnElement[bool]:
    """Rows whose text contains all the words (the store's own full-text search)."""
    if session.get_bind().dialect.name == "sqlite":
        terms = " ".join('"' + w.replace('"', '""') + '"' for w in words.split())
        ids = text("SELECT rowid FROM mentions_fts WHERE mentions_fts MATCH :q").bindparams(
            q=terms).columns(column("rowid", Integer))
        return Mention.id.in_(ids)
    vector = func.to_tsvector("russian", Mention.text).op("||")(
        func.to_tsvector("english", Mention.text))
    query = func.plainto_tsquery("russian", words).op("||")(func.plainto_tsquery("english", words))
    return vector.op("@@")(query)  # type: ignore[no-any-return]


def search_mentions(
    session: Session, *, text: str | None = None, query: str | None = None,
    brand: str | None = None, network: str | None = None, sentiment: str | None = None,
    since: datetime | None = None, until: datetime | None = None, limit: int = 50,
) -> Sequence[Mention]:
    """Newest first (`otklik search`). Filters run in the store; a brand query is matched
    exactly in Python; `text` is plain words for the full-text index."""
    stmt = select(Mention).order_by(Mention.created_at.desc(), Mention.id.desc())
    if brand:
        brand_id = session.scalar(select(Brand.id).where(Brand.slug == brand))
        if brand_id is None:
            raise SearchError(f"no brand {brand!r}")
        stmt = stmt.where(Mention.id.in_(
            select(MentionBrand.mention_id).where(MentionBrand.brand_id == brand_id)))
    if network:
        stmt = stmt.where(Mention.network == network)
    if sentiment:
        stmt = stmt.where(Mention.sentiment == sentiment)
    if since:
        stmt = stmt.where(Mention.created_at >= since)
    if until:
        stmt = stmt.where(Mention.created_at < until)
    if text and text.strip():
        stmt = stmt.where(words_condition(session, text))
    if not query:
        return session.scalars(stmt.limit(limit)).unique().all()
    return filter_by_query(session, stmt, query, limit)


def index_from_store(session: Session, brand_ids: Iterable[int] | None = None) -> QueryIndex:
    """A `QueryIndex` of the enabled queries of all (or the given) brands."""
    stmt = select(BrandQuery.brand_id, BrandQuery.id, BrandQuery.text).where(
        BrandQuery.enabled.is_(True)).order_by(BrandQuery.id)
    if brand_ids is not None:
        stmt = stmt.where(BrandQuery.brand_id.in_(list(brand_ids)))
    return QueryIndex((int(b), int(q), str(t)) for b, q, t in session.execute(stmt))
