"""Assembles the enrichment chain from the store's brands and the packaged models.

One place decides what runs on every incoming mention, for the embedded process, the importers,
the API and the Celery workers alike. `Enrichment` is the long-lived part: it keeps the
near-duplicate index across batches and rebuilds the brand-query index only when queries change.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.analytics.locations import LocationIndex, location_enricher
from otklik.db.models import Brand, BrandQuery, Channel, Location, Mention, Place
from otklik.domain.enrichment import ENRICH_CHARS, Enricher
from otklik.nlp.duplicates import DuplicateIndex
from otklik.nlp.enrichers import default_enrichers
from otklik.nlp.toponyms import location_indexes
from otklik.query.index import QueryIndex, brand_matcher
from otklik.query.search import index_from_store

PRIME_LIMIT = 20_000  # recent mentions loaded into the duplicate index at start-up
CATCH_UP_OVERLAP = 2_000  # ids re-read each batch, for concurrent writers that commit late


class Enrichment:
    """Enrichment state for one process; `enrichers(session)` gives the chain for a batch."""

    def __init__(self, *, sentiment_model: Path | None = None, sentiment: bool = True,
                 duplicate_window: timedelta = timedelta(days=7)) -> None:
        self.sentiment_model = sentiment_model
        self.use_sentiment = sentiment
        self.duplicates = DuplicateIndex(window=duplicate_window)
        self._primed = False
        self._seen_id = 0  # the newest mention id this process has indexed
        self._checked: set[int] = set()  # ids near the newest, already looked at
        self._signature = ""
        self._index = QueryIndex()
        self._brand_names: dict[int, list[str]] = {}
        self._owned: frozenset[tuple[str, str]] = frozenset()
        self._locations: dict[int, LocationIndex] = {}
        self._lock = threading.Lock()

    def enrichers(self, session: Session) -> list[Enricher]:
        with self._lock:
            self._refresh(session)
            if not self._primed:
                self._prime(session)
            else:
                self._catch_up(session)
            sentiment = self._sentiment() if self.use_sentiment else None
            return [*default_enrichers(
                sentiment=sentiment,
                matcher=brand_matcher(self._index),
                owned_places=self._owned,
                duplicate_index=self.duplicates,
            ), location_enricher(self._locations)]

    def _refresh(self, session: Session) -> None:
        """Rebuild the query and location indexes when a query, brand, owned channel or
        location changed."""
        queries = session.execute(
            select(BrandQuery.id, BrandQuery.brand_id, BrandQuery.text, BrandQuery.enabled)
            .order_by(BrandQuery.id)
        ).all()
        brands = session.execute(select(Brand.id, Brand.name, Brand.settings)).all()
        owned = list(session.execute(select(Channel.network, Channel.external_id)).all())
        owned += session.execute(
            select(Place.network, Place.external_id).where(Place.official_brand_id.is_not(None))
        ).all()
        locations = session.scalars(select(Location).order_by(Location.id)).all()
        located = [(x.id, x.brand_id, x.name, x.address, x.lat, x.lon, x.aliases, x.places,
                    x.enabled) for x in locations]
        signature = hashlib.sha1(
            repr((queries, brands, sorted(owned), located)).encode()).hexdigest()
        if signature == self._signature:
            return
        self._index = index_from_store(session)
        self._brand_names = {
            b.id: [b.name, *((b.settings or {}).get("aliases") or [])] for b in brands
        }
        self._owned = frozenset((n, e) for n, e in owned)
        self._locations = location_indexes(locations, self._brand_names,
                                           {b.id: b.settings or {} for b in brands})
        self._signature = signature

    def _prime(self, session: Session) -> None:
        """Load recent texts so a repeat of yesterday's post still joins its cluster."""
        self._seen_id = int(session.scalar(select(func.max(Mention.id))) or 0)
        since = datetime.now(UTC) - (self.duplicates.window or timedelta(days=7))
        rows = session.execute(
            select(Mention.network, Mention.external_id, _bounded_text(), Mention.created_at)
            .where(Mention.created_at >= since)
            .order_by(Mention.created_at.desc())
            .limit(PRIME_LIMIT)
        ).all()
        self.duplicates.add_batch([((n, e), t, at) for n, e, t, at in reversed(rows)])
        self._primed = True

    def _catch_up(self, session: Session) -> None:
        """Index what other processes stored since the last batch, so a copy that reaches this
        worker joins the cluster another worker started. The last `CATCH_UP_OVERLAP` ids are
        looked at again (on PostgreSQL a transaction that took its ids earlier may commit after
        a later one), but only as ids: a mention is read once, and its text only when it is
        not this process's own (those are in the index already)."""
        ids = session.scalars(
            select(Mention.id).where(Mention.id > self._seen_id - CATCH_UP_OVERLAP)
            .order_by(Mention.id).limit(PRIME_LIMIT)
        ).all()
        if not ids:
            return
        self._seen_id = max(self._seen_id, ids[-1])
        new = [i for i in ids if i not in self._checked]
        self._checked.update(new)
        if len(self._checked) > 4 * CATCH_UP_OVERLAP:
            floor = self._seen_id - CATCH_UP_OVERLAP
            self._checked = {i for i in self._checked if i > floor}
        for i in range(0, len(new), 500):
            keys = session.execute(
                select(Mention.id, Mention.network, Mention.external_id)
                .where(Mention.id.in_(new[i:i + 500]))
            ).all()
            missing = [row.id for row in keys
                       if (row.network, row.external_id) not in self.duplicates]
            if not missing:
                continue
            rows = session.execute(
                select(Mention.network, Mention.external_id, _bounded_text(), Mention.created_at)
                .where(Mention.id.in_(missing)).order_by(Mention.id)
            ).all()
            self.duplicates.add_batch([((n, e), t, at) for n, e, t, at in rows])

    def _sentiment(self) -> Enricher:
        from otklik.nlp.sentiment import SentimentModel, sentiment_enricher

        return sentiment_enricher(SentimentModel.load(self.sentiment_model),
                                  brand_names=self._brand_names)


def _bounded_text() -> Any:
    """The stored text as the enrichers read it: a stored megabyte is not read back whole."""
    return func.substr(Mention.text, 1, ENRICH_CHARS)


def build_enrichers(session: Session, state: Enrichment | None = None) -> list[Enricher]:
    """The default chain for this store; pass a long-lived `Enrichment` to keep its state."""
    return (state or Enrichment()).enrichers(session)
