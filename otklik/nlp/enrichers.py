"""The enrichers the pipeline runs over each batch, and their default order.

Each enricher is a callable over `Sequence[Enriched]` that fills some fields (see
`otklik.domain.enrichment`). They hold what is expensive to build (the language detector, the
morphology, the duplicate index) so build the list once per process with `default_enrichers` and
reuse it for every batch: the duplicate index in particular must live across batches for a new
mention to join a cluster seen earlier.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from otklik.domain.enrichment import Enriched, Enricher
from otklik.nlp.duplicates import DuplicateIndex
from otklik.nlp.lang import UND, detector_for
from otklik.nlp.names import NameFinder, shared_finder
from otklik.nlp.priority import PriorityWeights, place_key, priority
from otklik.nlp.questions import is_question

Clock = Callable[[], datetime]
PlaceKeys = frozenset[tuple[str, str]]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class LanguageEnricher:
    """Fills `lang` (ISO 639-1 or `und`); a language the source reported is kept if supported."""

    def __init__(self, extra_languages: Iterable[str] = (), *, trust_source: bool = True) -> None:
        self.detector = detector_for(extra_languages)
        self.trust_source = trust_source

    def __call__(self, items: Sequence[Enriched]) -> None:
        todo = []
        for item in items:
            given = (item.post.lang or "").lower()
            if self.trust_source and given in self.detector.codes:
                item.lang = given
            else:
                todo.append(item)
        for item, lang in zip(
            todo, self.detector.detect_batch([i.text for i in todo]), strict=True
        ):
            item.lang = lang


class NameEnricher:
    """Fills `customer_name` from the author's display name and a self-introduction."""

    def __init__(self, finder: NameFinder | None = None) -> None:
        self.finder = finder or shared_finder()

    def __call__(self, items: Sequence[Enriched]) -> None:
        for item in items:
            author = item.post.author
            item.customer_name = self.finder.find(author.name if author else None, item.text)


class DuplicateEnricher:
    """Fills `duplicate_of` with the (network, external_id) of the cluster's first mention."""

    def __init__(self, index: DuplicateIndex | None = None) -> None:
        self.index = index if index is not None else DuplicateIndex()
        self._lock = threading.Lock()  # the web app and the scheduler may ingest at once

    def __call__(self, items: Sequence[Enriched]) -> None:
        ordered = sorted(items, key=lambda i: i.post.created_at)
        with self._lock:
            answers = self.index.add_batch(
                [((i.post.network, i.post.external_id), i.text, i.post.created_at)
                 for i in ordered]
            )
        for item, root in zip(ordered, answers, strict=True):
            if isinstance(root, tuple) and len(root) == 2:
                item.duplicate_of = (str(root[0]), str(root[1]))
            else:
                item.duplicate_of = None


class QuestionEnricher:
    """Fills `is_question`: asks something, on the brand's page, naming the brand, or to "you"."""

    def __init__(self, owned_places: Iterable[tuple[str, str]] = ()) -> None:
        self.owned_places: PlaceKeys = frozenset(owned_places)

    def __call__(self, items: Sequence[Enriched]) -> None:
        for item in items:
            key = place_key(item.post)
            item.is_question = is_question(
                item.text,
                on_own_page=key is not None and key in self.owned_places,
                names_brand=bool(item.brand_matches),
            )


class PriorityEnricher:
    """Fills `priority` and `priority_reasons` (each signal's contribution to the score)."""

    def __init__(
        self,
        owned_places: Iterable[tuple[str, str]] = (),
        *,
        weights: PriorityWeights | None = None,
        clock: Clock = _utcnow,
    ) -> None:
        self.owned_places: PlaceKeys = frozenset(owned_places)
        self.weights = weights or PriorityWeights()
        self.clock = clock

    def __call__(self, items: Sequence[Enriched]) -> None:
        now = self.clock()
        for item in items:
            item.priority, item.priority_reasons = priority(
                item.post,
                sentiment_scores=item.sentiment_scores,
                is_question=item.is_question,
                owned_places=self.owned_places,
                now=now,
                weights=self.weights,
            )


def default_enrichers(
    *,
    sentiment: Enricher | None = None,
    matcher: Enricher | None = None,
    owned_places: Iterable[tuple[str, str]] = (),
    extra_languages: Iterable[str] = (),
    duplicate_index: DuplicateIndex | None = None,
    duplicate_window: timedelta = timedelta(days=3),
    weights: PriorityWeights | None = None,
    clock: Clock = _utcnow,
    names: bool = True,
) -> list[Enricher]:
    """The enrichers in the order their inputs need.

    language → [matcher] → [sentiment] → names → duplicates → questions → priority: the
    sentiment model reads the language, questions read the brand matches, priority reads
    sentiment and questions. `owned_places` are (network, place external id) pairs of the brands'
    own pages.
    """
    owned = frozenset(owned_places)
    chain: list[Enricher] = [LanguageEnricher(extra_languages)]
    if matcher is not None:
        chain.append(matcher)
    if sentiment is not None:
        chain.append(sentiment)
    if names:
        chain.append(NameEnricher())
    if duplicate_index is None:  # not `or`: an empty index is falsy (it has a length)
        duplicate_index = DuplicateIndex(window=duplicate_window)
    chain.append(DuplicateEnricher(duplicate_index))
    chain.append(QuestionEnricher(owned))
    chain.append(PriorityEnricher(owned, weights=weights, clock=clock))
    return chain


__all__ = [
    "UND",
    "DuplicateEnricher",
    "LanguageEnricher",
    "NameEnricher",
    "PriorityEnricher",
    "QuestionEnricher",
    "default_enrichers",
]
