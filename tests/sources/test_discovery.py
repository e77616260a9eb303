"""Communities named after the brand, found through VK groups.search, join the registry."""

from __future__ import annotations

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from otklik.actions.brands import create_brand
from otklik.actions.discovery import discover_vk
from otklik.db.models import Channel, Community
from otklik.sources.vk import VKSource

from .conftest import base_url, respond


async def test_groups_search_fills_the_registry_once(store, httpserver: HTTPServer,
                                                     client) -> None:
    httpserver.expect_request("/method/groups.search").respond_with_response(
        respond("vk", "groups.search__zerno.json"))
    vk = VKSource(client, kind="search", params={"q": "Зерно"}, base_url=base_url(httpserver),
                  credentials={"access_token": "vk1.a.READ"})
    with store.sessions() as s:
        brand = create_brand(s, "Зерно")
        s.add(Channel(brand_id=brand.id, network="vk", external_id="-100500", name="Зерно"))
        s.flush()
        added = await discover_vk(s, brand.id, vk, actor="test")
        s.commit()
        assert {(c.key, c.stance) for c in added} == {
            ("vk:-100500", "official"), ("vk:-100777", "unofficial-neutral"),
            ("vk:-100999", "unofficial-neutral")}
        again = await discover_vk(s, brand.id, vk, actor="test")
        assert again == []
        assert len(s.scalars(select(Community)).all()) == 3
    assert [r[0].form["q"] for r in httpserver.log] == ["Зерно", "Зерно"]
