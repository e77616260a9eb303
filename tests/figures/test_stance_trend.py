"""The communities page's tone by week: one bar per local week, its height the place's mentions
of the brand that week and its red part the negative ones, on both stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from otklik.actions.unit import transaction
from otklik.db.models import Brand, Place
from otklik.domain.posts import Author, Post
from otklik.domain.posts import Place as PlaceRef
from otklik.figures.stance_trend import stance_trends
from otklik.flow.pipeline import ingest

MOSCOW = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)  # a Thursday


def _store(store: Any) -> tuple[int, int]:
    """A brand and one place: 3 mentions (1 negative) five weeks ago, 4 (all negative) this
    week, and one on a Sunday 22:30 UTC, which is already Monday in Moscow."""
    with transaction(store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        brand_id = brand.id
    sunday_night = datetime(2026, 11, 22, 22, 30, tzinfo=UTC)
    rows = [(NOW - timedelta(weeks=5, hours=i), "negative" if i == 0 else "neutral")
            for i in range(3)]
    rows += [(NOW - timedelta(hours=i + 1), "negative") for i in range(4)]
    rows.append((sunday_night, "positive"))
    posts = [Post(network="vk", external_id=f"p{i}", text=f"пост {i}", created_at=when,
                  author=Author(external_id=f"u{i}"), place=PlaceRef(external_id="-1", name="Чат"))
             for i, (when, _) in enumerate(rows)]
    labels = {p.external_id: label for p, (_, label) in zip(posts, rows, strict=True)}

    def enrich(batch: Any) -> None:
        for item in batch:
            item.brand_matches = {brand_id: []}
            item.sentiment = labels[item.post.external_id]

    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[enrich])
    with transaction(store.sessions) as s:
        place_id = s.scalar(select(Place.id).where(Place.external_id == "-1"))
    return brand_id, place_id


def test_weeks_are_local_and_count_the_brands_mentions_and_negatives(store: Any) -> None:
    brand_id, place_id = _store(store)
    with transaction(store.sessions) as s:
        weeks = stance_trends(s, [(brand_id, place_id)], MOSCOW, now=NOW)[(brand_id, place_id)]
        other = stance_trends(s, [(brand_id + 1, place_id)], MOSCOW, now=NOW)
    assert len(weeks) == 8
    assert [w.start.astimezone(MOSCOW).weekday() for w in weeks] == [0] * 8
    assert [(w.n, w.negative) for w in weeks] == [
        (0, 0), (0, 0), (3, 1), (0, 0), (0, 0), (0, 0), (0, 0), (5, 4)]
    assert all(w.n == 0 for w in other[(brand_id + 1, place_id)])  # another brand's: none


def test_the_communities_page_draws_each_places_weeks(sqlite_store: Any) -> None:
    from otklik.actions.communities import refresh_communities
    from tests.web.conftest import make_desk

    brand_id, _ = _store(sqlite_store)
    with transaction(sqlite_store.sessions) as s:
        refresh_communities(s, brand_id, now=NOW)
    page = make_desk(sqlite_store).client("viewer").get(f"/communities?brand={brand_id}")
    assert page.status_code == 200
    assert 'class="stance-trend"' in page.text and "Тон по неделям" in page.text
    assert "негатив" in page.text and "упоминани" in page.text
