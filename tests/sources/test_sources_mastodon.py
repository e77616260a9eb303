"""Mastodon connector against recorded REST API responses (Search, Status, Context entities) on
a local server standing for the instance, and `otklik source add mastodon search` + `otklik
source poll` end to end on SQLite."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
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
from otklik.sources.errors import AuthFailed, BadResponse, NotSupported, RateLimited
from otklik.sources.http import Budget, HttpClient
from otklik.sources.mastodon import MastodonSource

from .conftest import FakeSleep, base_url, respond

TOKEN = "ZA-Yj3aBD8U8Cm7lKUp-lm9O9BmDgdhHzDeqsY8tlL0"
S1, S2, S3 = "117676494028801001", "117676376064002002", "117676258099203003"
OLDER = ["117670831718405005", "117670595788806006"]
TAGGED, BOOST = "117676533350407007", "117676513689608008"
ROOT, C1, C2, C3 = ("117676022169604004", "117676035276804100", "117676041830404200",
                    "117676048384004300")


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets={"mastodon": Budget(10_000, 10_000)}, timeout=2.0,
                      rng=lambda: 0.5)
    yield http
    await http.aclose()


def masto(server: HTTPServer, client: HttpClient, kind: str = "search",
          **params: Any) -> MastodonSource:
    return MastodonSource(client, kind=kind, credentials={"access_token": TOKEN},
                          params={"instance": base_url(server), **(params or {"q": "Зерно"})})


def host(server: HTTPServer) -> str:
    return base_url(server).split("://", 1)[1]


def search_pages(request: Request) -> Response:
    return respond("mastodon", "search__page2.json" if request.args.get("max_id")
                   else "search__page1.json")


async def test_search_pages_back_then_resumes_above_the_newest(httpserver: HTTPServer,
                                                               client) -> None:
    httpserver.expect_request("/api/v2/search", method="GET").respond_with_handler(search_pages)
    source = masto(httpserver, client, q="Зерно кофе", limit=3)
    page = await source.fetch_page(None)
    h = host(httpserver)
    assert [p.external_id for p in page.posts] == [f"{h}/{S1}", f"{h}/{S2}", f"{h}/{S3}"]
    assert page.more and page.cursor == {"floor": None, "top": S1, "max_id": S3, "pages": 1}
    first = httpserver.log[0][0]
    assert first.args.to_dict() == {"q": "Зерно кофе", "type": "statuses", "resolve": "false",
                                    "limit": "3"}
    assert first.headers["Authorization"] == f"Bearer {TOKEN}"

    page2 = await source.fetch_page(page.cursor)
    assert [p.external_id for p in page2.posts] == [f"{h}/{i}" for i in OLDER]
    assert httpserver.log[1][0].args["max_id"] == S3
    assert not page2.more and page2.cursor == {"floor": S1}
    json.dumps(page2.cursor)

    again = await source.fetch_page(page2.cursor)  # the next poll asks only for what is newer
    assert httpserver.log[2][0].args["min_id"] == S1 and "max_id" not in httpserver.log[2][0].args
    assert again.posts == [] and not again.more and again.cursor == {"floor": S1}


async def test_status_fields_and_safe_text(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v2/search").respond_with_response(
        respond("mastodon", "search__page1.json"))
    first, second, third = (await masto(httpserver, client).fetch_page(None)).posts
    assert first.network == "mastodon"
    assert first.text == ("Опять в #Зерно на Тверской перепутали заказ 😡\nТретий раз за неделю."
                          "\n@zerno что происходит? "
                          "https://example.ru/receipts/2026/11/25/check-4471")
    assert "alert" not in first.text and "color" not in first.text and "<" not in first.text
    assert first.created_at == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert first.url == f"https://mastodon.social/@olga_k/{S1}"
    assert first.author and first.author.external_id == "olga_k@mastodon.social"
    assert first.author.name == "Ольга К. ☕" and first.author.followers == 312
    assert first.author.created_at == datetime(2022, 11, 8, tzinfo=UTC)
    assert first.author.url == "https://mastodon.social/@olga_k"
    assert first.lang == "ru" and first.engagement == 2 + 1 + 4 and first.hashtags == ["зерно"]
    assert second.text == ("Zerno's oat flat white is <still> the best in Moscow & I will die "
                           "on this hill")
    assert second.author and second.author.external_id == "mark@fosstodon.org"
    assert second.edited_at is not None and second.lang == "en"
    assert third.text.startswith("кофейные сплетни\n\nСама не пробовала")  # the CW first
    assert third.parent_external_id == f"{host(httpserver)}/117676022169604004"
    assert third.author and third.author.name == "anna"  # no display name: the username


async def test_tag_timeline_follows_the_link_header(httpserver: HTTPServer, client) -> None:
    tag_url = f"{base_url(httpserver)}/api/v1/timelines/tag/%D0%BA%D0%BE%D1%84%D0%B5"
    link = (f'<{tag_url}?limit=3&max_id={S2}>; rel="next", '
            f'<{tag_url}?limit=3&min_id={TAGGED}>; rel="prev"')

    def timeline(request: Request) -> Response:
        if request.args.get("max_id") or request.args.get("since_id"):
            return respond("mastodon", "tag__empty.json")
        return respond("mastodon", "tag__page1.json", headers={"Link": link})

    httpserver.expect_request("/api/v1/timelines/tag/кофе").respond_with_handler(timeline)
    source = masto(httpserver, client, "tag", tag="#кофе", limit=3)
    page = await source.fetch_page(None)
    h = host(httpserver)
    # the boost stands for the status it boosts, which the page also holds: stored once
    assert [p.external_id for p in page.posts] == [f"{h}/{TAGGED}", f"{h}/{S1}", f"{h}/{S2}"]
    assert page.more and page.cursor["max_id"] == S2  # from rel="next"
    end = await source.fetch_page(page.cursor)
    assert end.posts == [] and end.cursor == {"floor": TAGGED}
    assert httpserver.log[1][0].args.to_dict() == {"limit": "3", "max_id": S2}
    await source.fetch_page(end.cursor)
    assert httpserver.log[2][0].args.to_dict() == {"limit": "3", "since_id": TAGGED}


async def test_mentions_of_the_connected_account(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v1/notifications").respond_with_response(
        respond("mastodon", "notifications__mentions.json"))
    source = masto(httpserver, client, "mentions")
    page = await source.fetch_page(None)
    h = host(httpserver)
    direct, reply = page.posts
    assert direct.external_id == f"{h}/117676572672009509" and direct.raw["visibility"] == "direct"
    assert direct.text == "@zerno номер заказа 4471"
    assert direct.place and direct.place.kind == "private"  # the desk shows it as private
    assert direct.place.external_id == "direct:olga_k@mastodon.social"
    assert reply.place is None
    assert reply.external_id == f"{h}/{C1}" and reply.parent_external_id == f"{h}/{ROOT}"
    assert page.cursor == {"floor": "34975861"}  # notification ids page, not status ids
    assert httpserver.log[0][0].args.to_dict() == {"types[]": "mention", "limit": "40"}
    await source.fetch_page(page.cursor)
    assert httpserver.log[1][0].args["since_id"] == "34975861"


async def test_context_keeps_parents_and_the_root(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request(f"/api/v1/statuses/{C1}").respond_with_response(
        respond("mastodon", f"status__{C1}.json"))
    httpserver.expect_request(f"/api/v1/statuses/{C1}/context").respond_with_response(
        respond("mastodon", f"context__{C1}.json"))
    page = await masto(httpserver, client, "context", status_id=C1).fetch_page(None)
    h = host(httpserver)
    by_id = {p.external_id.rpartition("/")[2]: p for p in page.posts}
    assert list(by_id) == [ROOT, C1, C2, C3]
    assert by_id[ROOT].parent_external_id is None and by_id[ROOT].thread_external_id is None
    assert by_id[C1].parent_external_id == f"{h}/{ROOT}"
    assert by_id[C2].parent_external_id == f"{h}/{C1}"
    assert by_id[C3].parent_external_id == f"{h}/{ROOT}"
    assert {by_id[i].thread_external_id for i in (C1, C2, C3)} == {f"{h}/{ROOT}"}
    assert by_id[C2].text == "@olga_k Конечно! Скажите бариста 🙂"


@pytest.mark.parametrize("instance", ["", "ftp://mastodon.social", "javascript:alert(1)",
                                      "https://user:pw@mastodon.social", "mastodon.social",
                                      "https://mastodon.social?x=1", "https://#x"])
async def test_instance_must_be_an_http_server(client, instance: str) -> None:
    source = MastodonSource(client, kind="search", params={"q": "x", "instance": instance},
                            credentials={"access_token": TOKEN})
    with pytest.raises(ValueError, match="params.instance"):
        await source.fetch_page(None)


async def test_an_instance_behind_a_path_prefix(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/proxy/api/v2/search").respond_with_response(
        respond("mastodon", "search__page2.json"))
    source = MastodonSource(client, kind="search", credentials={"access_token": TOKEN},
                            params={"q": "Зерно", "instance": f"{base_url(httpserver)}/proxy/"})
    assert len((await source.fetch_page(None)).posts) == 2


async def test_429_waits_for_retry_after(httpserver: HTTPServer, client, sleeps) -> None:
    httpserver.expect_oneshot_request("/api/v2/search").respond_with_response(respond(
        "mastodon", "error__429.json", 429, headers={"Retry-After": "30"}))
    httpserver.expect_request("/api/v2/search").respond_with_response(
        respond("mastodon", "search__page2.json"))
    page = await masto(httpserver, client).fetch_page(None)
    assert len(page.posts) == 2 and sleeps.calls == [30.0]


async def test_429_without_retry_after_uses_the_reset_header(httpserver: HTTPServer, client,
                                                             sleeps) -> None:
    reset = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    httpserver.expect_request("/api/v2/search").respond_with_response(respond(
        "mastodon", "error__429.json", 429,
        headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                 "X-RateLimit-Reset": reset}))
    with pytest.raises(RateLimited) as caught:  # an hour is more than the client waits
        await masto(httpserver, client).fetch_page(None)
    assert caught.value.retry_after is not None and caught.value.retry_after > 3000
    assert len(httpserver.log) == 1 and sleeps.calls == []


async def test_spent_budget_stops_before_the_next_request(httpserver: HTTPServer,
                                                          client) -> None:
    reset = (datetime.now(UTC) + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    httpserver.expect_request("/api/v2/search").respond_with_response(respond(
        "mastodon", "search__page1.json",
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}))
    source = masto(httpserver, client)
    page = await source.fetch_page(None)
    assert len(page.posts) == 3  # this answer is good
    with pytest.raises(RateLimited):
        await source.fetch_page(page.cursor)
    assert len(httpserver.log) == 1


async def test_401_is_auth_failed_with_the_servers_words(httpserver: HTTPServer, client,
                                                         caplog) -> None:
    httpserver.expect_request("/api/v2/search").respond_with_response(
        respond("mastodon", "error__401.json", 401))
    caplog.set_level(logging.DEBUG, logger="otklik")
    with pytest.raises(AuthFailed, match="The access token is invalid") as caught:
        await masto(httpserver, client).fetch_page(None)
    assert caught.value.code == 401 and len(httpserver.log) == 1
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("otklik"))
    assert "/api/v2/search" in ours and TOKEN not in ours


async def test_malformed_json_is_a_clear_error(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v2/search").respond_with_response(
        respond("mastodon", "search__malformed.json"))
    with pytest.raises(BadResponse, match="mastodon: malformed JSON"):
        await masto(httpserver, client).fetch_page(None)


async def test_reply_and_direct_message_are_the_documented_requests(httpserver: HTTPServer,
                                                                    client) -> None:
    httpserver.expect_request(f"/api/v1/statuses/{S1}", method="GET").respond_with_response(
        respond("mastodon", f"status__{S1}.json"))

    def post(request: Request) -> Response:
        direct = request.form.get("visibility") == "direct"
        return respond("mastodon", "statuses__direct.json" if direct else "statuses__reply.json")

    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_handler(post)
    source = masto(httpserver, client)
    h = host(httpserver)
    sent = await source.reply(Target(f"{h}/{S1}"), "Ольга, простите нас! 🙏",
                              idempotency_key="action:5")
    assert sent == f"{h}/117676553011209009"
    dm = await source.send_private(Target("mark@fosstodon.org"), "Напишите номер заказа",
                                   idempotency_key="action:6")
    assert dm == f"{h}/117676556943369109"
    (lookup, _), (reply, _), (direct, _) = httpserver.log
    assert lookup.path == f"/api/v1/statuses/{S1}"
    assert reply.form.to_dict() == {"status": "@olga_k@mastodon.social Ольга, простите нас! 🙏",
                                    "in_reply_to_id": S1, "visibility": "public"}
    assert direct.form.to_dict() == {"status": "@mark@fosstodon.org Напишите номер заказа",
                                     "visibility": "direct"}
    keys = {reply.headers["Idempotency-Key"], direct.headers["Idempotency-Key"]}
    assert len(keys) == 2 and all(len(k) == 32 for k in keys)
    assert direct.headers["Authorization"] == f"Bearer {TOKEN}"
    with pytest.raises(ValueError, match="not a status of"):
        await source.reply(Target(f"mastodon.online/{S1}"), "Спасибо")


async def test_a_refused_status_says_why(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v1/statuses", method="POST").respond_with_response(
        respond("mastodon", "error__422.json", 422))
    with pytest.raises(BadResponse, match="Text can't be blank"):
        await masto(httpserver, client).send_private(Target("mark@fosstodon.org"), "")


async def test_verify_names_the_account(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        respond("mastodon", "verify_credentials__ok.json"))
    account = await masto(httpserver, client).verify()
    assert account.external_id == "zerno@mastodon.social"
    assert account.name == "Зерно — сеть кофеен" and account.audience == 5120
    assert account.params == {"instance": base_url(httpserver)}
    assert account.kind == "mentions"  # connecting the account reads what mentions it


def run(store: Any, *args: str, env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), env={"OTKLIK_DATABASE_URL": store.url,
                                                    **(env or {})})


def test_cli_two_polls_store_each_status_once(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/v2/search").respond_with_handler(search_pages)
    env = {"MASTODON_TOKEN_FOR_TEST": TOKEN}
    added = run(sqlite_store, "source", "add", "mastodon", "search", "Mastodon: Зерно",
                "-p", "q=Зерно", "-p", f"instance={base_url(httpserver)}", "-p", "limit=3",
                "--credential-env", "access_token=MASTODON_TOKEN_FOR_TEST", env=env)
    assert added.exit_code == 0, added.output
    first = run(sqlite_store, "source", "poll", "1", env=env)
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout.strip().splitlines()[-1])["inserted"] == 5
    second = run(sqlite_store, "source", "poll", "1", "--no-enrich", env=env)
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout.strip().splitlines()[-1])["inserted"] == 0
    with sqlite_store.sessions() as session:
        rows = session.scalars(select(Mention).where(Mention.network == "mastodon")).all()
        h = host(httpserver)
        assert sorted(m.external_id for m in rows) == sorted(
            f"{h}/{i}" for i in [S1, S2, S3, *OLDER])
        assert all(m.text and m.created_at and m.author_id for m in rows)
    assert [r.args.get("min_id") for r, _ in httpserver.log] == [None, None, S1]


def test_connecting_an_account_reads_its_mentions(sqlite_store: Any,
                                                  httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        respond("mastodon", "verify_credentials__ok.json"))
    settings = Settings(database_url=sqlite_store.url, secret_key="connect-test-secret-0123")
    with transaction(sqlite_store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        done = connect_account(s, settings, brand_id=brand.id, network="mastodon",
                               credentials={"access_token": TOKEN},
                               params={"instance": base_url(httpserver)}, actor="anna")
    with transaction(sqlite_store.sessions) as s:
        channel, source = s.get(Channel, done.channel_ids[0]), s.get(Source, done.source_id)
        assert channel.external_id == "zerno@mastodon.social" and channel.health == "ok"
        assert source.kind == "mentions" and source.params == {"instance": base_url(httpserver)}
        assert TOKEN not in json.dumps(source.credentials)


async def test_an_interrupted_reply_is_found_on_the_network(httpserver: HTTPServer,
                                                            client) -> None:
    httpserver.expect_request("/api/v1/accounts/verify_credentials").respond_with_response(
        respond("mastodon", "verify_credentials__ok.json"))
    httpserver.expect_request("/api/v1/accounts/111502004466110283/statuses"
                              ).respond_with_response(
        respond("mastodon", "account_statuses__zerno.json"))
    source = masto(httpserver, client)
    h = host(httpserver)
    since = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    found = await source.find_sent("public_reply", Target(f"{h}/{S1}"),
                                   "Ольга, простите нас! 🙏", since=since)
    assert found == f"{h}/117676553011209009"
    assert await source.find_sent("public_reply", Target(f"{h}/{S1}"), "Другой текст",
                                  since=since) is None
    assert await source.find_sent("public_reply", Target(f"{h}/{S1}"),
                                  "Ольга, простите нас! 🙏",
                                  since=since + timedelta(hours=1)) is None  # older than it
    with pytest.raises(NotSupported):
        await source.find_sent("private_message", Target("mark@fosstodon.org"), "x",
                               since=since)


async def test_search_with_threads_reads_the_conversations_found(httpserver: HTTPServer,
                                                                 client) -> None:
    def statuses(request: Request) -> Response:
        if request.path == f"/api/v1/statuses/{S1}":
            return respond("mastodon", f"status__{S1}.json")
        if request.path == f"/api/v1/statuses/{S1}/context":
            return respond("mastodon", f"context__{C1}.json")
        return respond("mastodon", "error__404.json", 404)  # deleted since the search

    httpserver.expect_request("/api/v2/search").respond_with_handler(search_pages)
    httpserver.expect_request(re.compile("/api/v1/statuses/.*")).respond_with_handler(statuses)
    source = masto(httpserver, client, q="Зерно", limit=3, threads=True)
    cursor, stored = None, []
    while True:
        page = await source.fetch_page(cursor)
        stored += page.posts
        cursor = page.cursor
        if not page.more:
            break
    h = host(httpserver)
    asked = [r.path for r, _ in httpserver.log if r.path.startswith("/api/v1/statuses/")]
    # replies and replied-to statuses: S1 (2 replies), S3 (a reply), the older one with replies
    assert asked == [f"/api/v1/statuses/{S1}", f"/api/v1/statuses/{S1}/context",
                     f"/api/v1/statuses/{S3}", f"/api/v1/statuses/{OLDER[1]}"]
    threaded = {p.external_id: p for p in stored if p.thread_external_id}
    assert threaded[f"{h}/{C2}"].thread_external_id == f"{h}/{ROOT}"
    assert threaded[f"{h}/{S1}"].thread_external_id == f"{h}/{ROOT}"
    assert cursor == {"floor": S1}


async def test_a_refused_bound_is_asked_again_as_the_newest_page(httpserver: HTTPServer,
                                                                 client) -> None:
    def search(request: Request) -> Response:
        if request.args.get("min_id") or request.args.get("max_id"):
            return respond("mastodon", "error__404.json", 404)
        return respond("mastodon", "search__page1.json")

    httpserver.expect_request("/api/v2/search").respond_with_handler(search)
    source = masto(httpserver, client, q="Зерно", limit=3)
    first = await source.fetch_page(None)
    assert first.more
    end = await source.fetch_page(first.cursor)  # the older page (max_id) is refused
    assert end.posts == [] and end.cursor == {"floor": S1}
    again = await source.fetch_page(end.cursor)  # min_id refused: the newest page, filtered
    assert again.posts == [] and again.cursor == {"floor": S1}
    assert [r.args.get("min_id") for r, _ in httpserver.log] == [None, None, S1, None]
