"""Each stored brand mention carries the location it is about, found at enrichment; a location
added later is used for the next batch."""

from __future__ import annotations

from sqlalchemy import select

from otklik.actions.brands import create_brand
from otklik.actions.locations import LocationInput, save_location
from otklik.actions.unit import transaction
from otklik.db.models import Location, MentionBrand
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment
from tests.factories import make_post


def test_brand_mentions_get_their_location(store) -> None:
    with transaction(store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        save_location(s, brand.id, LocationInput(
            "Зерно на Арбате", "Москва, ул. Арбат, 10", 55.7515, 37.5960, ["Арбатская"]),
            actor="test")
    enrichment = Enrichment(sentiment=False)
    posts = [make_post(text="В Зерне на Арбате холодный кофе"),
             make_post(text="Зерно: жду заказ", lat=55.7518, lon=37.5955),
             make_post(text="Зерно на Никольской отличное")]
    with transaction(store.sessions) as s:
        ids = ingest(s, posts, enrichers=enrichment.enrichers(s)).mention_ids
    with transaction(store.sessions) as s:
        save_location(s, brand.id, LocationInput("Зерно на Никольской",
                                                 "Москва, Никольская ул., 10"), actor="test")
        later = ingest(s, [make_post(text="Зерно на Никольской, очередь")],
                       enrichers=enrichment.enrichers(s)).mention_ids
    with transaction(store.sessions) as s:
        names = dict(s.execute(select(Location.id, Location.name)).all())
        got = dict(s.execute(select(MentionBrand.mention_id, MentionBrand.location_id)).all())
    assert [names.get(got[i]) for i in ids + later] == [
        "Зерно на Арбате", "Зерно на Арбате", None, "Зерно на Никольской"]
