"""What happens to every batch of live posts, whoever brings it (source poll, API, demo):
store and enrich it, then let the desk attach replies to cases and open new ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.actions.cases import IngestOutcome, process_ingested
from otklik.domain.enrichment import Enricher
from otklik.domain.posts import Post
from otklik.flow.pipeline import IngestResult, ingest


@dataclass
class IntakeResult:
    stored: IngestResult
    desk: IngestOutcome


def intake(
    session: Session,
    posts: Sequence[Post],
    *,
    enrichers: Sequence[Enricher] = (),
    source_id: int | None = None,
    actor: str = "system",
    now: datetime | None = None,
) -> IntakeResult:
    """Ingest, then the case rules over the new and edited mentions (same transaction)."""
    stored = ingest(session, posts, enrichers=enrichers, source_id=source_id)
    desk = process_ingested(session, stored.mention_ids, actor=actor, now=now)
    return IntakeResult(stored, desk)
