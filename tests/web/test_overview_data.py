"""The overview's figures equal a plain count in Python, per bucket, on both stores."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from otklik.db.engine import session_scope
from otklik.db.models import Brand, Mention, MentionBrand
from otklik.domain.enrichment import Enriched
from otklik.figures import overview as data
from otklik.figures.buckets import key_of
from otklik.pipeline import ingest
from tests.factories import make_post

LABELS = ("negative", "neutral", "positive", None)


@pytest.mark.parametrize(("days", "bucket", "zone"), [
    (2, "hour", "UTC"), (7, "day", "Europe/Moscow"), (2, "hour", "Asia/Kolkata")])
def test_volume_and_split_match_a_plain_count(store: Any, days: int, bucket: str,
                                              zone: str) -> None:
    """Buckets are the desk's local hours and days (Kolkata: half an hour off UTC's)."""
    tz = ZoneInfo(zone)
    rng = random.Random(days)
    now = datetime.now(UTC)
    until = now - timedelta(minutes=17)  # windows that do not start or end on a bucket edge
    since = until - timedelta(days=days)
    posts = [make_post(created_at=now - timedelta(minutes=rng.randint(0, (days + 1) * 1440)))
             for _ in range(300)]
    with session_scope(store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        brand_id = brand.id

    def label(batch: list[Enriched]) -> None:
        for item in batch:
            item.sentiment = rng.choice(LABELS)
            if rng.random() < 0.5:
                item.brand_matches = {brand_id: []}

    with session_scope(store.sessions) as s:
        ingest(s, posts, enrichers=[label])
    with session_scope(store.sessions) as s:
        for brand in (None, brand_id):
            stmt = select(Mention.created_at, Mention.sentiment)
            if brand is not None:
                stmt = stmt.join(MentionBrand, MentionBrand.mention_id == Mention.id)
            rows = [(t, label) for t, label in s.execute(stmt) if since <= t < until]
            n = Counter(key_of(t, bucket, tz) for t, _ in rows)
            neg = Counter(key_of(t, bucket, tz) for t, lb in rows if lb == "negative")
            series, split = data.volume_and_split(s, brand, since, until, bucket, tz)
            assert series == [{"t": t, "n": n[t], "neg": neg[t]} for t in sorted(n)]
            counted = Counter(label or "unknown" for _, label in rows)
            assert split == {k: counted[k] for k in (*LABELS[:3], "unknown")}
            assert 0 < sum(n.values()) < len(posts)
