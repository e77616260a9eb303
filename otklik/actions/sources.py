"""Polling a source: fetch page by page, store each page, then (and only then) move its cursor.

At-least-once delivery plus idempotent ingest: a crash after a fetch and before the page's commit
leaves the old cursor in place, so the next poll fetches the page again and `ingest` stores each
post once. The page's posts, the cursor, the health fields and any removed-at-source marks are one
transaction.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.audit import record
from otklik.actions.intake import intake
from otklik.actions.unit import transaction
from otklik.alerts.events import AlertEvent
from otklik.db.models import Mention
from otklik.db.models import Source as SourceRow
from otklik.db.rows import get_row
from otklik.db.secrets import open_credentials, seal_credentials
from otklik.domain.enrichment import Enricher
from otklik.settings import Settings
from otklik.sources.base import Listing, Page, Source
from otklik.sources.errors import SourceError
from otklik.sources.health import WINDOW, Health, is_silent, usual_gap
from otklik.sources.http import HttpClient, mask_text
from otklik.sources.registry import build_source, new_client

log = logging.getLogger("otklik.actions.sources")
CHUNK = 500


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class PollResult:
    source_id: int
    pages: int = 0
    fetched: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)  # external ids marked removed at source
    restored: list[str] = field(default_factory=list)
    error: str | None = None
    cursor: dict[str, Any] | None = None
    alerts: list[AlertEvent] = field(default_factory=list)  # new cases etc., to dispatch

    @property
    def ok(self) -> bool:
        return self.error is None


async def poll_source(
    session_factory: sessionmaker[Session],
    source_id: int,
    *,
    enrichers: Sequence[Enricher] = (),
    client: HttpClient | None = None,
    settings: Settings | None = None,
    max_pages: int = 20,
    now: Callable[[], datetime] = utcnow,
) -> PollResult:
    """Poll one source up to `max_pages` pages; errors are recorded on its row and returned.

    A network or configuration error (SourceError, ValueError) ends the poll and is kept in the
    result and the health record; anything else is recorded too and then raised (it is a bug).
    """
    settings = settings or Settings()
    result = PollResult(source_id)
    with transaction(session_factory) as session:
        row = get_row(session, SourceRow, source_id, "source with id")
        row.last_polled_at = now()
        session.flush()
        session.expunge(row)
    http = client or new_client()
    secrets = [str(v) for v in (row.credentials or {}).values() if v]
    source: Source | None = None
    try:
        source = build_source(row, settings, http)
        cursor = row.cursor
        with http.deadline(settings.poll_deadline_seconds):  # pages stored so far are kept
            for _ in range(max_pages):
                page = await source.fetch_page(cursor)
                await asyncio.to_thread(
                    _store_page, session_factory, row, page, enrichers, result, now())
                cursor = page.cursor
                if not page.more:
                    break
        await asyncio.to_thread(_set_health, session_factory, source_id, now(), None)
    except Exception as exc:
        message = mask_text(f"{type(exc).__name__}: {exc}", secrets)[:1000]
        result.error = message
        log.warning("source %d: poll failed: %s", source_id, message)
        await asyncio.to_thread(_set_health, session_factory, source_id, now(), message)
        if not isinstance(exc, SourceError | ValueError):
            raise
    finally:
        renewed = getattr(source, "renewed", None)  # a plugin's connector may renew nothing
        if renewed:  # also after a failure: X's old token is dead
            await asyncio.to_thread(_keep_renewed, session_factory, source_id, renewed,
                                    settings.secret_key)
        if client is None:
            await http.aclose()
    return result


def _keep_renewed(factory: sessionmaker[Session], source_id: int, renewed: dict[str, str],
                  secret_key: str) -> None:
    with transaction(factory) as session:
        store_renewed_credentials(session, source_id, renewed, secret_key,
                                  actor=f"source:{source_id}")


def store_renewed_credentials(session: Session, source_id: int, renewed: dict[str, str],
                              secret_key: str, *, actor: str) -> None:
    """Seal tokens a connector renewed into its source row (the others kept), audited by name
    only: the next poll or send starts from them, and a rotated refresh token is not lost."""
    row = session.get(SourceRow, source_id)
    if row is None or not renewed:
        return
    stored = open_credentials(row.credentials, secret_key)
    row.credentials = seal_credentials({**stored, **renewed}, secret_key)
    record(session, actor, "source.credentials_renewed", "source", source_id,
           network=row.network, names=sorted(renewed))


def _store_page(
    factory: sessionmaker[Session],
    row: SourceRow,
    page: Page,
    enrichers: Sequence[Enricher],
    result: PollResult,
    at: datetime,
) -> None:
    """Store a page's posts, removed marks and the cursor after it, in one transaction."""
    with transaction(factory) as session:
        taken = intake(session, page.posts, enrichers=enrichers, source_id=row.id,
                       actor=f"source:{row.id}")
        stored = taken.stored
        result.alerts += taken.desk.alerts
        removed: list[str] = []
        restored: list[str] = []
        for listing in page.listings:
            r, s = mark_removed(session, row.network, listing, at, actor=f"source:{row.id}")
            removed += r
            restored += s
        values: dict[str, Any] = {
            "cursor": page.cursor,
            "posts_total": SourceRow.posts_total + stored.inserted,
        }
        if page.posts:
            newest = max(p.created_at for p in page.posts)
            current = session.scalar(select(SourceRow.last_post_at).where(
                SourceRow.id == row.id))
            if current is None or newest > current:
                values["last_post_at"] = newest
        session.execute(update(SourceRow).where(SourceRow.id == row.id).values(**values))
    result.pages += 1
    result.fetched += len(page.posts)
    result.inserted += stored.inserted
    result.updated += stored.updated
    result.unchanged += stored.unchanged
    result.removed += removed
    result.restored += restored
    result.cursor = page.cursor


def _set_health(factory: sessionmaker[Session], source_id: int, at: datetime,
                error: str | None) -> None:
    with transaction(factory) as session:
        values: dict[str, Any] = (
            {"last_success_at": at} if error is None
            else {"last_error_at": at, "last_error": error})
        session.execute(update(SourceRow).where(SourceRow.id == source_id).values(**values))


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    batch = sorted(items)
    for i in range(0, len(batch), CHUNK):
        yield batch[i:i + CHUNK]


def mark_removed(
    session: Session, network: str, listing: Listing, at: datetime, *, actor: str = "system",
) -> tuple[list[str], list[str]]:
    """Mark stored mentions missing from a complete listing as removed at source (audited).

    A mention seen again after being marked is restored (also audited): moderation on some
    networks hides and then re-shows comments. Returns (removed, restored) external ids.
    """
    m = Mention.__table__.c
    missing: list[Any] = []
    if listing.thread_external_id is not None:
        rows = session.execute(
            select(m.id, m.external_id).where(
                m.network == network, m.thread_external_id == listing.thread_external_id,
                m.external_id != listing.thread_external_id, m.removed_at_source.is_(None)))
        missing = [(i, e) for i, e in rows if e not in listing.seen]
    if listing.expected is not None:
        for chunk in _chunks(listing.expected - listing.seen):
            missing += session.execute(select(m.id, m.external_id).where(
                m.network == network, m.external_id.in_(chunk),
                m.removed_at_source.is_(None))).all()
    back: list[Any] = []
    for chunk in _chunks(listing.seen):
        back += session.execute(select(m.id, m.external_id).where(
            m.network == network, m.external_id.in_(chunk),
            m.removed_at_source.is_not(None))).all()
    for mention_id, external_id in missing:
        session.execute(update(Mention).where(Mention.id == mention_id)
                        .values(removed_at_source=at))
        record(session, actor, "mention.removed_at_source", "mention", mention_id,
               network=network, external_id=external_id, thread=listing.thread_external_id,
               at=at.isoformat())
    for mention_id, external_id in back:
        session.execute(update(Mention).where(Mention.id == mention_id)
                        .values(removed_at_source=None))
        record(session, actor, "mention.restored_at_source", "mention", mention_id,
               network=network, external_id=external_id)
    return [e for _, e in missing], [e for _, e in back]


def source_health(session: Session, source_id: int, *, now: datetime | None = None) -> Health:
    """Posts per hour, the usual rhythm and whether the source has gone silent."""
    now = now or utcnow()
    row = get_row(session, SourceRow, source_id, "source with id")
    m = Mention.__table__.c
    mine = m.source_id == source_id
    day = session.scalar(select(func.count()).where(
        mine, m.ingested_at >= now - timedelta(hours=24))) or 0
    last = session.scalar(select(func.max(m.ingested_at)).where(mine))
    if isinstance(last, str):  # SQLite aggregate bypasses the column type
        last = datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    # the usual rhythm is measured over the week before the last new mention, so a source
    # that has said nothing for a month is still compared against how it used to be
    week = 0 if last is None else session.scalar(select(func.count()).where(
        mine, m.ingested_at >= last - WINDOW)) or 0
    return Health(
        source_id=source_id,
        posts_per_hour=day / 24.0,
        posts_in_window=week,
        last_new_at=last,
        usual_gap=usual_gap(week),
        silent=is_silent(now=now, last_new_at=last, posts_in_window=week,
                         interval_seconds=row.interval_seconds),
        last_success_at=row.last_success_at,
        last_error_at=row.last_error_at,
        last_error=row.last_error,
    )
