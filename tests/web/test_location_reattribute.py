"""Settings → Точки: after a café is added, a button attributes the mentions stored before it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from otklik.actions.brands import create_brand
from otklik.actions.locations import LocationInput, save_location
from otklik.actions.unit import transaction
from otklik.db.models import MentionBrand
from otklik.flow.pipeline import ingest
from otklik.flow.wiring import Enrichment
from tests.factories import make_post
from tests.web.conftest import csrf_of


def test_the_button_attributes_earlier_mentions(desk: Any) -> None:
    store = desk.store
    when = datetime.now(UTC) - timedelta(days=2)
    with transaction(store.sessions) as s:
        brand_id = create_brand(s, "Зерно", queries=["зерно"]).id
        ids = ingest(s, [make_post(text="В Зерне на Никольской очередь", created_at=when)],
                     enrichers=Enrichment(sentiment=False).enrichers(s)).mention_ids
        location = save_location(s, brand_id, LocationInput(
            "Зерно на Никольской", "Москва, Никольская ул., 10"), actor="t").id
    client = desk.client("analyst")
    token = csrf_of(client, f"/settings/locations?brand={brand_id}")
    page = client.post("/settings/locations/reattribute",
                       data={"csrf_token": token, "brand_id": str(brand_id)})
    assert page.status_code == 200 and "Точка изменилась у 1 упоминания" in page.text
    with transaction(store.sessions) as s:
        row = s.scalar(select(MentionBrand).where(MentionBrand.mention_id == ids[0]))
        assert row is not None and row.location_id == location
    viewer = desk.client("viewer")
    assert 'id="location-reattribute"' not in viewer.get(
        f"/settings/locations?brand={brand_id}").text
    assert viewer.post("/settings/locations/reattribute", data={
        "csrf_token": csrf_of(viewer, "/overview"), "brand_id": str(brand_id)}).status_code == 403
