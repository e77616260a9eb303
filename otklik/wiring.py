"""Assembles the enrichment list from the store's brands and the packaged models.

One place decides what runs on every incoming mention, for the embedded process, the importers,
the API and the Celery workers alike.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from otklik.domain.enrichment import Enricher


def build_enrichers(session: Session) -> list[Enricher]:
    """The default enrichers for this store (brand queries loaded from it)."""
    return []
