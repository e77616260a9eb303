"""Spike episodes: scored buckets grouped into events, the unit the desk stores and explains.

Kept apart from the detector (`otklik.analytics.spikes`): grouping needs only the scored buckets,
and the desk's thresholds for opening and keeping an episode are its own, not the detector's.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BucketScore:
    """One scored bucket: its count, the forecast, the score and the raw surprise (decades)."""

    ts: float
    value: float
    expected: float
    score: float
    surprise: float


@dataclass(frozen=True, slots=True)
class Episode:
    """A spike: consecutive anomalous buckets grouped into one event."""

    start: float
    peak: float
    end: float
    ongoing: bool  # still anomalous at the last bucket seen
    volume: float
    expected: float
    severity: float  # highest score in the episode, in [0, 1]
    surprise: float  # highest raw surprise, decades of tail probability


def group_episodes(buckets: Sequence[BucketScore], *, threshold: float = 0.5,
                   keep: float = 2.0, gap: float = 1800.0) -> list[Episode]:
    """Group buckets into spikes: one opens at a score >= threshold and goes on while the raw
    surprise stays >= keep decades (quiet stretches shorter than `gap` seconds are bridged)."""
    episodes: list[Episode] = []
    members: list[BucketScore] = []
    last_hot = -math.inf

    def close(ongoing: bool) -> None:
        hot = [b for b in members if b.ts <= last_hot]
        peak = max(hot, key=lambda b: b.value - b.expected)
        episodes.append(Episode(
            start=hot[0].ts, peak=peak.ts, end=hot[-1].ts, ongoing=ongoing,
            volume=sum(b.value for b in hot), expected=sum(b.expected for b in hot),
            severity=max(b.score for b in hot), surprise=max(b.surprise for b in hot)))

    for b in buckets:
        if members:
            if b.score >= threshold or b.surprise >= keep:
                members.append(b)
                last_hot = b.ts
            elif b.ts - last_hot > gap:
                close(False)
                members = []
            else:
                members.append(b)
        elif b.score >= threshold:
            members, last_hot = [b], b.ts
    if members:
        close(buckets[-1].ts - last_hot <= gap)
    return episodes
