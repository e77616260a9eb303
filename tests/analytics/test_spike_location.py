"""A spike is explained by its location when one dominates ("82 % всплеска — Зерно на
Тверской"); a spread-out one names none."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from otklik.actions.brands import create_brand
from otklik.actions.locations import LocationInput, save_location
from otklik.actions.spikes import detect_spikes
from otklik.actions.unit import transaction
from otklik.analytics.locations import dominant_location, location_enricher
from otklik.db.models import Brand, Location, Spike
from otklik.flow.pipeline import ingest
from otklik.nlp.toponyms import location_indexes
from otklik.wording.spike_story import tell
from tests.analytics.test_spikes import _brand_matcher, _posts


def test_dominant_location() -> None:
    assert dominant_location(["Арбат"] * 8 + [None, "Тверская"]) == {
        "name": "Арбат", "count": 8, "share": 0.8}
    assert dominant_location(["Арбат"] * 4 + [None] * 6) is None  # 40 %: none dominates
    assert dominant_location(["Арбат", "Арбат"]) is None  # too few to say
    assert dominant_location([]) is None


def test_the_spike_names_its_location(store) -> None:
    start = datetime(2026, 10, 1, tzinfo=UTC)
    with transaction(store.sessions) as s:
        brand = create_brand(s, "Зерно")
        brand_id = brand.id
        for name, address in (("Зерно на Тверской", "Москва, Тверская ул., 12"),
                              ("Зерно на Арбате", "Москва, ул. Арбат, 10")):
            save_location(s, brand_id, LocationInput(name, address), actor="test")
    with transaction(store.sessions) as s:
        brands = {b.id: b for b in s.scalars(select(Brand))}
        indexes = location_indexes(s.scalars(select(Location)).all(),
                                   {i: [b.name] for i, b in brands.items()},
                                   {i: {} for i in brands})
    posts, _ = _posts(start, days=3)
    with transaction(store.sessions) as s:
        ingest(s, posts, enrichers=[_brand_matcher(brand_id, ["отравились"]),
                                    location_enricher(indexes)])
    with transaction(store.sessions) as s:
        detect_spikes(s, brand_id, now=start + timedelta(days=3))
        negative = s.scalar(select(Spike).where(Spike.series == "negative"))
        assert negative is not None
        located = negative.explanation["location"]
        assert located["name"] == "Зерно на Тверской" and located["share"] > 0.9
        story = tell(negative, negative.explanation, brand="Зерно", lang="ru",
                     tz=ZoneInfo("Europe/Moscow"))
        assert any("всплеска — «Зерно на Тверской»" in line for line in story.sentences)
