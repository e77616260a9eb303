"""RSS/Atom through the shared client: ids, dates, safe text, conditional GET, junk feeds."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from otklik.sources.errors import BadResponse
from otklik.sources.rss import RSSSource

from .conftest import respond


def feed(server: HTTPServer, client, path: str = "/feed.xml") -> RSSSource:  # type: ignore[no-untyped-def]
    return RSSSource(client, kind="feed", params={"url": server.url_for(path)})


async def test_rss2_entries(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_response(
        respond("rss", "feed__rss2.xml", headers={"ETag": '"v1"'}))
    page = await feed(httpserver, client).fetch_page(None)
    first, second = page.posts
    assert first.external_id == "news-example-184467"  # the guid
    assert second.external_id == "https://news.example.ru/2026/11/24/rating"  # no guid: link
    assert first.text == ("Сеть кофеен «Зерно» закрыла точку на Тверской на санобработку\n\n"
                          "Посетители жалуются на холодный кофе и очереди.\n"
                          "Компания обещает разобраться 😊")
    assert "tracker" not in first.text and "document.write" not in first.text
    assert first.created_at.isoformat() == "2026-11-25T08:45:00+00:00"
    assert first.author and first.author.name == "Ирина Белова"
    assert first.place and first.place.name == "Городские новости — Москва"
    assert first.place.kind == "feed" and first.place.external_id == httpserver.url_for("/feed.xml")
    assert "&" in second.text and "&amp;" not in second.text
    assert page.cursor["etag"] == '"v1"'


async def test_atom_entries_and_updates(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_response(respond("rss", "feed__atom.xml"))
    post, bare = (await feed(httpserver, client).fetch_page(None)).posts
    assert post.external_id == "tag:blog.example.org,2026:post-77"
    assert post.text == ("Обзор: осеннее меню в Зерне\n\nТыквенный раф — отлично 🎃\n"
                         "А вот сервис хромает.")
    assert "steal" not in post.text and "color:red" not in post.text
    assert post.edited_at and post.edited_at.isoformat() == "2026-11-25T10:00:00+00:00"
    assert post.url == "https://blog.example.org/zerno-autumn"
    assert bare.external_id.startswith("sha1:")  # no id, no link: a stable hash of title+date


async def test_conditional_get_304_keeps_the_cursor(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304)
    cursor = {"etag": '"v1"', "modified": None, "newest": "2026-11-25T08:45:00+00:00"}
    page = await feed(httpserver, client).fetch_page(cursor)
    assert page.posts == [] and page.cursor == cursor


async def test_a_page_that_is_not_a_feed(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/feed.xml").respond_with_response(
        respond("rss", "feed__not_a_feed.html"))
    with pytest.raises(BadResponse, match="not a feed"):
        await feed(httpserver, client).fetch_page(None)


async def test_feed_url_must_be_http(client) -> None:
    source = RSSSource(client, kind="feed", params={"url": "file:///etc/passwd"})
    with pytest.raises(ValueError, match="http"):
        await source.fetch_page(None)
