"""Reddit connector against recorded OAuth API responses (Listings of t3/t1 things) on a local
server, and `otklik source add reddit search` + `otklik source poll` end to end on SQLite."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from typer.testing import CliRunner
from werkzeug import Request, Response

from otklik.actions.brands import create_brand
from otklik.actions.channels import connect_account
from otklik.actions.unit import transaction
from otklik.cli import app
from otklik.db.models import Channel, Mention, Source
from otklik.settings import Settings
from otklik.sources.base import Target
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited
from otklik.sources.http import Budget, HttpClient
from otklik.sources.reddit import RedditSource

from .conftest import FakeSleep, base_url, respond

TOKEN = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.READ-SECRET"  # noqa: S105
PAGE1 = ["t3_1h7qk2m", "t3_1h7p9xw", "t3_1h7n3ab"]
PAGE2 = ["t3_1h6zz01", "t3_1h6yq7c"]


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets={"reddit": Budget(10_000, 10_000)}, timeout=2.0,
                      rng=lambda: 0.5)
    yield http
    await http.aclose()


def reddit(server: HTTPServer, client: HttpClient, kind: str = "search",
           **params: Any) -> RedditSource:
    return RedditSource(client, kind=kind, params=params or {"q": "Zerno coffee"},
                        base_url=base_url(server), credentials={"access_token": TOKEN})


def search_pages(request: Request) -> Response:
    return respond("reddit", "search__page2.json" if request.args.get("after")
                   else "search__page1.json")


async def test_search_pages_back_then_stops_at_what_it_has_seen(httpserver: HTTPServer,
                                                                client) -> None:
    httpserver.expect_request("/search", method="GET").respond_with_handler(search_pages)
    source = reddit(httpserver, client, q="Zerno coffee", user_agent="server:otklik-test:1.0")
    page = await source.fetch_page(None)
    assert [p.external_id for p in page.posts] == PAGE1
    assert page.more and page.cursor["search"]["after"] == "t3_1h7n3ab"
    first = httpserver.log[0][0]
    assert first.args.to_dict() == {"q": "Zerno coffee", "sort": "new", "limit": "100",
                                    "type": "link"}
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"
    assert first.headers["User-Agent"] == "server:otklik-test:1.0"

    page2 = await source.fetch_page(page.cursor)
    assert [p.external_id for p in page2.posts] == PAGE2
    assert httpserver.log[1][0].args["after"] == "t3_1h7n3ab"
    assert not page2.more
    assert page2.cursor == {"phase": "search", "search": {"floor": 1795600800.0}}
    json.dumps(page2.cursor)

    # the next poll: the same newest post comes back first, then older ones: it stops there
    again = await source.fetch_page(page2.cursor)
    assert [p.external_id for p in again.posts] == ["t3_1h7qk2m"]  # the boundary, once more
    assert not again.more and "after" not in httpserver.log[2][0].args
    assert again.cursor == page2.cursor


async def test_post_fields(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/search").respond_with_response(
        respond("reddit", "search__page1.json"))
    posts = (await reddit(httpserver, client).fetch_page(None)).posts
    first = posts[0]
    assert first.network == "reddit" and first.text.startswith(
        "Zerno coffee on Tverskaya – third wrong order this week\n\nOrdered an oat flat white")
    assert "😡☕ & yes" in first.text  # an escaped entity is not stored as such
    assert first.created_at.timestamp() == 1795600800
    assert first.url == ("https://www.reddit.com/r/moscow/comments/1h7qk2m/"
                         "zerno_coffee_on_tverskaya_third_wrong_order_this_w/")
    assert first.author and first.author.external_id == first.author.handle == "nastya_msk"
    assert first.author.url == "https://www.reddit.com/user/nastya_msk"
    assert first.place and first.place.external_id == "t5_2qh9o"
    assert first.place.name == "r/moscow" and first.place.audience == 214873
    assert first.engagement == 41 + 3 and first.parent_external_id is None
    assert posts[1].edited_at is not None and posts[1].edited_at.timestamp() == 1795598100
    gone = posts[2]  # a deleted author's post keeps its title, without author or body
    assert gone.author is None and gone.text == "Зерно на Патриках закрыто?"


async def test_a_replay_that_ignores_after_does_not_loop(httpserver: HTTPServer,
                                                         client) -> None:
    httpserver.expect_request("/search").respond_with_response(
        respond("reddit", "search__page1.json"))
    source = reddit(httpserver, client)
    page = await source.fetch_page(None)
    same = await source.fetch_page(page.cursor)
    assert page.more and not same.more and len(httpserver.log) == 2


async def test_comment_tree_keeps_parents_and_thread(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/comments/1h7qk2m").respond_with_response(
        respond("reddit", "comments__1h7qk2m.json"))
    httpserver.expect_request("/api/morechildren").respond_with_response(
        respond("reddit", "error__404.json", 404))
    page = await reddit(httpserver, client, "comments", post_id="t3_1h7qk2m").fetch_page(None)
    by_id = {p.external_id: p for p in page.posts}
    # the deleted comment and the 'more' stub are not posts
    assert list(by_id) == ["t3_1h7qk2m", "t1_m0bz9f1", "t1_m0c1a22", "t1_m0c3d44", "t1_m0c4e55"]
    assert by_id["t1_m0bz9f1"].parent_external_id == "t3_1h7qk2m"
    assert by_id["t1_m0c1a22"].parent_external_id == "t1_m0bz9f1"
    assert by_id["t1_m0c3d44"].parent_external_id == "t1_m0c1a22"
    assert {by_id[i].thread_external_id for i in list(by_id)[1:]} == {"t3_1h7qk2m"}
    assert by_id["t3_1h7qk2m"].thread_external_id is None
    reply = by_id["t1_m0c3d44"]
    assert reply.author and reply.author.handle == "zerno_coffee_official"
    assert reply.text.startswith("Анастасия, простите нас!")
    assert reply.url == "https://www.reddit.com/r/moscow/comments/1h7qk2m/comment/m0c3d44/"
    assert "replies" not in by_id["t1_m0bz9f1"].raw
    args = httpserver.log[0][0].args
    assert args["sort"] == "new" and args["depth"] == "10"


async def test_subreddit_new_posts_then_new_comments(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/r/moscow/new").respond_with_response(
        respond("reddit", "r_new__page1.json"))
    httpserver.expect_request("/r/moscow/comments").respond_with_response(
        respond("reddit", "r_comments__page1.json"))
    source = reddit(httpserver, client, "subreddit", subreddit="r/moscow")
    posts = await source.fetch_page(None)
    assert [p.external_id for p in posts.posts] == ["t3_1h7qk2m", "t3_1h6zz01"]
    assert posts.more and posts.cursor["phase"] == "comments"
    comments = await source.fetch_page(posts.cursor)
    assert [p.external_id for p in comments.posts] == ["t1_m0c4e55", "t1_m0bz9f1"]
    assert comments.posts[0].parent_external_id == "t3_1h7qk2m"
    assert not comments.more and comments.cursor == {
        "phase": "new", "new": {"floor": 1795600800.0}, "comments": {"floor": 1795603800.0}}
    assert [r.path for r, _ in httpserver.log] == ["/r/moscow/new", "/r/moscow/comments"]


async def test_inbox_replies_and_private_messages(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/message/inbox").respond_with_response(
        respond("reddit", "message_inbox__page1.json"))
    page = await reddit(httpserver, client, "inbox").fetch_page(None)
    reply, message = page.posts
    assert reply.external_id == "t1_m0d1p88" and reply.parent_external_id == "t1_m0c3d44"
    assert reply.thread_external_id == "t3_1h7qk2m"  # read from its context path
    assert reply.url and reply.url.startswith("https://www.reddit.com/r/moscow/comments/1h7qk2m/")
    assert message.external_id == "t4_2f8k1xq" and message.place and \
        message.place.kind == "private"
    assert message.author and message.author.external_id == "beanhunter"
    assert message.text == ("Hi! Did you switch roasters in November? The espresso & the "
                            "filter taste different.")
    assert httpserver.log[0][0].args["mark"] == "false"  # the brand's unread stay unread
    assert page.cursor == {"phase": "inbox", "inbox": {"floor": 1795606200.0}}


async def test_429_waits_for_the_reset_then_reads(httpserver: HTTPServer, client,
                                                  sleeps) -> None:
    httpserver.expect_oneshot_request("/search").respond_with_response(respond(
        "reddit", "error__429.json", 429,
        headers={"X-Ratelimit-Remaining": "0", "X-Ratelimit-Reset": "37",
                 "X-Ratelimit-Used": "100"}))
    httpserver.expect_request("/search").respond_with_response(
        respond("reddit", "search__page2.json"))
    page = await reddit(httpserver, client).fetch_page(None)
    assert len(page.posts) == 2 and sleeps.calls == [37.0]


async def test_spent_budget_waits_before_the_next_request(httpserver: HTTPServer, client,
                                                          sleeps) -> None:
    httpserver.expect_request("/search").respond_with_response(respond(
        "reddit", "search__page1.json",
        headers={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "212"}))
    source = reddit(httpserver, client)
    page = await source.fetch_page(None)
    assert len(page.posts) == 3 and sleeps.calls == []  # the answer itself is good
    with pytest.raises(RateLimited) as caught:  # longer than the client waits: say so
        await source.fetch_page(page.cursor)
    assert caught.value.retry_after == 212 and len(httpserver.log) == 1


async def test_short_reset_is_slept_off(httpserver: HTTPServer, client, sleeps) -> None:
    httpserver.expect_request("/search").respond_with_response(respond(
        "reddit", "search__page1.json",
        headers={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "5"}))
    source = reddit(httpserver, client)
    await source.fetch_page(None)
    await source.fetch_page(None)
    assert sleeps.calls == [5.0] and len(httpserver.log) == 2


async def test_401_is_auth_failed_without_the_token(httpserver: HTTPServer, client,
                                                    caplog) -> None:
    httpserver.expect_request("/search").respond_with_response(
        respond("reddit", "error__401.json", 401))
    caplog.set_level(logging.DEBUG, logger="otklik")
    with pytest.raises(AuthFailed) as caught:
        await reddit(httpserver, client).fetch_page(None)
    assert caught.value.code == 401 and len(httpserver.log) == 1
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("otklik"))
    assert "/search" in ours and TOKEN not in ours and TOKEN not in str(caught.value)


async def test_missing_token_is_auth_failed(httpserver: HTTPServer, client) -> None:
    source = RedditSource(client, kind="search", params={"q": "x"}, base_url=base_url(httpserver))
    with pytest.raises(AuthFailed, match="access_token"):
        await source.fetch_page(None)
    assert httpserver.log == []


async def test_malformed_json_is_a_clear_error(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/search").respond_with_response(
        respond("reddit", "search__malformed.json"))
    with pytest.raises(BadResponse, match="reddit: malformed JSON"):
        await reddit(httpserver, client).fetch_page(None)


async def test_not_a_listing_is_a_clear_error(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/search").respond_with_json({"kind": "t2", "data": {}})
    with pytest.raises(BadResponse, match="not a Listing"):
        await reddit(httpserver, client).fetch_page(None)


async def test_reply_and_private_message_are_the_documented_requests(httpserver: HTTPServer,
                                                                     client) -> None:
    httpserver.expect_request("/api/comment", method="POST").respond_with_response(
        respond("reddit", "comment__ok.json"))
    httpserver.expect_request("/api/compose", method="POST").respond_with_response(
        respond("reddit", "compose__ok.json"))
    source = reddit(httpserver, client)
    sent = await source.reply(Target("t1_m0bz9f1"), "Простите нас! 🙏")
    assert sent == "t1_m0d0k77"
    dm = await source.send_private(Target("nastya_msk"), "Напишите номер заказа\nСпасибо",
                                   idempotency_key="action:9")
    assert dm.startswith("compose:nastya_msk:")
    (comment, _), (compose, _) = httpserver.log
    assert comment.form.to_dict() == {"api_type": "json", "thing_id": "t1_m0bz9f1",
                                      "text": "Простите нас! 🙏"}
    assert compose.form.to_dict() == {"api_type": "json", "to": "nastya_msk",
                                      "subject": "Напишите номер заказа",
                                      "text": "Напишите номер заказа\nСпасибо"}
    assert comment.headers["Authorization"] == compose.headers["Authorization"] == \
        f"Bearer {TOKEN}"


@pytest.mark.parametrize(("fixture", "error", "code"), [
    ("comment__ratelimit.json", RateLimited, "RATELIMIT"),
    ("comment__thread_locked.json", BadResponse, "THREAD_LOCKED"),
])
async def test_reply_errors(httpserver: HTTPServer, client, fixture: str, error: type,
                            code: str) -> None:
    httpserver.expect_request("/api/comment").respond_with_response(respond("reddit", fixture))
    with pytest.raises(error) as caught:
        await reddit(httpserver, client).reply(Target("t3_1h7qk2m"), "Спасибо")
    assert caught.value.code == code
    if code == "RATELIMIT":
        assert caught.value.retry_after == 9 * 60


async def test_private_message_to_nobody(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/compose").respond_with_response(
        respond("reddit", "compose__no_user.json"))
    with pytest.raises(BadResponse, match="USER_DOESNT_EXIST"):
        await reddit(httpserver, client).send_private(Target("ghost_user"), "Привет")


async def test_verify_names_the_account(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v1/me").respond_with_response(
        respond("reddit", "me__ok.json"))
    account = await reddit(httpserver, client).verify()
    assert account.external_id == "zerno_coffee_official"
    assert account.name == "u/zerno_coffee_official" and "reply" in account.capabilities
    assert account.kind == "inbox"  # connecting the account reads its inbox


def run(store: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env={"OTKLIK_DATABASE_URL": store.url,
                                                    **(env or {})})


def test_cli_two_polls_store_each_post_once(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/search").respond_with_handler(search_pages)
    env = {"OTKLIK_REDDIT_API_URL": base_url(httpserver), "REDDIT_TOKEN_FOR_TEST": TOKEN}
    added = run(sqlite_store, "source", "add", "reddit", "search", "Reddit: Zerno",
                "-p", "q=Zerno coffee", "--credential-env", "access_token=REDDIT_TOKEN_FOR_TEST",
                env=env)
    assert added.exit_code == 0, added.output
    assert TOKEN not in added.output
    first = run(sqlite_store, "source", "poll", "1", env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout.strip().splitlines()[-1])["inserted"] == 5
    second = run(sqlite_store, "source", "poll", "1", "--no-enrich", env=env)
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout.strip().splitlines()[-1])["inserted"] == 0
    with sqlite_store.sessions() as session:
        rows = session.scalars(select(Mention).where(Mention.network == "reddit")).all()
        assert sorted(m.external_id for m in rows) == sorted(PAGE1 + PAGE2)
        assert all(m.text and m.created_at for m in rows)
        assert sum(1 for m in rows if m.author_id is not None) == 4  # one author deleted
    assert [r.args.get("after") for r, _ in httpserver.log] == [None, "t3_1h7n3ab", None]


def refreshing(server: HTTPServer, client: HttpClient, **credentials: str) -> RedditSource:
    return RedditSource(client, kind="search", params={"q": "Zerno coffee"},
                        base_url=base_url(server), token_url=server.url_for("/api/v1/access_token"),
                        credentials={"refresh_token": "RT-SECRET", "client_id": "app-id-1",
                                     **credentials})


async def test_a_refresh_token_gives_a_fresh_access_token(httpserver: HTTPServer,
                                                          client) -> None:
    httpserver.expect_request("/api/v1/access_token", method="POST").respond_with_json(
        {"access_token": "FRESH-TOKEN", "token_type": "bearer", "expires_in": 86400,
         "scope": "identity read submit privatemessages"})
    httpserver.expect_request("/search").respond_with_response(
        respond("reddit", "search__page2.json"))
    page = await refreshing(httpserver, client, client_secret="app-secret").fetch_page(None)
    assert len(page.posts) == 2
    (token, _), (search, _) = httpserver.log
    assert token.form.to_dict() == {"grant_type": "refresh_token", "refresh_token": "RT-SECRET"}
    assert token.authorization is not None and token.authorization.type == "basic"
    assert (token.authorization.username, token.authorization.password) == (
        "app-id-1", "app-secret")
    assert search.headers["Authorization"] == "Bearer FRESH-TOKEN"


async def test_a_refused_pasted_token_is_refreshed_once(httpserver: HTTPServer,
                                                        client) -> None:
    def search(request: Request) -> Response:
        if request.headers["Authorization"] == "Bearer FRESH-TOKEN":
            return respond("reddit", "search__page2.json")
        return respond("reddit", "error__401.json", 401)

    httpserver.expect_request("/api/v1/access_token").respond_with_json(
        {"access_token": "FRESH-TOKEN", "token_type": "bearer", "expires_in": 86400})
    httpserver.expect_request("/search").respond_with_handler(search)
    source = refreshing(httpserver, client, access_token="EXPIRED")
    assert len((await source.fetch_page(None)).posts) == 2
    assert [r.path for r, _ in httpserver.log] == ["/search", "/api/v1/access_token", "/search"]
    assert source.renewed == {"access_token": "FRESH-TOKEN"}  # handed back to be stored


async def test_a_revoked_refresh_token_is_auth_failed(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v1/access_token").respond_with_json(
        {"error": "invalid_grant"}, status=400)
    with pytest.raises(AuthFailed, match="invalid_grant"):
        await refreshing(httpserver, client).fetch_page(None)
    assert [r.path for r, _ in httpserver.log] == ["/api/v1/access_token"]


async def test_an_interrupted_send_is_found_on_the_network(httpserver: HTTPServer,
                                                           client) -> None:
    httpserver.expect_request("/api/v1/me").respond_with_response(
        respond("reddit", "me__ok.json"))
    httpserver.expect_request("/user/zerno_coffee_official/comments").respond_with_response(
        respond("reddit", "user_comments__zerno.json"))
    httpserver.expect_request("/message/sent").respond_with_response(
        respond("reddit", "message_sent__page1.json"))
    source = reddit(httpserver, client)
    since = datetime.fromtimestamp(1795604000, UTC)
    text = "Простите нас! Напишите номер заказа в личные сообщения 🙏"
    assert await source.find_sent("public_reply", Target("t1_m0bz9f1"), text,
                                  since=since) == "t1_m0d0k77"
    assert await source.find_sent("public_reply", Target("t3_1h7qk2m"), text,
                                  since=since) is None  # under another parent: not it
    assert await source.find_sent("private_message", Target("nastya_msk"),
                                  "Напишите номер заказа\nСпасибо", since=since) == "t4_2f8m3zz"
    assert await source.find_sent("private_message", Target("beanhunter"),
                                  "Напишите номер заказа\nСпасибо", since=since) is None
    args = httpserver.log[1][0].args
    assert args["sort"] == "new" and args["limit"] == "100"


def test_connecting_an_account_reads_its_inbox(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/v1/me").respond_with_response(
        respond("reddit", "me__ok.json"))
    settings = Settings(database_url=sqlite_store.url, secret_key="connect-test-secret-0123",
                        reddit_api_url=base_url(httpserver))
    with transaction(sqlite_store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        done = connect_account(s, settings, brand_id=brand.id, network="reddit",
                               credentials={"access_token": TOKEN}, actor="anna")
    with transaction(sqlite_store.sessions) as s:
        channel, source = s.get(Channel, done.channel_ids[0]), s.get(Source, done.source_id)
        assert channel.external_id == "zerno_coffee_official" and channel.health == "ok"
        assert set(channel.capabilities) == {"read", "reply", "private"}
        assert source.kind == "inbox" and TOKEN not in json.dumps(source.credentials)


@pytest.mark.parametrize(("kind", "params"), [
    ("search", {"q": "  "}),
    ("search", {"q": "Zerno", "subreddit": "../api/v1/me"}),
    ("subreddit", {"subreddit": "moscow/new?x="}),
    ("comments", {"post_id": "../../api"}),
])
async def test_bad_params_are_refused_before_any_request(httpserver: HTTPServer, client,
                                                         kind: str, params: dict) -> None:
    with pytest.raises(ValueError, match="needs params"):
        await reddit(httpserver, client, kind, **params).fetch_page(None)
    assert httpserver.log == []


async def test_search_within_a_subreddit(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/r/moscow/search").respond_with_response(
        respond("reddit", "search__page2.json"))
    await reddit(httpserver, client, q="Zerno", subreddit="r/moscow").fetch_page(None)
    assert httpserver.log[0][0].args["restrict_sr"] == "1"


async def test_search_with_comments_reads_the_trees_of_what_it_found(httpserver: HTTPServer,
                                                                     client) -> None:
    httpserver.expect_request("/search").respond_with_handler(search_pages)
    httpserver.expect_request("/comments/1h7qk2m").respond_with_response(
        respond("reddit", "comments__1h7qk2m.json"))
    httpserver.expect_request("/comments/1h7n3ab").respond_with_response(
        respond("reddit", "error__404.json", 404))  # removed since the search
    httpserver.expect_request("/comments/1h6zz01").respond_with_response(
        respond("reddit", "error__404.json", 404))
    httpserver.expect_request("/api/morechildren").respond_with_response(
        respond("reddit", "error__404.json", 404))  # the tree's 'more' stub: not served
    source = reddit(httpserver, client, q="Zerno coffee", comments=True)
    cursor, stored, pages = None, [], 0
    while True:
        page = await source.fetch_page(cursor)
        stored += [p.external_id for p in page.posts]
        cursor, pages = page.cursor, pages + 1
        if not page.more:
            break
    assert pages == 5  # two search pages, then the three posts found with comments
    assert {"t1_m0bz9f1", "t1_m0c3d44"} <= set(stored) and set(PAGE1 + PAGE2) <= set(stored)
    assert [r.path for r, _ in httpserver.log][2:] == [
        "/comments/1h7qk2m", "/api/morechildren", "/comments/1h7n3ab", "/comments/1h6zz01"]
    assert cursor == {"phase": "search", "search": {"floor": 1795600800.0}}


async def test_an_older_page_that_is_gone_ends_the_sweep(httpserver: HTTPServer,
                                                         client) -> None:
    def pages(request: Request) -> Response:
        if request.args.get("after"):
            return respond("reddit", "error__404.json", 404)
        return respond("reddit", "search__page1.json")

    httpserver.expect_request("/search").respond_with_handler(pages)
    source = reddit(httpserver, client)
    first = await source.fetch_page(None)
    end = await source.fetch_page(first.cursor)
    assert end.posts == [] and not end.more
    assert end.cursor == {"phase": "search", "search": {"floor": 1795600800.0}}
    httpserver.clear()
    httpserver.expect_request("/search").respond_with_response(
        respond("reddit", "error__404.json", 404))
    with pytest.raises(BadResponse):  # the first page itself missing is an error
        await source.fetch_page(None)
