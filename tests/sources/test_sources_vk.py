"""VK connector against recorded VK API 5.199 responses on a local server."""

from __future__ import annotations

import json
import logging

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from otklik.sources.base import Target
from otklik.sources.errors import AuthFailed, BadResponse, RateLimited, Unavailable
from otklik.sources.vk import VKSource

from .conftest import base_url, respond, vk_router

pytestmark = pytest.mark.usefixtures("vk_recorded_clock")

TOKEN = "vk1.a.READ-SECRET"
GROUP_TOKEN = "vk1.a.GROUP-SECRET"


def vk(server: HTTPServer, client, kind: str = "search", **params) -> VKSource:  # type: ignore[no-untyped-def]
    params = params or {"q": "Зерно"}
    return VKSource(client, kind=kind, params=params, base_url=base_url(server),
                    credentials={"access_token": TOKEN, "group_token": GROUP_TOKEN})


def search_pages(request: Request) -> Response:
    page = "page2" if request.form.get("start_from") else "page1"
    return respond("vk", f"newsfeed.search__{page}.json")


async def test_search_pages_and_cursor(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/newsfeed.search", method="POST").respond_with_handler(
        search_pages)
    source = vk(httpserver, client, q="Зерно", latitude=55.75, longitude=37.61,
                lookback_hours=24)
    page = await source.fetch_page(None)
    assert page.more and page.cursor["start_from"] == "3/-77001_812"
    assert [p.external_id for p in page.posts] == ["-29534144_5521", "211002_3310", "-77001_812"]
    first = httpserver.log[0][0].form
    assert first["q"] == "Зерно" and first["v"] == "5.199" and first["extended"] == "1"
    assert first["latitude"] == "55.75" and first["longitude"] == "37.61"
    assert "start_from" not in first and int(first["start_time"]) > 0

    page2 = await source.fetch_page(page.cursor)
    assert not page2.more
    assert httpserver.log[1][0].form["start_from"] == "3/-77001_812"
    assert httpserver.log[1][0].form["start_time"] == first["start_time"]
    # the next poll starts at the newest post seen, with no paging token
    assert page2.cursor == {"start_time": 1795600800, "start_from": None, "newest": 1795600800}
    json.dumps(page2.cursor)  # cursors are plain JSON


async def test_search_post_fields(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_handler(search_pages)
    source = vk(httpserver, client)
    posts = (await source.fetch_page(None)).posts + (await source.fetch_page(
        {"start_time": 1, "start_from": "x"})).posts
    first = posts[0]
    assert first.text.startswith("Зерно на Тверской опять перепутали заказ 😡☕")
    assert first.hashtags == ["зерно", "кофе"]
    assert first.url == "https://vk.com/wall-29534144_5521"
    assert first.author and first.author.name == "Ольга Петрова"
    assert first.author.followers == 312 and first.author.handle == "olga.petrova"
    assert first.place and first.place.name == "Подслушано Тверская"
    assert first.place.audience == 48210 and first.place.kind == "group"
    assert (first.lat, first.lon) == (55.7577, 37.6135)
    assert first.reach == 1830 and first.engagement == 12 + 1 + 4
    signed = posts[2]  # a community post signed by a person: the person is the author
    assert signed.author and signed.author.name == "Анна Ким"
    assert signed.edited_at is not None
    long_post = posts[3]
    assert len(long_post.text) > 16_000 and long_post.text.endswith("🙁")
    assert "👨‍👩‍👧‍👦" in posts[4].text and "🇷🇺" in posts[4].text


@pytest.mark.parametrize(("fixture", "error", "code"), [
    ("error__auth_failed.json", AuthFailed, 5),
    ("error__access_denied.json", AuthFailed, 15),
    ("error__flood_control.json", RateLimited, 9),
    ("error__rate_limit_reached.json", RateLimited, 29),
])
async def test_error_payloads_map_to_the_hierarchy(httpserver: HTTPServer, client, sleeps,
                                                   fixture: str, error: type, code: int) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", fixture))
    with pytest.raises(error) as caught:
        await vk(httpserver, client).fetch_page(None)
    assert caught.value.code == code
    assert len(httpserver.log) == 1 and sleeps.calls == []  # none of these is worth a retry now


async def test_too_many_requests_then_success(httpserver: HTTPServer, client, sleeps) -> None:
    httpserver.expect_oneshot_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "error__too_many_requests.json"))
    httpserver.expect_oneshot_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "error__internal.json"))
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "newsfeed.search__page2.json"))
    page = await vk(httpserver, client).fetch_page(None)
    assert len(page.posts) == 2 and len(httpserver.log) == 3 and len(sleeps.calls) == 2


async def test_internal_error_exhausts_retries(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/wall.get").respond_with_response(
        respond("vk", "error__internal.json"))
    with pytest.raises(Unavailable):
        await vk(httpserver, client, "wall", owner_id=-100500).fetch_page(None)
    assert len(httpserver.log) == client.max_retries + 1


async def test_malformed_json_is_bad_response(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "newsfeed.search__malformed.json"))
    with pytest.raises(BadResponse, match="malformed JSON"):
        await vk(httpserver, client).fetch_page(None)


async def test_token_is_posted_not_logged(httpserver: HTTPServer, client, caplog) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "error__auth_failed.json"))
    caplog.set_level(logging.DEBUG, logger="otklik")
    with pytest.raises(AuthFailed) as caught:
        await vk(httpserver, client).fetch_page(None)
    request = httpserver.log[0][0]
    assert request.form["access_token"] == TOKEN and "access_token" not in request.args
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("otklik"))
    assert "newsfeed.search" in ours and TOKEN not in ours and TOKEN not in str(caught.value)


async def test_wall_posts_then_whole_threads(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/wall.get").respond_with_handler(vk_router(
        {"wall.get": "wall.get__owned.json"}))

    def comments(request: Request) -> Response:
        return respond("vk", f"wall.getComments__{request.form['post_id']}.json")

    httpserver.expect_request("/method/wall.getComments").respond_with_handler(comments)
    source = vk(httpserver, client, "wall", owner_id=-100500, owned=True)
    page = await source.fetch_page(None)
    assert [p.external_id for p in page.posts] == ["-100500_1202", "-100500_1201"]
    assert page.posts[0].author and page.posts[0].author.name == "Зерно — сеть кофеен"
    assert page.more and page.cursor == {"phase": "comments", "pending": [1202, 1201]}

    empty = await source.fetch_page(page.cursor)
    assert empty.posts == [] and empty.cursor == {"phase": "comments", "pending": [1201]}
    assert empty.listings[0].thread_external_id == "-100500_1202"

    thread = await source.fetch_page(empty.cursor)
    by_id = {p.external_id: p for p in thread.posts}
    assert list(by_id) == ["-100500_1201_c9001", "-100500_1201_c9002", "-100500_1201_c9003",
                           "-100500_1201_c9004"]  # the deleted c9005 is not a post
    assert by_id["-100500_1201_c9001"].parent_external_id == "-100500_1201"
    assert by_id["-100500_1201_c9002"].parent_external_id == "-100500_1201_c9001"
    assert by_id["-100500_1201_c9003"].parent_external_id == "-100500_1201_c9002"
    assert {p.thread_external_id for p in thread.posts} == {"-100500_1201"}
    assert by_id["-100500_1201_c9002"].author.name == "Зерно — сеть кофеен"  # type: ignore[union-attr]
    assert by_id["-100500_1201_c9003"].url == "https://vk.com/wall-100500_1201?reply=9003&thread=9001"
    assert thread.listings[0].seen == set(by_id)
    assert not thread.more and thread.cursor == {"phase": "posts"}
    form = httpserver.log[-1][0].form
    assert (form["owner_id"], form["post_id"], form["count"]) == ("-100500", "1201", "100")


async def test_cut_thread_is_fetched_whole(httpserver: HTTPServer, client) -> None:
    def comments(request: Request) -> Response:
        if request.form.get("comment_id") == "9001":
            return respond("vk", "wall.getComments__thread9001.json")
        return respond("vk", "wall.getComments__1201_cut.json")

    httpserver.expect_request("/method/wall.getComments").respond_with_handler(comments)
    source = vk(httpserver, client, "wall", owner_id=-100500, owned=True)
    page = await source.fetch_page({"phase": "comments", "pending": [1201]})
    assert "-100500_1201_c9003" in {p.external_id for p in page.posts}
    assert [r[0].form.get("comment_id") for r in httpserver.log] == [None, "9001"]


async def test_groups_search(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/groups.search").respond_with_response(
        respond("vk", "groups.search__zerno.json"))
    places = await vk(httpserver, client).search_groups("Зерно")
    assert [(p.external_id, p.name) for p in places][:2] == [
        ("-100500", "Зерно — сеть кофеен"), ("-100777", "Зерно — честные отзывы")]
    assert places[2].url == "https://vk.com/club100999"
    assert httpserver.log[0][0].form["q"] == "Зерно"


async def test_outbound_requests_are_exactly_what_vk_expects(httpserver: HTTPServer,
                                                             client) -> None:
    httpserver.expect_request("/method/wall.createComment").respond_with_response(
        respond("vk", "wall.createComment__ok.json"))
    httpserver.expect_request("/method/messages.send").respond_with_response(
        respond("vk", "messages.send__ok.json"))
    httpserver.expect_request("/method/wall.post").respond_with_response(
        respond("vk", "wall.post__ok.json"))
    httpserver.expect_request("/method/wall.editComment").respond_with_response(
        respond("vk", "wall.editComment__ok.json"))
    httpserver.expect_request("/method/wall.edit").respond_with_response(
        respond("vk", "wall.edit__ok.json"))
    source = vk(httpserver, client, "wall", owner_id=-100500, group_id=100500)

    reply_id = await source.reply(Target("-100500_1201_c9001"), "Игорь, простите 🙏")
    assert reply_id == "-100500_1201_c9051"
    dm_id = await source.send_private(Target("311001"), "Напишите номер заказа",
                                      idempotency_key="action:7")
    again = await source.send_private(Target("311001"), "Напишите номер заказа",
                                      idempotency_key="action:7")
    assert dm_id == again == "48213"
    post_id = await source.post(Target("-100500"), "Тверская снова открыта ☕")
    assert post_id == "-100500_1203"
    assert await source.edit(Target("-100500_1201_c9051"), "Игорь, простите!") == \
        "-100500_1201_c9051"
    assert await source.edit(Target("-100500_1203"), "Открыты с 8:00") == "-100500_1203"

    sent = [(r.path.rsplit("/", 1)[1], r.form.to_dict()) for r, _ in httpserver.log]
    assert all(form.pop("access_token") == GROUP_TOKEN and form.pop("v") == "5.199"
               for _, form in sent)
    comment_form = sent[0][1]
    assert comment_form.pop("guid")  # VK drops a repeated comment with the same guid
    assert sent[0] == ("wall.createComment", {
        "owner_id": "-100500", "post_id": "1201", "from_group": "100500",
        "message": "Игорь, простите 🙏", "reply_to_comment": "9001"})
    assert sent[1][0] == "messages.send" and sent[1][1]["user_id"] == "311001"
    assert sent[1][1]["random_id"] == sent[2][1]["random_id"]  # same key → VK sends once
    assert sent[1][1]["message"] == "Напишите номер заказа" and sent[1][1]["group_id"] == "100500"
    assert sent[3][0] == "wall.post" and sent[3][1]["from_group"] == "1"
    assert sent[3][1]["owner_id"] == "-100500"
    assert sent[3][1]["message"] == "Тверская снова открыта ☕"
    assert sent[4] == ("wall.editComment", {"owner_id": "-100500", "comment_id": "9051",
                                            "message": "Игорь, простите!"})
    assert sent[5] == ("wall.edit", {"owner_id": "-100500", "post_id": "1203",
                                     "message": "Открыты с 8:00"})


def test_no_delete_or_hide_anywhere() -> None:
    from otklik.sources import base, rss, telegram
    from otklik.sources import vk as vk_module

    for module in (base, vk_module, telegram, rss):
        names = [n for cls in vars(module).values() if isinstance(cls, type) for n in vars(cls)]
        assert not [n for n in names if "delete" in n.lower() or "hide" in n.lower()]
    assert "NO delete or hide method" in (base.__doc__ or "")


async def test_a_post_deleted_since_wall_get_is_skipped(httpserver: HTTPServer, client) -> None:
    def comments(request: Request) -> Response:
        if request.form["post_id"] == "1202":
            return respond("vk", "error__access_denied.json")
        return respond("vk", "wall.getComments__1201.json")

    httpserver.expect_request("/method/wall.getComments").respond_with_handler(comments)
    source = vk(httpserver, client, "wall", owner_id=-100500, owned=True)
    gone = await source.fetch_page({"phase": "comments", "pending": [1202, 1201]})
    assert gone.posts == [] and gone.listings == []  # nothing can be called removed from it
    assert gone.cursor == {"phase": "comments", "pending": [1201]}
    assert len((await source.fetch_page(gone.cursor)).posts) == 4


async def test_fetch_returns_posts_and_cursor(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "newsfeed.search__page2.json"))
    posts, cursor = await vk(httpserver, client).fetch(None)
    assert len(posts) == 2 and cursor["start_from"] is None


def test_target_of_a_stored_row() -> None:
    from types import SimpleNamespace

    row = SimpleNamespace(external_id="-1_5_c7", parent_external_id="-1_5",
                          thread_external_id="-1_5", place=SimpleNamespace(external_id="-1"))
    assert Target.of(row) == Target("-1_5_c7", "-1_5", "-1_5", "-1")


async def test_a_listing_that_ends_early_is_not_complete(httpserver: HTTPServer, client) -> None:
    """VK answers an empty page before `current_level_count` is reached: the comments it did
    not list may still be there, so the thread is no listing of what was removed."""
    def comments(request: Request) -> Response:
        if request.form.get("offset", "0") != "0":
            return respond("vk", "wall.getComments__1201_empty_page.json")
        return respond("vk", "wall.getComments__1201_ends_early.json")

    httpserver.expect_request("/method/wall.getComments").respond_with_handler(comments)
    source = vk(httpserver, client, "wall", owner_id=-100500, owned=True)
    page = await source.fetch_page({"phase": "comments", "pending": [1201]})
    assert {p.external_id for p in page.posts} == {
        "-100500_1201_c9001", "-100500_1201_c9002", "-100500_1201_c9003"}
    assert page.listings == []
    assert [r[0].form["offset"] for r in httpserver.log] == ["0", "1"]


async def test_a_reply_thread_that_ends_early_is_not_complete(httpserver: HTTPServer,
                                                              client) -> None:
    def comments(request: Request) -> Response:
        if request.form.get("comment_id") == "9001":
            return respond("vk", "wall.getComments__thread9001_empty.json")
        return respond("vk", "wall.getComments__1201_cut.json")

    httpserver.expect_request("/method/wall.getComments").respond_with_handler(comments)
    source = vk(httpserver, client, "wall", owner_id=-100500, owned=True)
    page = await source.fetch_page({"phase": "comments", "pending": [1201]})
    assert "-100500_1201_c9001" in {p.external_id for p in page.posts}
    assert page.listings == []


async def test_html_entities_and_line_breaks_are_decoded(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/method/newsfeed.search").respond_with_response(
        respond("vk", "newsfeed.search__html_text.json"))
    httpserver.expect_request("/method/wall.getComments").respond_with_response(
        respond("vk", "wall.getComments__1203_html_text.json"))
    post = (await vk(httpserver, client).fetch_page(None)).posts[0]
    assert post.text == ("❗❗ Зерно на Тверской: латте снова холодный\n"
                         "Бариста сказал \"так и задумано\"\n"
                         "Итог: 2/10 & больше не приду 😡\n"
                         "P.S. <br> в тексте — не перенос")
    source = vk(httpserver, client, "wall", owner_id=-100500, owned=True)
    answer = (await source.fetch_page({"phase": "comments", "pending": [1203]})).posts[0]
    assert answer.text == "Спасибо, что ответили!\n\nНо кофе всё равно «так себе»"


async def test_groups_search_finds_public_pages_and_events(httpserver: HTTPServer,
                                                           client) -> None:
    httpserver.expect_request("/method/groups.search").respond_with_response(
        respond("vk", "groups.search__all_types.json"))
    places = await vk(httpserver, client).search_groups("Зерно")
    assert [p.external_id for p in places] == ["-100500", "-100777", "-100888"]
    assert "type" not in httpserver.log[0][0].form  # type=group left every public page out
