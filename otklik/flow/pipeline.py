"""Ingest → enrich → store for one batch of posts. Idempotent, so it may run twice safely.

The same function runs in the embedded process and inside a Celery task. It works in the caller's
transaction: commit after it returns, and a crash before the commit leaves the store untouched
(but for a cluster of one an earlier exemplar may keep: see `otklik.flow.clusters`).
It reads and enriches first and writes after, so the write lock is held only while rows go in.
Rows are written with Core statements in bulk (the ORM per object is ~10× slower).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from otklik.db.bulk import insert_ignoring_conflicts, refresh_planner_stats, table_of, upsert
from otklik.db.keys import author_rows, place_rows, rows_by_key, upsert_refs
from otklik.db.models import Author, Mention, MentionBrand, MentionVersion, Place
from otklik.domain.enrichment import Enriched, Enricher
from otklik.domain.posts import Author as AuthorRef
from otklik.domain.posts import Place as PlaceRef
from otklik.domain.posts import Post
from otklik.flow.clusters import store_clusters

# the tables whose lookups and joins each batch makes (kept analyzed on PostgreSQL)
STATS_TABLES = ("mentions", "authors", "places", "mention_brands")
# the columns taken as they are: from a new post, from an edited one, from the enrichment
POSTED = ("network", "external_id", "url", "parent_external_id", "text", "created_at",
          "edited_at", "lat", "lon", "hashtags", "user_mentions", "reach", "engagement", "raw")
EDITED = ("text", "hashtags", "user_mentions", "raw", "reach", "engagement")
ENRICHED = ("sentiment", "sentiment_scores", "sentiment_score", "customer_name", "is_question",
            "priority", "priority_reasons")


@dataclass
class IngestResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    mention_ids: list[int] = field(default_factory=list)  # in input order, one per unique post

    @property
    def stored(self) -> int:
        return self.inserted + self.updated


def ingest(
    session: Session,
    posts: Sequence[Post],
    *,
    enrichers: Sequence[Enricher] = (),
    source_id: int | None = None,
) -> IngestResult:
    """Store a batch: new posts are enriched and inserted, edited ones updated (old text kept).

    Enrichment, the slow part, runs before the batch's first write: on SQLite the first write
    takes the store's write lock until the commit, and the desk, the scheduler and other imports
    must not wait for a batch's language, sentiment and near-duplicates. (A caller that wrote
    earlier in the same transaction holds the lock already: call it before other writes.)
    """
    return store_enriched(session, enrich_batch(session, posts, enrichers), source_id=source_id)


@dataclass
class EnrichedBatch:
    """A batch's unique posts, and the enriched ones among them (new or edited when read)."""

    posts: list[Post]
    enriched: dict[tuple[str, str], Enriched]


def _key(post: Post) -> tuple[str, str]:
    return (post.network, post.external_id)


def enrich_batch(
    session: Session, posts: Sequence[Post], enrichers: Sequence[Enricher] = ()
) -> EnrichedBatch:
    """Read which posts are new or edited and enrich those; writes nothing (see `ingest`)."""
    unique = list({_key(p): p for p in posts}.values())
    if not unique:
        return EnrichedBatch([], {})
    _autoflush(session)
    existing = _existing_mentions(session, map(_key, unique))
    todo: list[Enriched] = []
    for post in unique:
        found = existing.get(_key(post))
        if found is None or found[1] != post.text:
            todo.append(Enriched(post=post, is_new=found is None))
    for enrich in enrichers:
        enrich(todo)
    return EnrichedBatch(unique, {_key(item.post): item for item in todo})


def store_enriched(
    session: Session, batch: EnrichedBatch, *, source_id: int | None = None
) -> IngestResult:
    """Write an enriched batch in the caller's transaction.

    What is stored is read again once writing has begun, because another writer may have
    stored some of these posts since `enrich_batch` read: a post whose stored text is now its
    own is unchanged, and one that was unchanged when read stays as the other writer left it
    (as if this batch had come first), so no post is stored twice or without its enrichment.
    """
    result = IngestResult()
    if not batch.posts:
        return result
    now = datetime.now(UTC)
    _autoflush(session)
    refresh_planner_stats(session.connection(), STATS_TABLES)
    author_ids = upsert_refs(session, table_of(Author), author_rows(batch.posts), now)
    place_ids = upsert_refs(session, table_of(Place), place_rows(batch.posts), now)
    existing = _existing_mentions(session, map(_key, batch.posts))

    fresh: list[Enriched] = []
    edited: list[tuple[int, Enriched]] = []
    for post in batch.posts:
        found = existing.get(_key(post))
        item = batch.enriched.get(_key(post))
        if item is None or (found is not None and found[1] == post.text):
            result.unchanged += 1
        elif found is None:
            fresh.append(item)
        else:
            item.is_new = False
            edited.append((found[0], item))
    written = fresh + [e for _, e in edited]

    ids = {_key(e.post): (i, e.post.text) for i, e in edited}
    if fresh:
        ids.update(_insert_mentions(session, fresh, author_ids, place_ids, source_id, now))
        result.inserted = len(fresh)
    corrected = {mention_id: label for mention_id, item in edited
                 if (label := _apply_edit(session, mention_id, item, author_ids, place_ids, now))}
    result.updated = len(edited)

    _store_brand_matches(session, written, ids, author_ids, place_ids, corrected)
    store_clusters(session, written, ids, now)
    all_ids = {**existing, **ids}
    result.mention_ids = [all_ids[_key(p)][0] for p in batch.posts]
    return result


def _autoflush(session: Session) -> None:
    """The lookups and inserts here run on the session's connection (Core, no ORM layer: ~2×
    quicker), which skips autoflush; flush once instead, so pending ORM objects are visible."""
    if session.autoflush:
        session.flush()


def _insert_mentions(
    session: Session,
    fresh: list[Enriched],
    author_ids: dict[tuple[str, str], int],
    place_ids: dict[tuple[str, str], int],
    source_id: int | None,
    now: datetime,
) -> dict[tuple[str, str], tuple[int, str]]:
    """Insert new mentions and return their ids, in multi-row statements.

    Many rows per INSERT rather than one statement per row: on SQLite that lets FTS5 index a
    whole page at once instead of flushing a segment per row (~3× faster), and RETURNING saves
    the id lookup. A row a concurrent writer stored first is skipped by ON CONFLICT and looked up
    afterwards.
    """
    table = table_of(Mention)
    columns = _mention_columns(fresh, author_ids, place_ids, source_id, now)
    texts = {(e.post.network, e.post.external_id): e.post.text for e in fresh}
    returned = insert_ignoring_conflicts(
        session.connection(), table, columns, ("network", "external_id", "id")
    )
    ids = {(network, ext): (id_, texts[(network, ext)]) for network, ext, id_ in returned}
    if len(ids) < len(texts):
        ids.update(_existing_mentions(session, (k for k in texts if k not in ids)))
    return ids


def _existing_mentions(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[int, str]]:
    """(network, external_id) → (id, text) for the keys already stored."""
    rows = rows_by_key(session, table_of(Mention), list(keys), ["text"])
    return {key: (int(row[0]), str(row[1])) for key, row in rows.items()}


def _enrichment(item: Enriched, now: datetime) -> dict[str, Any]:
    return {name: values[0] for name, values in _enrichment_columns([item], now).items()}


def _enrichment_columns(items: Sequence[Enriched], now: datetime) -> dict[str, list[Any]]:
    """What the enrichers found, column by column; enriched_at is set when any of it is."""
    columns = {name: list(map(attrgetter(name), items)) for name in ENRICHED}
    found = zip(*columns.values(), strict=True)
    columns["enriched_at"] = [
        now if any(v is not None for v in values) else None for values in found
    ]
    columns["lang"] = [i.lang or i.post.lang for i in items]
    return columns


def _ref_id(ids: dict[tuple[str, str], int], network: str,
            ref: AuthorRef | PlaceRef | None) -> int | None:
    """The stored id of a post's author or place (None when the post names none)."""
    return ids.get((network, ref.external_id)) if ref is not None else None


def _mention_columns(
    items: Sequence[Enriched],
    author_ids: dict[tuple[str, str], int],
    place_ids: dict[tuple[str, str], int],
    source_id: int | None,
    now: datetime,
) -> dict[str, list[Any]]:
    """New mentions column by column, as the bulk insert takes them (no dict per row)."""
    posts = [i.post for i in items]
    n = len(posts)
    return {
        **{name: list(map(attrgetter(name), posts)) for name in POSTED},
        "author_id": [_ref_id(author_ids, p.network, p.author) for p in posts],
        "place_id": [_ref_id(place_ids, p.network, p.place) for p in posts],
        "thread_external_id": [
            p.thread_external_id or p.parent_external_id or p.external_id for p in posts
        ],
        "ingested_at": [now] * n,
        "updated_at": [now] * n,
        "source_id": [source_id] * n,
        "removed_at_source": [None] * n,
        "sentiment_corrected": [False] * n,
        "cluster_id": [None] * n,
        **_enrichment_columns(items, now),
    }


def _apply_edit(
    session: Session,
    mention_id: int,
    item: Enriched,
    author_ids: dict[tuple[str, str], int],
    place_ids: dict[tuple[str, str], int],
    now: datetime,
) -> str | None:
    """An edited post: keep what it said before, then store the new text and its enrichment.

    Returns the label an analyst gave it, if any: the edit must keep it.
    """
    table = table_of(Mention)
    old = session.execute(
        select(table.c.text, table.c.raw, table.c.sentiment, table.c.sentiment_corrected)
        .where(table.c.id == mention_id)
    ).one()
    session.execute(
        table_of(MentionVersion).insert(),
        {"mention_id": mention_id, "text": old.text, "raw": old.raw, "seen_at": now},
    )
    p = item.post
    values = {**{name: getattr(p, name) for name in EDITED}, "edited_at": p.edited_at or now,
              "updated_at": now, **_enrichment(item, now)}
    if old.sentiment_corrected:  # an analyst's label outranks the model's
        for key in ("sentiment", "sentiment_scores", "sentiment_score"):
            values.pop(key)
    session.execute(update(table).where(table.c.id == mention_id).values(**values))
    return str(old.sentiment) if old.sentiment_corrected and old.sentiment else None


def _store_brand_matches(
    session: Session,
    batch: Sequence[Enriched],
    ids: dict[tuple[str, str], tuple[int, str]],
    author_ids: dict[tuple[str, str], int],
    place_ids: dict[tuple[str, str], int],
    corrected: dict[int, str],
) -> None:
    """One row per (mention, brand) with the label toward the brand and the mention's copies.

    An edit re-matches the queries; it keeps an analyst's corrected label.
    """
    columns = ("mention_id", "brand_id", "query_ids", "sentiment", "created_at", "place_id",
               "author_id", "location_id")
    rows: list[tuple[Any, ...]] = []
    kept: list[tuple[Any, ...]] = []
    for item in batch:
        p = item.post
        mention_id = ids[(p.network, p.external_id)][0]
        for brand_id, query_ids in item.brand_matches.items():
            (kept if mention_id in corrected else rows).append((
                mention_id, brand_id, sorted(query_ids),
                corrected.get(mention_id) or item.brand_sentiments.get(brand_id, item.sentiment),
                p.created_at, _ref_id(place_ids, p.network, p.place),
                _ref_id(author_ids, p.network, p.author), item.brand_locations.get(brand_id),
            ))
    for chunk, updated in ((rows, ("query_ids", "sentiment", "location_id")),
                           (kept, ("query_ids", "location_id"))):
        if chunk:
            upsert(session.connection(), table_of(MentionBrand),
                   dict(zip(columns, map(list, zip(*chunk, strict=True)), strict=True)),
                   ("mention_id", "brand_id"), updated)
