"""What enrichment adds to a post before it is stored, and the shape of an enricher.

An enricher is a plain function (or callable object) over a batch: it reads `item.post` and fills
fields of `item`. The pipeline runs them in order and stores what they filled, so the same list
runs in the embedded process and in a Celery worker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from otklik.domain.posts import Post

ENRICH_CHARS = 10_000
"""Enrichers read at most this many characters of a post (the stored text stays whole): a
megabyte of one word must cost what a long post costs, not stall ingest and the server."""


@dataclass(slots=True)
class Enriched:
    post: Post
    is_new: bool = True
    lang: str | None = None
    sentiment: str | None = None  # negative, neutral, positive
    sentiment_scores: dict[str, float] | None = None
    customer_name: str | None = None
    is_question: bool = False
    priority: float | None = None
    priority_reasons: dict[str, Any] | None = None
    # brand id → ids of the brand's queries that matched
    brand_matches: dict[int, list[int]] = field(default_factory=dict)
    # brand id → sentiment toward that brand, when it differs from the post's
    brand_sentiments: dict[int, str] = field(default_factory=dict)
    # brand id → id of the brand's location the post is about, when one is found
    brand_locations: dict[int, int] = field(default_factory=dict)
    # (network, external_id) of an earlier mention this one nearly duplicates
    duplicate_of: tuple[str, str] | None = None

    @property
    def text(self) -> str:
        """The post's text as the enrichers read it: bounded to `ENRICH_CHARS`."""
        return (self.post.text or "")[:ENRICH_CHARS]

    @property
    def sentiment_score(self) -> float | None:
        """P(negative) − P(positive): one number to sort by negativity."""
        if not self.sentiment_scores:
            return None
        s = self.sentiment_scores
        return float(s.get("negative", 0.0)) - float(s.get("positive", 0.0))


Enricher = Callable[[Sequence[Enriched]], None]
