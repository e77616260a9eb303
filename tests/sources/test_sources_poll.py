"""poll_source against the real store (SQLite and PostgreSQL): what was stored, cursors, crashes,
health and removed-at-source."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from werkzeug import Request, Response

from otklik.actions.sources import poll_source, source_health
from otklik.db.models import AuditEvent, Mention, MentionVersion
from otklik.db.models import Source as SourceRow
from otklik.domain.enrichment import Enriched
from otklik.settings import Settings
from otklik.sources.health import is_silent

from .conftest import base_url, respond

pytestmark = pytest.mark.usefixtures("vk_recorded_clock")


def settings_for(server: HTTPServer) -> Settings:
    url = base_url(server)
    return Settings(vk_api_url=url, telegram_api_url=url, telegram_web_url=url)


def add_source(store: Any, network: str, kind: str, params: dict[str, Any],
               credentials: dict[str, Any] | None = None) -> int:
    with store.sessions.begin() as session:
        row = SourceRow(network=network, kind=kind, name=f"{network} {kind}", params=params,
                        credentials=credentials or {})
        session.add(row)
        session.flush()
        return row.id


def mentions(store: Any) -> dict[str, Mention]:
    with store.sessions() as session:
        return {m.external_id: m for m in session.scalars(select(Mention))}


def search_pages(request: Request) -> Response:
    page = "page2" if request.form.get("start_from") else "page1"
    return respond("vk", f"newsfeed.search__{page}.json")


class CrashOnce:
    """An enricher that fails the first time it sees a batch: a crash before the commit."""

    def __init__(self, at_call: int = 1) -> None:
        self.calls = 0
        self.at_call = at_call

    def __call__(self, batch: Sequence[Enriched]) -> None:
        self.calls += 1
        if self.calls == self.at_call:
            raise RuntimeError("worker killed")


async def test_vk_search_poll_stores_pages_and_moves_the_cursor(store, httpserver: HTTPServer,
                                                                client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_handler(search_pages)
    sid = add_source(store, "vk", "search", {"q": "Зерно"}, {"access_token": "t"})
    result = await poll_source(store.sessions, sid, client=client,
                               settings=settings_for(httpserver))
    assert result.ok and (result.pages, result.inserted) == (2, 5)
    stored = mentions(store)
    assert len(stored) == 5
    first = stored["-29534144_5521"]
    assert first.text.startswith("Зерно на Тверской") and first.reach == 1830
    assert first.author and first.author.name == "Ольга Петрова" and first.author.followers == 312
    assert first.place and first.place.audience == 48210 and first.source_id == sid
    assert (first.lat, first.lon) == (55.7577, 37.6135)
    assert len(stored["211004_77"].text) > 16_000
    with store.sessions() as session:
        row = session.get(SourceRow, sid)
        assert row is not None and row.cursor == {"start_time": 1795600800, "start_from": None,
                                                  "newest": 1795600800}
        assert row.posts_total == 5 and row.last_success_at and row.last_error is None
        assert row.last_post_at == datetime.fromtimestamp(1795600800, UTC)

    again = await poll_source(store.sessions, sid, client=client,
                              settings=settings_for(httpserver))
    assert again.inserted == 0 and len(mentions(store)) == 5  # nothing doubled
    assert httpserver.log[-1][0].form["start_time"] == "1795600800"


async def test_crash_between_fetch_and_store_loses_nothing(store, httpserver: HTTPServer,
                                                           client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_handler(search_pages)
    sid = add_source(store, "vk", "search", {"q": "Зерно"}, {"access_token": "t"})
    settings = settings_for(httpserver)
    with pytest.raises(RuntimeError):  # page 1 fetched, its store crashed
        await poll_source(store.sessions, sid, client=client, settings=settings,
                          enrichers=[CrashOnce(1)])
    assert mentions(store) == {}
    with store.sessions() as session:
        row = session.get(SourceRow, sid)
        assert row is not None and row.cursor is None and "worker killed" in (row.last_error or "")

    # page 1 stored, page 2 fetched and its store crashed: the cursor points at page 2
    with pytest.raises(RuntimeError):
        await poll_source(store.sessions, sid, client=client, settings=settings,
                          enrichers=[CrashOnce(2)])
    assert len(mentions(store)) == 3
    with store.sessions() as session:
        row = session.get(SourceRow, sid)
        assert row is not None and row.cursor and row.cursor["start_from"] == "3/-77001_812"
    done = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert done.ok and httpserver.log[-1][0].form["start_from"] == "3/-77001_812"
    assert len(mentions(store)) == 5
    with store.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Mention)) == 5


async def test_auth_failure_is_recorded_as_health(store, httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "error__auth_failed.json"))
    sid = add_source(store, "vk", "search", {"q": "Зерно"}, {"access_token": "vk1.a.SECRET"})
    result = await poll_source(store.sessions, sid, client=client,
                               settings=settings_for(httpserver))
    assert not result.ok and "AuthFailed" in (result.error or "")
    with store.sessions() as session:
        health = source_health(session, sid)
    assert health.failing and "error 5" in (health.last_error or "")
    assert "SECRET" not in (health.last_error or "")


async def test_missing_credentials_fail_cleanly(store, httpserver: HTTPServer, client) -> None:
    sid = add_source(store, "vk", "search", {"q": "Зерно"})
    result = await poll_source(store.sessions, sid, client=client,
                               settings=settings_for(httpserver))
    assert "credential 'access_token' is not set" in (result.error or "")
    assert len(httpserver.log) == 0


async def test_vk_comments_removed_at_source(store, httpserver: HTTPServer, client) -> None:
    variant = {"1201": "wall.getComments__1201.json"}
    httpserver.expect_request("/method/wall.get").respond_with_response(
        respond("vk", "wall.get__owned.json"))

    def comments(request: Request) -> Response:
        post = request.form["post_id"]
        return respond("vk", variant.get(post, f"wall.getComments__{post}.json"))

    httpserver.expect_request("/method/wall.getComments").respond_with_handler(comments)
    sid = add_source(store, "vk", "wall", {"owner_id": -100500, "owned": True},
                     {"access_token": "t"})
    settings = settings_for(httpserver)
    first = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert first.ok and first.inserted == 6 and first.removed == []
    stored = mentions(store)
    assert stored["-100500_1201_c9003"].parent_external_id == "-100500_1201_c9002"
    assert stored["-100500_1201_c9003"].thread_external_id == "-100500_1201"

    variant["1201"] = "wall.getComments__1201_removed.json"
    second = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert sorted(second.removed) == ["-100500_1201_c9003", "-100500_1201_c9004"]
    stored = mentions(store)
    assert stored["-100500_1201_c9004"].removed_at_source is not None
    assert stored["-100500_1201_c9001"].removed_at_source is None
    assert stored["-100500_1201"].removed_at_source is None  # the post itself is not a comment
    with store.sessions() as session:
        events = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "mention.removed_at_source").order_by(AuditEvent.id)).all()
    assert sorted(e.data["external_id"] for e in events) == ["-100500_1201_c9003",
                                                              "-100500_1201_c9004"]
    assert {e.actor for e in events} == {f"source:{sid}"}

    third = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert third.removed == []  # already marked: not marked twice

    variant["1201"] = "wall.getComments__1201.json"  # moderation put them back
    fourth = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert sorted(fourth.restored) == ["-100500_1201_c9003", "-100500_1201_c9004"]
    assert mentions(store)["-100500_1201_c9004"].removed_at_source is None


async def test_telegram_channel_post_removed_at_source(store, httpserver: HTTPServer,
                                                       client) -> None:
    variant = ["preview__latest.html"]
    httpserver.expect_request("/s/zerno_coffee").respond_with_handler(
        lambda request: respond("telegram", variant[0]))
    sid = add_source(store, "telegram", "channel",
                     {"channel": "zerno_coffee", "owned": True, "max_pages": 1})
    settings = settings_for(httpserver)
    assert (await poll_source(store.sessions, sid, client=client, settings=settings)).inserted == 4
    variant[0] = "preview__latest_removed.html"
    result = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert result.removed == ["@zerno_coffee_313"]
    stored = mentions(store)
    assert stored["@zerno_coffee_313"].removed_at_source is not None
    assert stored["@zerno_coffee_311"].removed_at_source is None


async def test_telegram_bot_poll_stores_threads_and_edits(store, httpserver: HTTPServer,
                                                          client) -> None:
    def updates(request: Request) -> Response:
        offset = (request.get_json() or {}).get("offset")
        name = {None: "page1", 700006: "page2"}.get(offset, "empty")
        return respond("telegram", f"getUpdates__{name}.json")

    token = "6500000001:AAH-test-secret-token"
    httpserver.expect_request(f"/bot{token}/getUpdates").respond_with_handler(updates)
    sid = add_source(store, "telegram", "bot", {"limit": 5}, {"bot_token": token})
    result = await poll_source(store.sessions, sid, client=client,
                               settings=settings_for(httpserver))
    assert result.ok and (result.inserted, result.updated) == (5, 1)
    stored = mentions(store)
    post = stored["-1001500000001_301"]
    assert post.text.endswith("(цены обновлены)") and post.edited_at is not None
    reply = stored["-1001500000002_5503"]
    assert reply.thread_external_id == "-1001500000001_301"
    assert reply.parent_external_id == "-1001500000002_5502"
    with store.sessions() as session:
        versions = session.scalars(select(MentionVersion.text)).all()
        row = session.get(SourceRow, sid)
    assert versions == ["Новое осеннее меню уже в кофейнях Зерно 🍂 Обсуждаем в комментариях!"]
    assert row is not None and row.cursor and row.cursor["offset"] == 700008


def test_silent_means_much_longer_than_usual() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    busy = {"posts_in_window": 7 * 24 * 10, "interval_seconds": 300}  # ~10 an hour
    assert not is_silent(now=now, last_new_at=now - timedelta(minutes=50), **busy)
    assert is_silent(now=now, last_new_at=now - timedelta(hours=2), **busy)
    quiet = {"posts_in_window": 3, "interval_seconds": 300}  # three a week
    assert not is_silent(now=now, last_new_at=now - timedelta(days=2), **quiet)
    assert is_silent(now=now, last_new_at=now - timedelta(days=10), **quiet)
    assert not is_silent(now=now, last_new_at=None, posts_in_window=0, interval_seconds=300)


async def test_health_counts_posts_per_hour(store, httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_handler(search_pages)
    sid = add_source(store, "vk", "search", {"q": "Зерно"}, {"access_token": "t"})
    await poll_source(store.sessions, sid, client=client, settings=settings_for(httpserver))
    with store.sessions() as session:
        health = source_health(session, sid)
        soon = source_health(session, sid, now=datetime.now(UTC) + timedelta(days=3))
        later = source_health(session, sid, now=datetime.now(UTC) + timedelta(days=10))
    assert health.posts_per_hour == pytest.approx(5 / 24) and health.posts_in_window == 5
    assert not health.silent and not health.failing and health.last_new_at is not None
    assert soon.posts_per_hour == 0 and not soon.silent  # five a week: 3 quiet days is usual
    assert later.silent and later.posts_in_window == 5  # ten days of nothing is not


async def test_vk_listing_that_ends_early_marks_nothing_removed(store, httpserver: HTTPServer,
                                                                client) -> None:
    variant = {"1201": "wall.getComments__1201.json"}
    httpserver.expect_request("/method/wall.get").respond_with_response(
        respond("vk", "wall.get__owned.json"))

    def comments(request: Request) -> Response:
        post = request.form["post_id"]
        if post == "1201" and request.form.get("offset", "0") != "0":
            return respond("vk", "wall.getComments__1201_empty_page.json")
        return respond("vk", variant.get(post, f"wall.getComments__{post}.json"))

    httpserver.expect_request("/method/wall.getComments").respond_with_handler(comments)
    sid = add_source(store, "vk", "wall", {"owner_id": -100500, "owned": True},
                     {"access_token": "t"})
    settings = settings_for(httpserver)
    assert (await poll_source(store.sessions, sid, client=client, settings=settings)).ok
    variant["1201"] = "wall.getComments__1201_ends_early.json"  # 1 of 3, then an empty page
    second = await poll_source(store.sessions, sid, client=client, settings=settings)
    assert second.ok and second.removed == []
    assert mentions(store)["-100500_1201_c9004"].removed_at_source is None
    with store.sessions() as session:
        assert session.scalar(select(func.count()).where(
            AuditEvent.action == "mention.removed_at_source")) == 0


async def test_a_poll_that_always_times_out_fails_at_its_deadline(sqlite_store, client) -> None:
    """The network never answers in time: the poll fails once its time is spent (the
    setting), with the reason on the source's health, not after every retry's full timeout."""
    import time as clock

    def never(request: Request) -> Response:
        clock.sleep(1.0)
        return respond("vk", "newsfeed.search__page2.json")

    slow = HTTPServer(threaded=True)
    slow.start()
    slow.expect_request("/method/newsfeed.search").respond_with_handler(never)
    try:
        sid = add_source(sqlite_store, "vk", "search", {"q": "Зерно"},
                         {"access_token": "vk1.a.SLOW"})
        settings = settings_for(slow).model_copy(update={"poll_deadline_seconds": 0.3})
        result = await poll_source(sqlite_store.sessions, sid, client=client, settings=settings)
    finally:
        slow.clear()
        slow.stop()
    assert not result.ok and "time is up" in (result.error or "")
    with sqlite_store.sessions() as session:
        assert "time is up" in (source_health(session, sid).last_error or "")
