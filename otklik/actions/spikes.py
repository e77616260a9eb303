"""Detect spikes in a brand's mention volume and store them, with their explanation.

Each run rebuilds the brand's bucket counts (all mentions, and negative ones) over a bounded
history from the store, runs the online detector over them and groups the detections into
episodes. The history starts on a fixed weekly grid, so two runs at the same moment see the same
buckets and find the same episodes; an episode that overlaps a stored spike of the same series
updates it (a spike that goes on is extended, never duplicated). Only complete buckets are scored.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.analytics.explain import explain_spike
from otklik.analytics.locations import dominant_location
from otklik.analytics.spikes import DetectorConfig, Episode, SpikeDetector, detect, group_episodes
from otklik.db.models import Author, Location, Mention, MentionBrand, Place, Spike

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class SpikeSettings:
    """How spikes are found: passed in by the caller (brand settings may override)."""

    history: timedelta = timedelta(days=28)
    baseline: timedelta = timedelta(days=7)  # the period an explanation compares against
    # a desk alarm costs more than a NAB false positive: a little stricter than NAB's best (0.5)
    threshold: float = 0.6
    keep: float = 2.0
    gap: timedelta = timedelta(minutes=30)
    min_volume: int = 5  # an episode with fewer mentions than this is not a spike
    detector: DetectorConfig = DetectorConfig()


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _brand_sentiment() -> Any:
    """Sentiment toward the brand when it was set, the post's own otherwise."""
    return func.coalesce(MentionBrand.sentiment, Mention.sentiment)


def _bucket_counts(session: Session, brand_id: int, start: datetime, stop: datetime,
                   size: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bucket start times (epoch seconds) and counts of all and of negative mentions."""
    rows = session.execute(  # the brand's copies: one range of ix_mention_brands_window
        select(MentionBrand.created_at, MentionBrand.sentiment)
        .where(MentionBrand.brand_id == brand_id, MentionBrand.created_at >= start,
               MentionBrand.created_at < stop)
    ).all()
    t0, t1 = start.timestamp(), stop.timestamp()
    n = int(round((t1 - t0) / size))
    edges = t0 + size * np.arange(n)
    idx = np.array([int((_utc(r[0]).timestamp() - t0) // size) for r in rows], dtype=int)
    neg = np.array([r[1] == "negative" for r in rows], dtype=bool)
    idx_ok = (idx >= 0) & (idx < n)
    counts_all = np.bincount(idx[idx_ok], minlength=n).astype(float)
    counts_neg = np.bincount(idx[idx_ok & neg], minlength=n).astype(float)
    return edges, counts_all, counts_neg


def _mentions(session: Session, brand_id: int, start: datetime, stop: datetime,
              negative_only: bool) -> list[dict[str, Any]]:
    """Mention records for the explanation (plain dicts: explain.py knows no store)."""
    sentiment = _brand_sentiment().label("sentiment")
    query = (
        select(Mention.id, Mention.text, Mention.created_at, Mention.url, Mention.hashtags,
               Mention.cluster_id, sentiment, Author.handle, Author.name, Place.name,
               Place.external_id, Location.name)
        .join(MentionBrand, MentionBrand.mention_id == Mention.id)
        .outerjoin(Author, Author.id == Mention.author_id)
        .outerjoin(Place, Place.id == Mention.place_id)
        .outerjoin(Location, Location.id == MentionBrand.location_id)
        .where(MentionBrand.brand_id == brand_id, Mention.created_at >= start,
               Mention.created_at < stop)
        .order_by(Mention.created_at, Mention.id)
    )
    if negative_only:
        query = query.where(_brand_sentiment() == "negative")
    return [
        {"id": r[0], "text": r[1], "created_at": _utc(r[2]), "url": r[3], "hashtags": r[4],
         "cluster_id": r[5], "sentiment": r[6], "author": r[7] or r[8], "place": r[9] or r[10],
         "location": r[11]}
        for r in session.execute(query)
    ]


def _to_dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


def _store(session: Session, brand_id: int, series: str, ep: Episode, size: float,
           settings: SpikeSettings) -> tuple[Spike, bool]:
    """Create the episode's spike or update the stored one it overlaps; True when changed."""
    start, peak = _to_dt(ep.start), _to_dt(ep.peak)
    end = None if ep.ongoing else _to_dt(ep.end + size)
    until = end or _to_dt(ep.end + size)
    spike = session.scalars(
        select(Spike).where(
            Spike.brand_id == brand_id, Spike.series == series, Spike.start < until,
            or_(Spike.end.is_(None), Spike.end > start),
        ).order_by(Spike.start)
    ).first()
    values = {"start": start, "peak": peak, "end": end, "volume": int(ep.volume),
              "expected": round(ep.expected, 2), "severity": round(ep.severity, 4)}
    if spike is not None:
        current = {k: getattr(spike, k) for k in values}
        current["start"], current["peak"] = _utc(current["start"]), _utc(current["peak"])
        if current["end"] is not None:
            current["end"] = _utc(current["end"])
        if current == values:
            return spike, False
        for key, value in values.items():
            setattr(spike, key, value)
        action = "spike.extended"
    else:
        spike = Spike(brand_id=brand_id, series=series, **values)
        session.add(spike)
        action = "spike.detected"
    during = _mentions(session, brand_id, start, until, series == "negative")
    baseline = _mentions(session, brand_id, start - settings.baseline, start,
                         series == "negative")
    explanation = explain_spike(during, baseline)
    explanation["surprise"] = round(ep.surprise, 2)
    explanation["location"] = dominant_location(m["location"] for m in during)
    spike.explanation = explanation
    session.flush()
    record(session, "system", action, "spike", spike.id, brand_id=brand_id, series=series,
           volume=int(ep.volume), expected=round(ep.expected, 2), summary=explanation["summary"])
    return spike, True


def detect_spikes(session: Session, brand_id: int, *, bucket: timedelta = timedelta(minutes=5),
                  now: datetime | None = None, settings: SpikeSettings | None = None,
                  ) -> list[Spike]:
    """Find the brand's spikes (all mentions and negative ones) and store new or extended ones.

    Returns the spikes created or changed by this run (empty when nothing changed).
    """
    settings = settings or SpikeSettings()
    size = bucket.total_seconds()
    now = _utc(now or datetime.now(UTC))
    stop = _to_dt(math.floor(now.timestamp() / size) * size)  # complete buckets only
    grid = WEEK.total_seconds()
    start = _to_dt(math.floor((stop - settings.history).timestamp() / grid) * grid)
    first = session.scalar(
        select(func.min(MentionBrand.created_at))
        .where(MentionBrand.brand_id == brand_id, MentionBrand.created_at >= start)
    )
    if first is None or _utc(first) >= stop:
        return []
    start = _to_dt(math.floor(_utc(first).timestamp() / size) * size)
    edges, counts_all, counts_neg = _bucket_counts(session, brand_id, start, stop, size)
    changed: list[Spike] = []
    for series, counts in (("all", counts_all), ("negative", counts_neg)):
        buckets = detect(edges.tolist(), counts.tolist(), SpikeDetector(settings.detector))
        episodes: Sequence[Episode] = group_episodes(
            buckets, threshold=settings.threshold, keep=settings.keep,
            gap=settings.gap.total_seconds())
        for ep in episodes:
            if ep.volume < settings.min_volume:
                continue
            spike, did_change = _store(session, brand_id, series, ep, size, settings)
            if did_change:
                changed.append(spike)
    return changed
