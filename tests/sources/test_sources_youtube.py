"""YouTube connector against YouTube Data API v3 responses replayed by a local server."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from otklik.db.models import Mention
from otklik.sources.base import Target
from otklik.sources.errors import AuthFailed, BadResponse, NotSupported, RateLimited
from otklik.sources.http import Budget, HttpClient
from otklik.sources.youtube import YouTubeSource
from otklik.sources.youtube_items import author, seconds_to_reset

from .conftest import FIXTURES, FakeSleep, base_url, respond
from .test_sources_cli import run

KEY = "AIzaSyD-TEST-SECRET-KEY"
OAUTH = "ya29.TEST-OAUTH-SECRET"
VIDEO = "q3Vt8LmZ2xA"
T1, T2, T3 = ("UgzK7pQ2mV9xR4tL1bN6AaABAg", "Ugw3HsN8cJ2fQ0pLm7Xk4AaABAg",
              "UgyR5tW1nB8vC3xZq9Dm2AaABAg")
T4, T5 = "UgxP2kL9sT4wE7yU1iO3AaABAg", "Ugz9QmN1bV5cX8zA2sD4AaABAg"
ALL_IDS = {T1, f"{T1}.9TqLm2Wx8Rb", f"{T1}.9TqMx4Yz2Pd", T2, T3, T4, T5,
           *(f"{T3}.A{i}" for i in range(1, 8))}


@pytest.fixture
async def client(sleeps: FakeSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleeps, budgets={"youtube": Budget(10_000, 10_000)}, timeout=2.0,
                      rng=lambda: 0.5)
    yield http
    await http.aclose()


def yt(server: HTTPServer, client: HttpClient, kind: str = "comments",
       **params: Any) -> YouTubeSource:
    return YouTubeSource(client, kind=kind, params=params or {"video_id": VIDEO},
                         base_url=base_url(server),
                         credentials={"api_key": KEY, "access_token": OAUTH})


def threads(request: Request) -> Response:
    page = "page2" if request.args.get("pageToken") else "page1"
    return respond("youtube", f"commentThreads__{page}.json")


def serve_video(server: HTTPServer) -> None:
    server.expect_request("/commentThreads", method="GET").respond_with_handler(threads)
    server.expect_request("/comments", method="GET").respond_with_response(
        respond("youtube", "comments__replies.json"))


async def test_pages_threads_and_replies(httpserver: HTTPServer, client: HttpClient) -> None:
    serve_video(httpserver)
    source = yt(httpserver, client)
    page = await source.fetch_page(None)
    by_id = {p.external_id: p for p in page.posts}
    assert list(by_id)[:4] == [T1, f"{T1}.9TqLm2Wx8Rb", f"{T1}.9TqMx4Yz2Pd", T2]
    top = by_id[T1]
    assert top.text.startswith("Заказал капучино в «Зерне»") and top.text.endswith("нормально?")
    assert top.created_at == datetime(2026, 11, 30, 9, 40, 5, tzinfo=UTC)
    assert top.author and top.author.external_id == "UCm2Lr8dT0vX5kQ9wE3jH7nA"
    assert top.author.handle == "olga.petrova" and top.author.name == "@olga.petrova"
    assert top.parent_external_id is None and top.thread_external_id == T1
    assert top.place and top.place.external_id == VIDEO and top.place.kind == "video"
    assert top.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={T1}"
    assert top.engagement == 14
    answer = by_id[f"{T1}.9TqMx4Yz2Pd"]
    assert answer.parent_external_id == answer.thread_external_id == T1
    assert by_id[T2].edited_at is not None and "& круассаны" in by_id[T2].text
    # a plain name (no @handle) has no handle; the channel id still names the author
    plain = by_id[T3].author
    assert plain and plain.handle is None and plain.name == "Сергей Лебедев"
    # YouTube embedded 5 of T3's 7 replies: the thread was read in full with comments.list
    assert [i for i in by_id if i.startswith(f"{T3}.")] == [f"{T3}.A{i}" for i in range(1, 8)]
    full = by_id[f"{T3}.A7"]  # comments.list leaves out the video: the thread's is kept
    assert full.place and full.place.external_id == VIDEO
    assert full.url == f"https://www.youtube.com/watch?v={VIDEO}&lc={T3}.A7"
    assert page.more and page.cursor["page_token"] == "QURTSl9pM0xmQWNjZjFuV0JoYjl5U2R2RzJTbHI5TFpx"
    first = httpserver.log[0][0].args
    assert dict(first) == {"part": "snippet,replies", "videoId": VIDEO, "maxResults": "100",
                           "order": "time", "textFormat": "plainText", "key": KEY}
    replies = httpserver.log[1][0]
    assert replies.path == "/comments" and replies.args["parentId"] == T3
    assert replies.args["part"] == "snippet" and replies.args["key"] == KEY

    page2 = await source.fetch_page(page.cursor)
    assert httpserver.log[2][0].args["pageToken"] == page.cursor["page_token"]
    assert [p.external_id for p in page2.posts] == [T4, T5]
    assert "👨‍👩‍👧‍👦" in page2.posts[0].text and page2.posts[1].text.startswith("a < b && c > d")
    assert not page2.more and page2.cursor["page_token"] is None
    assert page2.cursor["replies"] == {T3: 7}
    assert page2.cursor["quota"]["used"] == 3  # two pages and one reply page, 1 unit each
    json.dumps(page2.cursor)

    # the next pass starts over; T3's reply count has not changed, so it is not read again
    page3 = await source.fetch_page(page2.cursor)
    assert "pageToken" not in httpserver.log[3][0].args
    assert [r[0].path for r in httpserver.log].count("/comments") == 1
    assert page3.cursor["quota"]["used"] == 4


async def test_html_text_is_decoded_when_no_original(httpserver: HTTPServer,
                                                     client: HttpClient) -> None:
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "commentThreads__html.json"))
    (post,) = (await yt(httpserver, client).fetch_page(None)).posts
    assert post.text == ("1:23 \"Зерно\" — это вкусно, но кассир сказал: 'ждите'\n"
                         "Вторая строка & всё")
    assert post.author and post.author.handle is None and post.author.name == "Old Style Name"


async def test_channel_kind_reads_all_its_threads(httpserver: HTTPServer,
                                                  client: HttpClient) -> None:
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "commentThreads__page2.json"))
    source = yt(httpserver, client, "channel", channel_id="UC7xQe2lW9pK3bN5aV1rT8sQ")
    page = await source.fetch_page(None)
    assert [p.external_id for p in page.posts] == [T4, T5] and not page.more
    args = httpserver.log[0][0].args
    assert args["allThreadsRelatedToChannelId"] == "UC7xQe2lW9pK3bN5aV1rT8sQ"
    assert "videoId" not in args
    with pytest.raises(ValueError, match="params.channel_id"):
        await yt(httpserver, client, "channel", q="x").fetch_page(None)


async def test_a_repeated_page_token_ends_the_pass(httpserver: HTTPServer,
                                                  client: HttpClient) -> None:
    serve_video(httpserver)
    httpserver.clear()
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "commentThreads__page1.json"))  # whatever pageToken asks
    httpserver.expect_request("/comments").respond_with_response(
        respond("youtube", "comments__replies.json"))
    source = yt(httpserver, client)
    first = await source.fetch_page(None)
    again = await source.fetch_page(first.cursor)
    assert first.more and not again.more and again.cursor["page_token"] is None


async def test_failed_reply_read_keeps_the_embedded_replies(httpserver: HTTPServer,
                                                           client: HttpClient) -> None:
    httpserver.expect_request("/commentThreads").respond_with_handler(threads)
    httpserver.expect_request("/comments").respond_with_response(Response("", status=404))
    source = yt(httpserver, client)
    page = await source.fetch_page(None)
    assert [p.external_id for p in page.posts if p.external_id.startswith(f"{T3}.")] == [
        f"{T3}.A{i}" for i in range(1, 6)]
    assert page.cursor["replies"] == {}  # tried again on the next pass


async def test_reply_pages_end_when_the_token_repeats(httpserver: HTTPServer,
                                                     client: HttpClient) -> None:
    replies = json.loads((FIXTURES / "youtube" / "comments__replies.json").read_text())
    stuck = Response(json.dumps({**replies, "nextPageToken": "Z2V0LW1vcmU"}),
                     content_type="application/json")
    httpserver.expect_request("/commentThreads").respond_with_handler(threads)
    httpserver.expect_request("/comments").respond_with_response(stuck)
    page = await yt(httpserver, client).fetch_page(None)
    assert len([p for p in page.posts if p.external_id.startswith(f"{T3}.")]) == 7
    assert [r[0].args.get("pageToken") for r in httpserver.log if r[0].path == "/comments"] == [
        None, "Z2V0LW1vcmU"]


async def test_daily_quota_is_not_exceeded(httpserver: HTTPServer, client: HttpClient) -> None:
    serve_video(httpserver)
    source = yt(httpserver, client, video_id=VIDEO, daily_quota=3)
    source.now = lambda: datetime(2026, 12, 4, 7, tzinfo=UTC)  # type: ignore[method-assign]
    day = (await source.fetch_page(None)).cursor["quota"]["day"]
    assert day == "2026-12-03"  # 23:00 Pacific time
    with pytest.raises(RateLimited) as caught:
        await source.fetch_page({"quota": {"day": day, "used": 3}})
    assert caught.value.code == "quota"
    assert 0 < (caught.value.retry_after or 0) <= 25 * 3600
    assert len(httpserver.log) == 2  # refused before a request was sent
    # a new Pacific day starts from zero
    page = await source.fetch_page({"quota": {"day": "2000-01-01", "used": 3}})
    assert page.cursor["quota"] == {"day": day, "used": 2}  # the page and its replies


async def test_a_new_pass_waits_for_its_share_of_the_day(httpserver: HTTPServer,
                                                         client: HttpClient) -> None:
    serve_video(httpserver)
    source = yt(httpserver, client, video_id=VIDEO, daily_quota=1000)
    source.now = lambda: datetime(2026, 12, 1, 14, tzinfo=UTC)  # type: ignore[method-assign]
    # 06:00 Pacific: a quarter of the day, so 250 + a tenth (100) units may be spent by now
    spent = {"page_token": None, "quota": {"day": "2026-12-01", "used": 350}}
    waiting = await source.fetch_page(spent)
    assert waiting.posts == [] and not waiting.more and httpserver.log == []
    assert waiting.cursor["quota"]["used"] == 350
    page = await source.fetch_page({**spent, "quota": {"day": "2026-12-01", "used": 349}})
    assert page.posts and page.more
    # a pass once started runs on: its next page is read even though the share is spent
    following = await source.fetch_page(page.cursor)
    assert following.posts and following.cursor["quota"]["used"] == 352


async def test_quota_exceeded_waits_for_pacific_midnight(httpserver: HTTPServer,
                                                         client: HttpClient,
                                                         sleeps: FakeSleep) -> None:
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "error__quota_exceeded.json", status=403))
    source = yt(httpserver, client)
    source.now = lambda: datetime(2026, 12, 1, 7, 30, tzinfo=UTC)  # type: ignore[method-assign]
    with pytest.raises(RateLimited) as caught:
        await source.fetch_page(None)
    assert caught.value.code == "quotaExceeded" and "<a" not in str(caught.value)
    assert caught.value.retry_after == 30 * 60  # 23:30 PST: the reset is half an hour away
    assert len(httpserver.log) == 1 and sleeps.calls == []


def test_pacific_midnight_in_summer_time() -> None:
    assert seconds_to_reset(datetime(2026, 7, 1, 6, 0, tzinfo=UTC)) == 3600  # 23:00 PDT


async def test_short_rate_limit_is_retried(httpserver: HTTPServer, client: HttpClient,
                                           sleeps: FakeSleep) -> None:
    httpserver.expect_oneshot_request("/commentThreads").respond_with_response(
        respond("youtube", "error__rate_limit.json", status=403))
    httpserver.expect_oneshot_request("/commentThreads").respond_with_response(
        respond("youtube", "error__backend.json", status=503))
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "commentThreads__page2.json"))
    page = await yt(httpserver, client).fetch_page(None)
    assert len(page.posts) == 2 and len(httpserver.log) == 3 and len(sleeps.calls) == 2


@pytest.mark.parametrize(("fixture", "status"), [
    ("error__unauthorized.json", 401), ("error__key_invalid.json", 400)])
async def test_bad_credentials_are_auth_failed(httpserver: HTTPServer, client: HttpClient,
                                               sleeps: FakeSleep, fixture: str,
                                               status: int) -> None:
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", fixture, status=status))
    with pytest.raises(AuthFailed):
        await yt(httpserver, client).fetch_page(None)
    assert len(httpserver.log) == 1 and sleeps.calls == []


async def test_comments_disabled_is_an_empty_pass_that_says_why(httpserver: HTTPServer,
                                                               client: HttpClient) -> None:
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "error__comments_disabled.json", status=403))
    page = await yt(httpserver, client).fetch_page(None)
    assert page.posts == [] and not page.more and page.cursor["comments_disabled"] is True
    assert len(httpserver.log) == 1  # not retried


async def test_malformed_json_is_bad_response(httpserver: HTTPServer,
                                              client: HttpClient) -> None:
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "commentThreads__malformed.json"))
    with pytest.raises(BadResponse, match="malformed JSON"):
        await yt(httpserver, client).fetch_page(None)


async def test_api_key_never_logged(httpserver: HTTPServer, client: HttpClient,
                                    caplog: pytest.LogCaptureFixture) -> None:
    httpserver.expect_request("/commentThreads").respond_with_response(
        respond("youtube", "error__key_invalid.json", status=400))
    caplog.set_level(logging.DEBUG, logger="otklik")
    with pytest.raises(AuthFailed) as caught:
        await yt(httpserver, client).fetch_page(None)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("otklik"))
    assert "commentThreads" in ours and KEY not in ours and KEY not in str(caught.value)


async def test_reply_is_comments_insert(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/comments", method="POST").respond_with_response(
        respond("youtube", "comments.insert__ok.json"))
    source = yt(httpserver, client)
    sent = await source.reply(Target(T1, None, T1), "Ольга, здравствуйте!")
    assert sent == f"{T1}.9TqZz7Ab1Cd"
    # answering a reply answers in its thread: YouTube threads are one level deep
    await source.reply(Target(f"{T1}.9TqLm2Wx8Rb", T1, T1), "Иван, спасибо")
    for request, parent in zip([r[0] for r in httpserver.log], [T1, T1], strict=True):
        assert request.method == "POST" and dict(request.args) == {"part": "snippet"}
        assert request.headers["Authorization"] == f"Bearer {OAUTH}"
        assert request.get_json()["snippet"]["parentId"] == parent
    assert httpserver.log[0][0].get_json() == {
        "snippet": {"parentId": T1, "textOriginal": "Ольга, здравствуйте!"}}


REFRESH = {"api_key": KEY, "refresh_token": "1//0g-REFRESH-SECRET",
           "client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "GOCSPX-SECRET"}


async def test_reply_with_a_refresh_token_takes_a_fresh_access_token(
        httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/token", method="POST").respond_with_response(
        respond("youtube", "token__refreshed.json"))
    httpserver.expect_request("/comments", method="POST").respond_with_response(
        respond("youtube", "comments.insert__ok.json"))
    source = YouTubeSource(client, kind="comments", params={"video_id": VIDEO},
                           base_url=base_url(httpserver), credentials=REFRESH,
                           token_url=httpserver.url_for("/token"))
    assert await source.reply(Target(T1), "Здравствуйте!") == f"{T1}.9TqZz7Ab1Cd"
    token, insert = (r[0] for r in httpserver.log)
    assert dict(token.form) == {"client_id": REFRESH["client_id"],
                                "client_secret": "GOCSPX-SECRET",
                                "refresh_token": "1//0g-REFRESH-SECRET",
                                "grant_type": "refresh_token"}
    assert insert.headers["Authorization"] == "Bearer ya29.a0AfB_FRESH-TEST-TOKEN"
    assert source.renewed == {"access_token": "ya29.a0AfB_FRESH-TEST-TOKEN"}


async def test_a_stored_access_token_is_used_until_refused_then_refreshed_once(
        httpserver: HTTPServer, client: HttpClient) -> None:
    stored = {**REFRESH, "access_token": "ya29.STORED"}
    httpserver.expect_oneshot_request("/comments", method="POST").respond_with_data(
        '{"error": {"code": 401, "message": "Invalid Credentials"}}', status=401,
        content_type="application/json")
    httpserver.expect_request("/token", method="POST").respond_with_response(
        respond("youtube", "token__refreshed.json"))
    httpserver.expect_request("/comments", method="POST").respond_with_response(
        respond("youtube", "comments.insert__ok.json"))
    source = YouTubeSource(client, kind="comments", params={"video_id": VIDEO},
                           base_url=base_url(httpserver), credentials=stored,
                           token_url=httpserver.url_for("/token"))
    await source.reply(Target(T1), "Здравствуйте!")
    assert [r[0].path for r in httpserver.log] == ["/comments", "/token", "/comments"]
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer ya29.STORED"
    assert httpserver.log[2][0].headers["Authorization"] == "Bearer ya29.a0AfB_FRESH-TEST-TOKEN"
    assert source.renewed == {"access_token": "ya29.a0AfB_FRESH-TEST-TOKEN"}
    fresh = YouTubeSource(client, kind="comments", params={"video_id": VIDEO},
                          base_url=base_url(httpserver), credentials=stored,
                          token_url=httpserver.url_for("/token"))
    httpserver.clear_log()
    await fresh.reply(Target(T1), "Ещё раз")
    assert [r[0].path for r in httpserver.log] == ["/comments"] and fresh.renewed is None


async def test_revoked_refresh_token_is_auth_failed(httpserver: HTTPServer,
                                                    client: HttpClient) -> None:
    httpserver.expect_request("/token", method="POST").respond_with_response(
        respond("youtube", "token__invalid_grant.json", status=400))
    source = YouTubeSource(client, kind="comments", params={"video_id": VIDEO},
                           base_url=base_url(httpserver), credentials=REFRESH,
                           token_url=httpserver.url_for("/token"))
    with pytest.raises(AuthFailed, match="invalid_grant"):
        await source.reply(Target(T1), "Здравствуйте!")
    assert len(httpserver.log) == 1  # nothing was sent to YouTube


async def test_find_sent_reads_the_thread_back(httpserver: HTTPServer,
                                               client: HttpClient) -> None:
    httpserver.expect_request("/comments", method="GET").respond_with_response(
        respond("youtube", "comments__replies.json"))
    source = yt(httpserver, client)
    source.bind_channel("youtube", "UCd4Anna0000000000000004")
    since = datetime(2026, 11, 29, 22, 0, tzinfo=UTC)
    target = Target(f"{T3}.A2", T3, T3)
    assert await source.find_sent("public_reply", target, " ответ  7", since=since) == (
        f"{T3}.A7")
    assert httpserver.log[0][0].args["parentId"] == T3
    assert await source.find_sent("public_reply", target, "Ответ 7",
                                  since=datetime(2026, 11, 30, tzinfo=UTC)) is None
    source.bind_channel("youtube", "UC7xQe2lW9pK3bN5aV1rT8sQ")  # someone else wrote it
    assert await source.find_sent("public_reply", target, "Ответ 7", since=since) is None
    with pytest.raises(NotSupported):
        await source.find_sent("private_message", target, "Ответ 7", since=since)


async def test_verify_names_the_channel(httpserver: HTTPServer, client: HttpClient) -> None:
    httpserver.expect_request("/channels").respond_with_response(
        respond("youtube", "channels__mine.json"))
    account = await yt(httpserver, client).verify()
    assert account.external_id == "UC7xQe2lW9pK3bN5aV1rT8sQ" and account.audience == 5310
    assert account.params == {"channel_id": "UC7xQe2lW9pK3bN5aV1rT8sQ"}
    request = httpserver.log[0][0]
    assert request.args["mine"] == "true" and "key" not in request.args
    assert request.headers["Authorization"] == f"Bearer {OAUTH}"


async def test_verify_with_an_api_key_reads_only(httpserver: HTTPServer,
                                                 client: HttpClient) -> None:
    httpserver.expect_request("/channels").respond_with_response(
        respond("youtube", "channels__mine.json"))
    source = YouTubeSource(client, kind="comments",
                           params={"channel_id": "UC7xQe2lW9pK3bN5aV1rT8sQ"},
                           base_url=base_url(httpserver), credentials={"api_key": KEY})
    account = await source.verify()
    assert account.capabilities == {"read"} and account.problems
    assert dict(httpserver.log[0][0].args) == {
        "part": "snippet,statistics", "id": "UC7xQe2lW9pK3bN5aV1rT8sQ", "key": KEY}
    with pytest.raises(AuthFailed, match="names no channel"):
        await YouTubeSource(client, kind="comments", base_url=base_url(httpserver),
                            credentials={"api_key": KEY}).verify()


async def test_search_then_comments_of_found_videos(httpserver: HTTPServer,
                                                    client: HttpClient) -> None:
    httpserver.expect_request("/search").respond_with_response(
        respond("youtube", "search__videos.json"))

    def by_video(request: Request) -> Response:
        if request.args["videoId"] != VIDEO:
            return respond("youtube", "error__comments_disabled.json", status=403)
        return respond("youtube", "commentThreads__page2.json")

    httpserver.expect_request("/commentThreads").respond_with_handler(by_video)
    source = yt(httpserver, client, "search", q="Зерно кофе", max_videos=10)
    found = await source.fetch_page(None)
    assert found.posts == [] and found.more and found.cursor["queue"] == [VIDEO, "Zx0Disabled"]
    search = httpserver.log[0][0].args
    assert (search["q"], search["type"], search["order"], search["part"]) == (
        "Зерно кофе", "video", "date", "snippet")
    assert found.cursor["quota"]["used"] == 100
    comments = await source.fetch_page(found.cursor)
    assert [p.external_id for p in comments.posts] == [T4, T5]
    assert comments.posts[0].place and comments.posts[0].place.name == "Зерно: новый сезонный раф"
    skipped = await source.fetch_page(comments.cursor)  # comments disabled there: skipped
    assert skipped.posts == [] and not skipped.more and skipped.cursor["queue"] == []
    # the next poll re-reads the found videos without searching again (not yet due)
    again = await source.fetch_page(skipped.cursor)
    assert again.cursor["queue"] == [VIDEO, "Zx0Disabled"]
    assert [r[0].path for r in httpserver.log].count("/search") == 1


def test_cli_polls_twice_and_stores_each_comment_once(sqlite_store: Any,
                                                      httpserver: HTTPServer) -> None:
    serve_video(httpserver)
    env = {"OTKLIK_YOUTUBE_API_URL": base_url(httpserver), "YT_KEY_FOR_TEST": KEY}
    added = run(sqlite_store, "source", "add", "youtube", "comments", "YouTube: Зерно",
                "-p", f"video_id={VIDEO}", "--credential-env", "api_key=YT_KEY_FOR_TEST",
                env=env)
    assert added.exit_code == 0, added.output
    results = []
    for _ in range(2):
        polled = run(sqlite_store, "source", "poll", "1", "--no-enrich", env=env)
        assert polled.exit_code == 0, polled.output
        results.append(json.loads(polled.stdout.strip().splitlines()[-1]))
    assert results[0]["inserted"] == len(ALL_IDS) and results[1]["inserted"] == 0
    assert results[1]["cursor"]["quota"]["used"] == 5  # 2 + 1 pages, then 2 (replies unchanged)
    with sqlite_store.sessions() as session:
        rows = session.scalars(select(Mention).where(Mention.network == "youtube")).all()
        assert {m.external_id for m in rows} == ALL_IDS and len(rows) == len(ALL_IDS)
        for m in rows:
            assert m.text and m.created_at and m.author and m.author.external_id.startswith("UC")
        top = next(m for m in rows if m.external_id == T1)
        assert top.author and top.author.handle == "olga.petrova"


def test_author_without_a_channel_id_is_named_by_its_url() -> None:
    by_url = author({"authorDisplayName": "@zerno", "authorChannelUrl":
                     "http://www.youtube.com/@zerno"})
    assert by_url and (by_url.external_id, by_url.handle) == ("@zerno", "zerno")
    by_name = author({"authorDisplayName": "Имя Фамилия"})
    assert by_name and by_name.external_id == "Имя Фамилия" and by_name.url is None
    assert author({}) is None
