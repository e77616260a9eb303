"""What an event pushed by a network (VK Callback API, a Telegram webhook) does to the store: the
same path as a poll's page — ingest, the case rules, removed-at-source marks — so a pushed comment
and the same comment polled later are one mention, and nothing is ever deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.case_upkeep import flag_removed_at_source
from otklik.actions.intake import intake
from otklik.actions.sources import mark_removed
from otklik.actions.unit import transaction
from otklik.alerts.events import AlertEvent
from otklik.db.models import Mention
from otklik.domain.enrichment import Enricher
from otklik.domain.posts import Post
from otklik.sources.base import Listing


@dataclass
class PushOutcome:
    inserted: int = 0
    updated: int = 0
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    cases_opened: list[int] = field(default_factory=list)
    alerts: list[AlertEvent] = field(default_factory=list)


def resolve_threads(session: Session, posts: Sequence[Post]) -> None:
    """A pushed reply names only its parent (a Telegram comment deep in a discussion names the
    group's copy of the channel post as its thread); when the parent is stored, the reply's
    thread is the parent's, as a poll that saw the whole thread would have said."""
    wanted: dict[str, set[str]] = {}
    for post in posts:
        if post.parent_external_id:
            wanted.setdefault(post.network, set()).add(post.parent_external_id)
    for network, parents in wanted.items():
        found = dict(session.execute(select(Mention.external_id, Mention.thread_external_id).where(
            Mention.network == network, Mention.external_id.in_(sorted(parents)))).all())
        for post in posts:
            parent = post.parent_external_id
            if post.network == network and parent in found:
                post.thread_external_id = found[parent] or parent


def apply_push(
    session: Session, network: str, posts: Sequence[Post], *, removed: Iterable[str] = (),
    restored: Iterable[str] = (), enrichers: Sequence[Enricher] = (), source_id: int | None = None,
    actor: str, now: datetime | None = None,
) -> PushOutcome:
    """Store pushed posts (enriched, case rules applied) and mark what the network says was
    removed or put back, in the caller's transaction. Idempotent: replayed, it changes nothing."""
    now = now or datetime.now(UTC)
    out = PushOutcome()
    if posts:
        resolve_threads(session, posts)
        taken = intake(session, posts, enrichers=enrichers, source_id=source_id, actor=actor,
                       now=now)
        out.inserted, out.updated = taken.stored.inserted, taken.stored.updated
        out.cases_opened, out.alerts = list(taken.desk.opened), list(taken.desk.alerts)
    gone, back = set(removed), set(restored)
    if gone or back:
        out.removed, out.restored = mark_removed(
            session, network, Listing(seen=back, expected=gone), now, actor=actor)
    if out.removed:
        ids = list(session.scalars(select(Mention.id).where(
            Mention.network == network, Mention.external_id.in_(out.removed))))
        out.alerts += flag_removed_at_source(session, ids, actor=actor)
    return out


def settle_before_queueing(sessions: sessionmaker[Session], network: str, posts: Sequence[Post], *,
                           removed: Sequence[str], restored: Sequence[str], actor: str) -> None:
    """Distributed mode, before the posts go to the workers' ingest task: their threads
    resolved from the store, and the removal marks applied at once (one indexed update each: no
    enrichment to wait for); committed."""
    with transaction(sessions) as session:
        if posts:
            resolve_threads(session, posts)
        if removed or restored:
            apply_push(session, network, [], removed=removed, restored=restored, actor=actor)
