"""X connector against X API v2 responses replayed by a local server."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from otklik.db.models import Mention
from otklik.sources import x_items
from otklik.sources.base import Target
from otklik.sources.errors import AuthFailed, BadResponse, NotSupported, RateLimited
from otklik.sources.http import Budget, HttpClient
from otklik.sources.x import XSource

from .conftest import FakeSleep, base_url, respond
from .test_sources_cli import run

BEARER = "AAAAAAAAAAAAAAAAAAAAATEST-BEARER-SECRET"
USER_TOKEN = "dXNlci10b2tlbi1URVNULVNFQ1JFVA"
ROOT, REPLY1, REPLY2 = "2127329972581302273", "2127334326268854279", "2127337128063926275"
POINT, RETWEET, NEWER = "2127101534008246274", "2126979479761846277", "2127674056504246276"
NEXT = "b26v89c19zqg8o3frr3ogr3bwkmrbfvdqizgvzgr4ktdp"
SEARCH = "/2/tweets/search/recent"
NOW = 1796_000_000.0


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets={"x": Budget(10_000, 10_000)}, timeout=2.0,
                      rng=lambda: 0.5)
    yield http
    await http.aclose()


@pytest.fixture
def x_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(x_items, "time", SimpleNamespace(time=lambda: NOW))


def x(server: HTTPServer, client: HttpClient, **params: Any) -> XSource:
    return XSource(client, kind="search", params=params or {"q": "Зерно кофе"},
                   base_url=base_url(server),
                   credentials={"bearer_token": BEARER, "access_token": USER_TOKEN})


def pages(request: Request) -> Response:
    return respond("x", "search_recent__page2.json" if request.args.get("next_token")
                   else "search_recent__page1.json")


async def test_search_pages_and_since_id(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(SEARCH, method="GET").respond_with_handler(pages)
    source = x(httpserver, client)
    page = await source.fetch_page(None)
    assert [p.external_id for p in page.posts] == [REPLY2, REPLY1, ROOT]
    assert page.more and page.cursor == {"since_id": None, "next_token": NEXT,
                                         "newest_id": REPLY2}
    first = httpserver.log[0][0]
    assert dict(first.args) == {
        "query": "Зерно кофе", "max_results": "100", "expansions": "author_id,geo.place_id",
        "tweet.fields": "created_at,conversation_id,in_reply_to_user_id,referenced_tweets,geo,"
                        "public_metrics,lang,note_tweet",
        "user.fields": "username,name,public_metrics,created_at",
        "place.fields": "geo,full_name"}
    assert first.headers["Authorization"] == f"Bearer {BEARER}"

    page2 = await source.fetch_page(page.cursor)
    assert httpserver.log[1][0].args["next_token"] == NEXT
    assert "since_id" not in httpserver.log[1][0].args
    assert [p.external_id for p in page2.posts] == [POINT, RETWEET]
    # the pass is over: the next one starts after the newest tweet of this pass
    assert not page2.more and page2.cursor == {"since_id": REPLY2, "next_token": None,
                                               "newest_id": None}
    json.dumps(page2.cursor)

    httpserver.clear()
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__newer.json"))
    page3 = await source.fetch_page(page2.cursor)
    assert httpserver.log[0][0].args["since_id"] == REPLY2
    assert [p.external_id for p in page3.posts] == [NEWER]
    assert page3.cursor["since_id"] == NEWER

    httpserver.clear()
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__empty.json"))
    page4 = await source.fetch_page(page3.cursor)
    assert page4.posts == [] and not page4.more and page4.cursor["since_id"] == NEWER


async def test_base_url_with_the_version(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__newer.json"))
    source = XSource(client, kind="search", params={"q": "Зерно"},
                     base_url=base_url(httpserver) + "/2/", credentials={"bearer_token": BEARER})
    assert [p.external_id for p in (await source.fetch_page(None)).posts] == [NEWER]


async def test_lookback_bounds_only_the_first_poll(httpserver: HTTPServer,
                                                   client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__newer.json"))
    source = x(httpserver, client, q="Зерно", lookback_hours=24)
    page = await source.fetch_page(None)
    start = datetime.strptime(httpserver.log[0][0].args["start_time"], "%Y-%m-%dT%H:%M:%SZ")
    assert 23 <= (datetime.now(UTC) - start.replace(tzinfo=UTC)).total_seconds() / 3600 <= 25
    await source.fetch_page(page.cursor)
    assert "start_time" not in httpserver.log[1][0].args
    assert httpserver.log[1][0].args["since_id"] == NEWER


async def test_long_post_text_comes_from_note_tweet(httpserver: HTTPServer,
                                                    client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__note_tweet.json"))
    (post,) = (await x(httpserver, client).fetch_page(None)).posts
    assert len(post.text) > 280 and post.text.endswith("Разберитесь, пожалуйста.")
    assert "&amp;" not in post.text and "M&M" in post.text


async def test_tweet_fields(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_handler(pages)
    source = x(httpserver, client)
    first = await source.fetch_page(None)
    posts = {p.external_id: p for p in
             first.posts + (await source.fetch_page(first.cursor)).posts}
    root = posts[ROOT]
    assert root.text == "Зерно на Тверской опять перепутали заказ & нагрубили 😡 #зерно"
    assert root.hashtags == ["зерно"]
    assert root.created_at == datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)
    assert root.author and root.author.handle == "olga_p" and root.author.name == "Ольга Петрова"
    assert root.author.followers == 312 and root.author.created_at == datetime(
        2012, 4, 1, 10, tzinfo=UTC)
    assert root.url == f"https://x.com/olga_p/status/{ROOT}"
    assert root.parent_external_id is None and root.thread_external_id == ROOT
    assert root.place and root.place.name == "Moscow, Russia"
    assert root.lat == pytest.approx(55.7498) and root.lon == pytest.approx(37.6325)
    assert root.reach == 1840 and root.engagement == 2 + 3 + 11
    reply1 = posts[REPLY1]
    assert reply1.text == "@olga_p та же история <3 раза подряд>"  # X escapes &, < and >
    assert reply1.parent_external_id == ROOT and reply1.thread_external_id == ROOT
    reply2 = posts[REPLY2]  # deeper in the thread: parent is the tweet it answers
    assert reply2.parent_external_id == REPLY1 and reply2.thread_external_id == ROOT
    assert reply2.author and reply2.author.handle == "zerno_coffee"
    point = posts[POINT]  # an exact point wins over the place's box
    assert (point.lat, point.lon) == (55.7577, 37.6135) and point.lang == "en"
    assert posts[RETWEET].parent_external_id is None


@pytest.mark.usefixtures("x_clock")
async def test_429_waits_for_the_window_reset(httpserver: HTTPServer, client: HttpClient,
                                              sleeps: FakeSleep) -> None:
    headers = {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0",
               "x-rate-limit-reset": str(int(NOW) + 40)}
    httpserver.expect_oneshot_request(SEARCH).respond_with_response(
        respond("x", "error__429.json", status=429, headers=headers))
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__page2.json"))
    page = await x(httpserver, client).fetch_page(None)
    assert len(page.posts) == 2 and sleeps.calls == [40.0]


@pytest.mark.usefixtures("x_clock")
async def test_429_with_a_far_reset_is_raised(httpserver: HTTPServer, client: HttpClient,
                                              sleeps: FakeSleep) -> None:
    headers = {"x-rate-limit-remaining": "0", "x-rate-limit-reset": str(int(NOW) + 900)}
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "error__429.json", status=429, headers=headers))
    with pytest.raises(RateLimited) as caught:
        await x(httpserver, client).fetch_page(None)
    assert caught.value.retry_after == 900 and sleeps.calls == []
    assert len(httpserver.log) == 1


async def test_a_repeated_next_token_ends_the_pass(httpserver: HTTPServer,
                                                  client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__page1.json"))  # whatever next_token asks
    source = x(httpserver, client)
    first = await source.fetch_page(None)
    again = await source.fetch_page(first.cursor)
    assert first.more and not again.more
    assert again.cursor == {"since_id": REPLY2, "next_token": None, "newest_id": None}


async def test_spent_window_ends_the_poll_and_keeps_the_token(httpserver: HTTPServer,
                                                              client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(respond(
        "x", "search_recent__page1.json",
        headers={"x-rate-limit-remaining": "0", "x-rate-limit-reset": "1796000900"}))
    page = await x(httpserver, client).fetch_page(None)
    assert len(page.posts) == 3 and not page.more and page.cursor["next_token"] == NEXT


@pytest.mark.parametrize(("fixture", "status"), [
    ("error__401.json", 401), ("error__client_forbidden.json", 403)])
async def test_bad_credentials_are_auth_failed(httpserver: HTTPServer, client: HttpClient,
                                               sleeps: FakeSleep, fixture: str,
                                               status: int) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", fixture, status=status))
    with pytest.raises(AuthFailed):
        await x(httpserver, client).fetch_page(None)
    assert len(httpserver.log) == 1 and sleeps.calls == []


async def test_expired_since_id_reads_the_last_week(httpserver: HTTPServer,
                                                    client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "error__since_id.json", status=400))
    page = await x(httpserver, client).fetch_page({"since_id": "1590000000000000000"})
    assert page.posts == [] and page.more and page.cursor["since_id"] is None


async def test_unavailable_is_retried(httpserver: HTTPServer, client: HttpClient,
                                      sleeps: FakeSleep) -> None:
    httpserver.expect_oneshot_request(SEARCH).respond_with_response(
        respond("x", "error__503.json", status=503))
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__newer.json"))
    page = await x(httpserver, client).fetch_page(None)
    assert [p.external_id for p in page.posts] == [NEWER] and len(sleeps.calls) == 1


async def test_malformed_json_is_bad_response(httpserver: HTTPServer,
                                              client: HttpClient) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "search_recent__malformed.json"))
    with pytest.raises(BadResponse, match="malformed JSON"):
        await x(httpserver, client).fetch_page(None)


async def test_token_never_logged(httpserver: HTTPServer, client: HttpClient,
                                  caplog: pytest.LogCaptureFixture) -> None:
    httpserver.expect_request(SEARCH).respond_with_response(
        respond("x", "error__401.json", status=401))
    caplog.set_level(logging.DEBUG, logger="otklik")
    with pytest.raises(AuthFailed) as caught:
        await x(httpserver, client).fetch_page(None)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("otklik"))
    assert "search/recent" in ours and BEARER not in ours and BEARER not in str(caught.value)


async def test_reply_posts_a_tweet_in_reply(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/2/tweets", method="POST").respond_with_response(
        respond("x", "tweets__created.json", status=201))
    sent = await x(httpserver, client).reply(Target(ROOT, None, ROOT), "Простите за ожидание!")
    assert sent == "2127704255493046283"
    request = httpserver.log[0][0]
    assert request.headers["Authorization"] == f"Bearer {USER_TOKEN}"
    assert request.get_json() == {"text": "Простите за ожидание!",
                                  "reply": {"in_reply_to_tweet_id": ROOT}}


async def test_find_sent_reads_the_account_back(httpserver: HTTPServer,
                                                client: HttpClient) -> None:
    httpserver.expect_request("/2/users/me").respond_with_response(
        respond("x", "users_me__ok.json"))
    httpserver.expect_request("/2/users/1187000000000000001/tweets").respond_with_response(
        respond("x", "users_tweets__mine.json"))
    source = x(httpserver, client)
    since = datetime(2026, 12, 1, 9, 55, tzinfo=UTC)
    found = await source.find_sent("public_reply", Target(ROOT, None, ROOT),
                                   "Простите за ожидание! Напишите нам в личные сообщения ☕",
                                   since=since)
    assert found == "2127704255493046283"  # the one answering ROOT, its @name aside
    timeline = httpserver.log[1][0]
    assert timeline.args["start_time"] == "2026-12-01T09:55:00Z"
    assert timeline.headers["Authorization"] == f"Bearer {USER_TOKEN}"
    assert await source.find_sent("public_reply", Target(ROOT), "Другой текст",
                                  since=since) is None
    with pytest.raises(NotSupported):
        await source.find_sent("post", Target(ROOT), "x", since=since)


async def test_verify_names_the_account(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/2/users/me").respond_with_response(
        respond("x", "users_me__ok.json"))
    account = await x(httpserver, client).verify()
    assert account.external_id == "1187000000000000001" and account.audience == 5310
    assert account.params == {"q": "@zerno_coffee"} and "reply" in account.capabilities
    assert httpserver.log[0][0].headers["Authorization"] == f"Bearer {USER_TOKEN}"


def test_cli_polls_twice_and_stores_each_tweet_once(sqlite_store: Any,
                                                    httpserver: HTTPServer) -> None:
    # the replay answers the recorded pages whatever since_id asks: nothing may be doubled
    httpserver.expect_request(SEARCH).respond_with_handler(pages)
    env = {"OTKLIK_X_API_URL": base_url(httpserver), "X_BEARER_FOR_TEST": BEARER}
    added = run(sqlite_store, "source", "add", "x", "search", "X: Зерно", "-p", "q=Зерно",
                "--credential-env", "bearer_token=X_BEARER_FOR_TEST", env=env)
    assert added.exit_code == 0, added.output
    results = []
    for _ in range(2):
        polled = run(sqlite_store, "source", "poll", "1", "--no-enrich", env=env)
        assert polled.exit_code == 0, polled.output
        results.append(json.loads(polled.stdout.strip().splitlines()[-1]))
    assert results[0]["inserted"] == 5 and results[1]["inserted"] == 0
    assert [r[0].args.get("since_id") for r in httpserver.log] == [None, None, REPLY2, REPLY2]
    with sqlite_store.sessions() as session:
        rows = session.scalars(select(Mention).where(Mention.network == "x")).all()
        assert sorted(m.external_id for m in rows) == sorted(
            [ROOT, REPLY1, REPLY2, POINT, RETWEET])
        for m in rows:
            assert m.text and m.created_at and m.author and m.author.handle


async def test_verify_with_a_bearer_token_reads_only(httpserver: HTTPServer,
                                                    client: HttpClient) -> None:
    httpserver.expect_request("/2/users/by/username/zerno_coffee").respond_with_response(
        respond("x", "users_by_username__zerno.json"))
    source = XSource(client, kind="search", params={"username": "@zerno_coffee"},
                     base_url=base_url(httpserver), credentials={"bearer_token": BEARER})
    account = await source.verify()
    assert account.external_id == "1187000000000000001" and account.capabilities == {"read"}
    assert account.problems and httpserver.log[0][0].headers["Authorization"] == (
        f"Bearer {BEARER}")
    with pytest.raises(AuthFailed, match="names no account"):
        await XSource(client, kind="search", base_url=base_url(httpserver),
                      credentials={"bearer_token": BEARER}).verify()


def test_a_tweet_without_created_at_is_dated_by_its_id() -> None:
    post = x_items.tweet_post({"id": ROOT, "text": "Зерно"}, x_items.Includes({}))
    assert post and post.created_at == datetime(2026, 11, 30, 9, 12, 44, tzinfo=UTC)
    assert post.thread_external_id == ROOT and post.url == f"https://x.com/i/web/status/{ROOT}"
