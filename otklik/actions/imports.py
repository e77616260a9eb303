"""Posts from the past (a file of mentions, the demo's backfilled history): stored and enriched
through the pipeline, no cases opened (the desk handles live posts: `actions.intake`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from otklik.actions.unit import transaction
from otklik.domain.enrichment import Enricher
from otklik.domain.posts import Post
from otklik.flow.importers import ImportReport, import_posts
from otklik.flow.pipeline import IngestResult, ingest


def store_history(sessions: sessionmaker[Session], posts: Sequence[Post], *,
                  enrichers: Sequence[Enricher] = ()) -> IngestResult:
    """One batch, in one transaction of its own: a kill leaves whole batches only, and the
    idempotent ingest completes a rerun without doubling anything."""
    with transaction(sessions) as session:
        return ingest(session, posts, enrichers=enrichers)


def import_file(sessions: sessionmaker[Session], path: Path, *,
                enrichers: Sequence[Enricher] = (), **options: Any) -> ImportReport:
    """`otklik import`: the whole file validated, then stored chunk by chunk, each chunk by
    `store_history`; `options` are `otklik.flow.importers.import_posts`'s (format, mapping,
    skip_bad, chunk, progress, …)."""
    return import_posts(partial(store_history, sessions, enrichers=enrichers), path, **options)
