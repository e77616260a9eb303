"""App-store reviews (Google Play Developer API v3, App Store Connect API v1) replayed by a local
server: reviews with their rating, the developer's replies, paging, errors, replies sent, and a
1–2 star review stored negative whatever its words (CLI end to end, enrichment on)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from otklik.db.models import Mention
from otklik.domain.enrichment import Enriched
from otklik.domain.posts import Post
from otklik.nlp.sentiment.enricher import sentiment_enricher
from otklik.sources.base import Target
from otklik.sources.errors import AuthFailed
from otklik.sources.http import Budget, HttpClient
from otklik.sources.reviews import ReviewsSource

from .conftest import FakeSleep, base_url, respond
from .test_sources_cli import run

PACKAGE, APP = "ru.zerno.app", "1234567890"
PLAY = f"/androidpublisher/v3/applications/{PACKAGE}/reviews"
APPLE = f"/v1/apps/{APP}/customerReviews"
ANNA = "gp:AOqpTOFmAVORqfWGcaqfF39ftwFjGkjecjvjXnC3g_uL0NtVGlrrqm8X2XUWx0WydH3C92a8CVfR3hLo"
R1, R2, R3 = (f"00000042-cafe-0001-0000-00000000000{i}" for i in (1, 2, 3))
TOKEN = "ya29.SERVICE-ACCOUNT-SECRET"  # noqa: S105


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets={"reviews": Budget(10_000, 10_000)}, timeout=2.0,
                      rng=lambda: 0.5)
    yield http
    await http.aclose()


def store(server: HTTPServer, client: HttpClient, kind: str) -> ReviewsSource:
    params = {"package": PACKAGE} if kind == "google_play" else {"app_id": APP}
    return ReviewsSource(client, kind=kind, params={**params, "name": "Зерно"},
                         base_url=base_url(server), apple_url=base_url(server),
                         credentials={"access_token": TOKEN, "token": "eyJ.APPLE-SECRET"})


def play_pages(request: Request) -> Response:
    page = "page2" if request.args.get("token") else "page1"
    return respond("reviews", f"google_play_reviews__{page}.json")


def apple_pages(request: Request) -> Response:
    page = "page2" if request.args.get("cursor") else "page1"
    return respond("reviews", f"app_store_reviews__{page}.json")


async def test_google_play_reviews_replies_and_pages(httpserver: HTTPServer,
                                                     client: HttpClient) -> None:
    httpserver.expect_request(PLAY, method="GET").respond_with_handler(play_pages)
    source = store(httpserver, client, "google_play")
    page = await source.fetch_page(None)
    ids = [p.external_id for p in page.posts]
    assert ids[:2] == [f"google_play:{ANNA}", f"google_play:{ANNA}:reply"] and len(ids) == 4
    review, reply = page.posts[0], page.posts[1]
    assert review.text == ("Приложение вылетает\n\nПосле обновления вылетает при оплате, "
                           "спасибо, очень удобно 🙃")
    assert review.rating == 1 and review.lang == "ru"
    assert review.created_at == datetime.fromtimestamp(1797040000.913, UTC)
    assert review.place and review.place.external_id == f"google_play:{PACKAGE}"
    assert review.author and review.author.name == "Анна Смирнова"
    assert reply.parent_external_id == review.external_id and reply.author
    assert reply.author.external_id == f"google_play:{PACKAGE}:developer"
    nameless = page.posts[3]
    assert nameless.author and nameless.author.name is None and nameless.rating == 3
    assert page.more and page.cursor == {"token": "CpsBCpgBCi0KBmQ"}
    asked = httpserver.log[0][0]
    assert asked.headers["Authorization"] == f"Bearer {TOKEN}"
    assert asked.args["maxResults"] == "100"
    last = await source.fetch_page(page.cursor)
    assert [p.rating for p in last.posts] == [2] and not last.more and last.cursor == {
        "token": None}


async def test_app_store_reviews_sweep_back_to_what_was_seen(httpserver: HTTPServer,
                                                             client: HttpClient) -> None:
    httpserver.expect_request(APPLE, method="GET").respond_with_handler(apple_pages)
    source = store(httpserver, client, "app_store")
    page = await source.fetch_page(None)
    assert [p.external_id for p in page.posts] == [
        f"app_store:{R1}", f"app_store:{R1}:reply", f"app_store:{R2}"]
    first = page.posts[0]
    assert first.text == ("Отличное приложение!\n\nНо заказ не пришёл, деньги списали. "
                          "Спасибо большое...")
    assert first.rating == 2 and first.created_at == datetime(2026, 12, 3, 18, 15, tzinfo=UTC)
    assert page.posts[1].text == "Напишите нам в поддержку, вернём деньги."
    assert page.more and page.cursor["next"] == "AQ.AOHc1gs"
    assert httpserver.log[0][0].args.to_dict() == {
        "sort": "-createdDate", "limit": "200", "include": "response"}
    older = await source.fetch_page(page.cursor)
    assert [p.external_id for p in older.posts] == [f"app_store:{R3}"] and not older.more
    assert older.cursor == {"floor": "2026-12-03T18:15:00+00:00"}


async def test_replies_are_the_documented_requests(httpserver: HTTPServer,
                                                   client: HttpClient) -> None:
    httpserver.expect_request(f"{PLAY}/{ANNA}:reply", method="POST").respond_with_response(
        respond("reviews", "google_play_reply__ok.json"))
    httpserver.expect_request("/v1/customerReviewResponses", method="POST").respond_with_response(
        respond("reviews", "app_store_response__created.json", status=201))
    sent = await store(httpserver, client, "google_play").reply(
        Target(external_id=f"google_play:{ANNA}"), "Спасибо!")
    assert sent == f"google_play:{ANNA}:reply"
    assert json.loads(httpserver.log[0][0].data) == {"replyText": "Спасибо!"}
    sent = await store(httpserver, client, "app_store").reply(
        Target(external_id=f"app_store:{R1}"), "Спасибо!")
    assert sent == f"app_store:{R1}:reply"
    assert json.loads(httpserver.log[1][0].data) == {"data": {
        "type": "customerReviewResponses", "attributes": {"responseBody": "Спасибо!"},
        "relationships": {"review": {"data": {"type": "customerReviews", "id": R1}}}}}
    with pytest.raises(ValueError, match="at most 350"):
        await store(httpserver, client, "google_play").reply(
            Target(external_id=f"google_play:{ANNA}"), "x" * 351)


@pytest.mark.parametrize(("kind", "path", "fixture"), [
    ("google_play", PLAY, "google_play_error__401.json"),
    ("app_store", APPLE, "app_store_error__401.json")])
async def test_a_refused_token_is_auth_failed_in_the_stores_words(
        httpserver: HTTPServer, client: HttpClient, kind: str, path: str, fixture: str) -> None:
    httpserver.expect_request(path).respond_with_response(respond("reviews", fixture, 401))
    with pytest.raises(AuthFailed, match="UNAUTHENTICATED|NOT_AUTHORIZED") as caught:
        await store(httpserver, client, kind).fetch_page(None)
    assert "SECRET" not in str(caught.value)


async def test_bad_params_are_refused_before_any_request(client: HttpClient) -> None:
    for kind, params in (("google_play", {"package": "../x"}), ("app_store", {"app_id": "a/b"})):
        with pytest.raises(ValueError, match="needs params"):
            await ReviewsSource(client, kind=kind, params=params).fetch_page(None)


class PositiveModel:
    """A sentiment model that finds every text positive (as `спасибо` may make it)."""

    def predict(self, texts: list[str], langs: list[Any], targets: Any = None) -> list[Any]:
        return [{"label": "positive", "scores": {"positive": 0.9, "neutral": 0.05,
                                                 "negative": 0.05}} for _ in texts]


def test_a_low_rating_makes_a_review_negative_whatever_its_words() -> None:
    now = datetime.now(UTC)
    items = [Enriched(post=Post("reviews", f"r{stars}", "Спасибо, очень удобно", now,
                                rating=stars)) for stars in (1, 2, 3, 5)]
    items.append(Enriched(post=Post("vk", "p", "Спасибо", now)))
    items[0].brand_matches = {1: [1]}
    sentiment_enricher(PositiveModel(), {1: ["Зерно"]})(items)  # type: ignore[arg-type]
    assert [i.sentiment for i in items] == [
        "negative", "negative", "positive", "positive", "positive"]
    assert items[0].brand_sentiments == {}


def test_cli_polls_twice_and_stores_each_review_once(sqlite_store: Any,
                                                     httpserver: HTTPServer) -> None:
    httpserver.expect_request(PLAY).respond_with_handler(play_pages)
    env = {"OTKLIK_GOOGLE_PLAY_API_URL": base_url(httpserver), "GP_TOKEN": TOKEN}
    added = run(sqlite_store, "source", "add", "reviews", "google_play", "Google Play: Зерно",
                "-p", f"package={PACKAGE}", "--credential-env", "access_token=GP_TOKEN", env=env)
    assert added.exit_code == 0, added.output
    inserted = []
    for enrich in ("--enrich", "--no-enrich"):
        polled = run(sqlite_store, "source", "poll", "1", enrich, env=env)
        assert polled.exit_code == 0, polled.output
        inserted.append(json.loads(polled.stdout.strip().splitlines()[-1])["inserted"])
    assert inserted == [5, 0]
    with sqlite_store.sessions() as session:
        rows = {m.external_id: m for m in session.scalars(
            select(Mention).where(Mention.network == "reviews"))}
        assert len(rows) == 5 and all(m.text and m.created_at for m in rows.values())
        assert rows[f"google_play:{ANNA}"].sentiment == "negative"  # "спасибо", one star
        assert rows[f"google_play:{ANNA}"].raw["reviewId"] == ANNA


def test_connecting_each_store_links_the_app_as_a_channel(sqlite_store: Any,
                                                          httpserver: HTTPServer) -> None:
    from otklik.actions.brands import create_brand
    from otklik.actions.channels import connect_account
    from otklik.actions.unit import transaction
    from otklik.db.models import Channel
    from otklik.settings import Settings

    httpserver.expect_request(PLAY).respond_with_handler(play_pages)
    httpserver.expect_request(f"/v1/apps/{APP}").respond_with_json(
        {"data": {"type": "apps", "id": APP, "attributes": {
            "name": "Зерно — кофе с собой", "bundleId": "ru.zerno.app", "sku": "ZERNO"}}})
    settings = Settings(database_url=sqlite_store.url, secret_key="reviews-test-secret-0123",
                        google_play_api_url=base_url(httpserver),
                        app_store_api_url=base_url(httpserver))
    with transaction(sqlite_store.sessions) as session:
        brand = create_brand(session, "Зерно", queries=["зерно"])
        play = connect_account(session, settings, brand_id=brand.id, network="reviews",
                               credentials={"access_token": TOKEN},
                               params={"package": PACKAGE}, actor="anna")
        apple = connect_account(session, settings, brand_id=brand.id, network="reviews",
                                credentials={"token": "eyJ.APPLE-SECRET"},
                                params={"app_id": APP}, actor="anna")
    assert (play.account.external_id, play.account.kind) == (f"google_play:{PACKAGE}",
                                                             "google_play")
    assert (apple.account.external_id, apple.account.name, apple.account.kind) == (
        f"app_store:{APP}", "Зерно — кофе с собой", "app_store")
    with transaction(sqlite_store.sessions) as session:
        channels = {c.external_id: c for c in session.query(Channel)}
        assert set(channels) == {f"google_play:{PACKAGE}", f"app_store:{APP}"}
        assert all("reply" in c.capabilities for c in channels.values())
    assert httpserver.log[0][0].args["maxResults"] == "1"
