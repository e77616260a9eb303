"""Priority: which mention to look at first, as one score in [0, 1] that explains itself.

The score is a weighted sum of six signals, each scaled to [0, 1]: negativity (P(negative) from
the sentiment model), reach (the author's followers or the post's views, whichever is larger;
log-scaled), engagement (likes, replies, reposts, log-scaled), place (1 on the brand's own page:
complaints there are seen by every visitor), recency (halves every `half_life`) and whether it
is a question to the brand. The returned reasons are each signal's contribution, so they add up
to the score and the desk can show why a mention is on top.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from otklik.domain.posts import Post


@dataclass(frozen=True, slots=True)
class PriorityWeights:
    """How much each signal counts; they are normalised to sum to 1."""

    negativity: float = 0.35
    reach: float = 0.15
    engagement: float = 0.10
    place: float = 0.15
    recency: float = 0.10
    question: float = 0.15
    # followers / engagement at which those signals saturate, and the recency half-life
    reach_cap: int = 1_000_000
    engagement_cap: int = 1_000
    half_life: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, (int, float)) and v < 0:
                raise ValueError(f"priority weight {f.name} must not be negative")
        if self.total <= 0:
            raise ValueError("at least one priority weight must be positive")

    @property
    def total(self) -> float:
        return (
            self.negativity + self.reach + self.engagement + self.place + self.recency
            + self.question
        )


SIGNALS = ("negativity", "reach", "engagement", "place", "recency", "question")


def place_key(post: Post) -> tuple[str, str] | None:
    """The key a caller uses to name owned places: (network, place external id)."""
    return (post.network, post.place.external_id) if post.place else None


def _log_scale(value: int | None, cap: int) -> float:
    if not value or value <= 0:
        return 0.0
    return min(1.0, math.log1p(value) / math.log1p(cap))


def signals(
    post: Post,
    *,
    sentiment_scores: Mapping[str, float] | None,
    is_question: bool,
    owned_places: frozenset[tuple[str, str]] | set[tuple[str, str]],
    now: datetime,
    weights: PriorityWeights,
) -> dict[str, float]:
    """Each signal of one mention scaled to [0, 1]."""
    neg = float(sentiment_scores.get("negative", 0.0)) if sentiment_scores else 0.0
    # audience: the author's followers, or the post's own reach (views) when larger or alone
    followers = max((post.author.followers if post.author else None) or 0, post.reach or 0)
    age = (now - post.created_at).total_seconds()
    half = weights.half_life.total_seconds()
    key = place_key(post)
    return {
        "negativity": min(1.0, max(0.0, neg)),
        "reach": _log_scale(followers, weights.reach_cap),
        "engagement": _log_scale(post.engagement, weights.engagement_cap),
        "place": 1.0 if key is not None and key in owned_places else 0.0,
        "recency": 1.0 if age <= 0 else 0.5 ** (age / half) if half > 0 else 0.0,
        "question": 1.0 if is_question else 0.0,
    }


def priority(
    post: Post,
    *,
    sentiment_scores: Mapping[str, float] | None = None,
    is_question: bool = False,
    owned_places: frozenset[tuple[str, str]] | set[tuple[str, str]] = frozenset(),
    now: datetime,
    weights: PriorityWeights | None = None,
) -> tuple[float, dict[str, float]]:
    """The score in [0, 1] and each signal's contribution to it (they sum to the score)."""
    w = weights or PriorityWeights()
    sig = signals(
        post,
        sentiment_scores=sentiment_scores,
        is_question=is_question,
        owned_places=owned_places,
        now=now,
        weights=w,
    )
    contributions = {name: round(getattr(w, name) / w.total * sig[name], 4) for name in SIGNALS}
    score = min(1.0, max(0.0, sum(contributions.values())))
    return round(score, 4), contributions
