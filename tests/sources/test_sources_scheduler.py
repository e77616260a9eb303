"""The embedded scheduler: polls every enabled source, survives a failing one, stops on demand."""

from __future__ import annotations

import asyncio
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from otklik.db.models import Mention
from otklik.db.models import Source as SourceRow
from otklik.runtime.scheduler import Scheduler
from otklik.settings import Settings

from .conftest import base_url, respond


async def test_one_failing_source_does_not_stop_the_others(sqlite_store: Any,
                                                           httpserver: HTTPServer, client):
    httpserver.expect_request("/feed.xml").respond_with_response(respond("rss", "feed__rss2.xml"))
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "error__auth_failed.json"))
    with sqlite_store.sessions.begin() as session:
        session.add_all([
            SourceRow(network="vk", kind="search", name="broken", params={"q": "x"},
                      credentials={"access_token": "bad"}, interval_seconds=1),
            SourceRow(network="rss", kind="feed", name="news", interval_seconds=1,
                      params={"url": httpserver.url_for("/feed.xml")}),
            SourceRow(network="rss", kind="feed", name="off", enabled=False,
                      params={"url": httpserver.url_for("/other.xml")}),
            SourceRow(network="nosuch", kind="x", name="unknown network", interval_seconds=1),
        ])
    url = base_url(httpserver)
    scheduler = Scheduler(sqlite_store.sessions, Settings(vk_api_url=url), client=client,
                          tick=0.05)
    task = asyncio.create_task(scheduler.run())
    feed_polls = 0
    for _ in range(400):  # a bound, not a timing assertion: stop as soon as it has happened
        await asyncio.sleep(0.05)
        feed_polls = sum(1 for r, _ in httpserver.log if r.path == "/feed.xml")
        if feed_polls >= 2 and scheduler.failures >= 4:
            break
    scheduler.stop()
    await asyncio.wait_for(task, timeout=10)

    assert feed_polls >= 2  # polled again after its interval, despite the failing sources
    assert not any(r.path == "/other.xml" for r, _ in httpserver.log)  # disabled: never polled
    with sqlite_store.sessions() as session:
        rows = {r.name: r for r in session.scalars(select(SourceRow))}
        stored = session.scalars(select(Mention.external_id)).all()
    assert rows["news"].last_success_at is not None and rows["news"].last_error is None
    assert "error 5" in (rows["broken"].last_error or "")
    assert "no connector for network 'nosuch'" in (rows["unknown network"].last_error or "")
    assert rows["off"].last_polled_at is None
    assert sorted(stored) == ["https://news.example.ru/2026/11/24/rating", "news-example-184467"]
