"""What happens to every batch of live posts, whoever brings it (source poll, API, demo):
store and enrich it, then let the desk attach replies to cases and open new ones."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.cases import IngestOutcome, process_ingested
from otklik.domain.enrichment import Enricher
from otklik.domain.posts import Post
from otklik.flow.pipeline import IngestResult, ingest

# (session, mention ids, actor): what runs instead of the case rules over a changed batch
CaseRules = Callable[[Session, Sequence[int], str], None]


@dataclass
class IntakeResult:
    stored: IngestResult
    desk: IngestOutcome = field(default_factory=IngestOutcome)


def case_rules(session: Session, mention_ids: Sequence[int], actor: str) -> None:
    """The case rules as a `CaseRules`: replies attach to their cases, complaints open cases."""
    process_ingested(session, mention_ids, actor=actor)


def intake(
    session: Session,
    posts: Sequence[Post],
    *,
    enrichers: Sequence[Enricher] = (),
    source_id: int | None = None,
    actor: str = "system",
    now: datetime | None = None,
    rules: CaseRules | None = None,
) -> IntakeResult:
    """Ingest, then the case rules over the new and edited mentions (same transaction).

    `rules` is for a caller that lets someone else decide (the ingest API's `after_ingest`: a
    worker may apply the case rules later); they run only when the batch changed something."""
    stored = ingest(session, posts, enrichers=enrichers, source_id=source_id)
    if rules is None:
        return IntakeResult(stored, process_ingested(session, stored.mention_ids, actor=actor,
                                                     now=now))
    if stored.inserted or stored.updated:
        rules(session, stored.mention_ids, actor)
    return IntakeResult(stored)


def take_batch(session: Session, posts: Sequence[Post], *, enrichers: Sequence[Enricher],
               actor: str, rules: CaseRules = case_rules) -> IngestResult:
    """A batch sent to the ingest API: taken in, audited and committed as one transaction."""
    stored = intake(session, posts, enrichers=enrichers, actor=actor, rules=rules).stored
    record(session, actor, "mentions.ingest", "mention", None, inserted=stored.inserted,
           updated=stored.updated, unchanged=stored.unchanged)
    session.commit()
    return stored


def note_queued(session: Session, *, actor: str, task_id: str, count: int) -> None:
    """Distributed mode: the audit event of a batch handed to the workers, committed."""
    record(session, actor, "mentions.enqueue", "mention", None, task_id=task_id, count=count)
    session.commit()
