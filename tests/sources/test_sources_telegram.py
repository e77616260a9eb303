"""Telegram: Bot API updates and sends, and public channels from t.me/s/ preview pages."""

from __future__ import annotations

import logging

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from otklik.sources.base import Target
from otklik.sources.errors import AuthFailed, BadResponse
from otklik.sources.telegram import TelegramSource

from .conftest import base_url, respond

TOKEN = "6500000001:AAH-test-secret-token"
PATH = f"/bot{TOKEN}"
CHANNEL = "-1001500000001"
GROUP = "-1001500000002"


def bot(server: HTTPServer, client, **params) -> TelegramSource:  # type: ignore[no-untyped-def]
    return TelegramSource(client, kind="bot", params=params, base_url=base_url(server),
                          credentials={"bot_token": TOKEN})


def preview(server: HTTPServer, client, **params) -> TelegramSource:  # type: ignore[no-untyped-def]
    return TelegramSource(client, kind="channel", params={"channel": "zerno_coffee", **params},
                          web_base_url=base_url(server))


def updates(request: Request) -> Response:
    offset = (request.get_json() or {}).get("offset")
    name = {None: "page1", 700006: "page2"}.get(offset, "empty")
    return respond("telegram", f"getUpdates__{name}.json")


async def test_updates_become_posts_with_threads(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request(f"{PATH}/getUpdates", method="POST").respond_with_handler(updates)
    source = bot(httpserver, client, limit=5)
    page = await source.fetch_page(None)
    by_id = {p.external_id: p for p in page.posts}
    # the group's automatic copy of the channel post is not a second post
    assert list(by_id) == [f"{CHANNEL}_301", f"{GROUP}_5502", f"{GROUP}_5503", "400001_12"]
    post = by_id[f"{CHANNEL}_301"]
    assert post.url == "https://t.me/zerno_coffee/301"
    assert post.place and post.place.kind == "channel"
    assert post.author and post.author.name == "Зерно — сеть кофеен"
    comment = by_id[f"{GROUP}_5502"]
    assert comment.parent_external_id == comment.thread_external_id == f"{CHANNEL}_301"
    assert comment.author and comment.author.handle == "masha_k"
    assert comment.author.name == "Мария Кузнецова" and comment.text.endswith("🤔")
    answer = by_id[f"{GROUP}_5503"]
    assert answer.parent_external_id == f"{GROUP}_5502"
    assert answer.thread_external_id == f"{CHANNEL}_301"  # a reply deep in the thread
    private = by_id["400001_12"]
    assert private.place and private.place.kind == "private" and private.url is None
    assert page.more and page.cursor["offset"] == 700006
    assert page.cursor["threads"] == {f"{GROUP}_5501": f"{CHANNEL}_301"}
    body = httpserver.log[0][0].get_json()
    assert body["limit"] == 5 and "offset" not in body and "channel_post" in body["allowed_updates"]

    page2 = await source.fetch_page(page.cursor)
    assert httpserver.log[1][0].get_json()["offset"] == 700006  # confirms the first page
    edited, photo = page2.posts
    assert edited.external_id == f"{CHANNEL}_301" and edited.text.endswith("(цены обновлены)")
    assert edited.edited_at is not None
    assert photo.text.startswith("Фото дня ☕📸") and len(photo.text) > 900  # caption is the text
    assert not page2.more and page2.cursor["offset"] == 700008

    page3 = await source.fetch_page(page2.cursor)
    assert page3.posts == [] and page3.cursor["offset"] == 700008


@pytest.mark.parametrize(("fixture", "status", "error"), [
    ("error__401.json", 401, AuthFailed),
    ("error__409_conflict.json", 409, BadResponse),
])
async def test_bot_error_payloads(httpserver: HTTPServer, client, fixture: str, status: int,
                                  error: type) -> None:
    httpserver.expect_request(f"{PATH}/getUpdates").respond_with_response(
        respond("telegram", fixture, status=status))
    with pytest.raises(error) as caught:
        await bot(httpserver, client).fetch_page(None)
    assert caught.value.code == status and len(httpserver.log) == 1


async def test_429_waits_retry_after_from_the_payload(httpserver: HTTPServer, client, sleeps):
    httpserver.expect_oneshot_request(f"{PATH}/getUpdates").respond_with_response(
        respond("telegram", "error__429.json", status=429))
    httpserver.expect_request(f"{PATH}/getUpdates").respond_with_response(
        respond("telegram", "getUpdates__empty.json"))
    page = await bot(httpserver, client).fetch_page({"offset": 5})
    assert page.posts == [] and sleeps.calls == [3.0]


async def test_proxy_html_error_is_unavailable_then_retried(httpserver: HTTPServer, client):
    httpserver.expect_oneshot_request(f"{PATH}/getUpdates").respond_with_data(
        "<html>502 Bad Gateway</html>", status=502, content_type="text/html")
    httpserver.expect_request(f"{PATH}/getUpdates").respond_with_response(
        respond("telegram", "getUpdates__empty.json"))
    assert (await bot(httpserver, client).fetch_page(None)).posts == []
    assert len(httpserver.log) == 2


async def test_malformed_json_is_bad_response(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request(f"{PATH}/getUpdates").respond_with_data(
        '{"ok": true, "result": [{"update_id": 1,', content_type="application/json")
    with pytest.raises(BadResponse):
        await bot(httpserver, client).fetch_page(None)


async def test_token_masked_in_logs_and_errors(httpserver: HTTPServer, client, caplog) -> None:
    httpserver.expect_request(f"{PATH}/getUpdates").respond_with_response(
        respond("telegram", "error__401.json", status=401))
    caplog.set_level(logging.DEBUG, logger="otklik")
    with pytest.raises(AuthFailed) as caught:
        await bot(httpserver, client).fetch_page(None)
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("otklik"))
    assert "/bot***/getUpdates" in ours
    assert "AAH-test-secret-token" not in ours and "AAH-test" not in str(caught.value)


async def test_outbound_requests(httpserver: HTTPServer, client) -> None:
    def send(request: Request) -> Response:
        private = "reply_parameters" not in (request.get_json() or {})
        return respond("telegram", f"sendMessage__{'private' if private else 'reply'}.json")

    httpserver.expect_request(f"{PATH}/sendMessage").respond_with_handler(send)
    httpserver.expect_request(f"{PATH}/editMessageText").respond_with_response(
        respond("telegram", "editMessageText__ok.json"))
    source = bot(httpserver, client)
    assert await source.reply(Target(f"{GROUP}_5502"), "Мария, кофе в зёрнах есть 🙂") == \
        f"{GROUP}_5510"
    assert await source.send_private(Target("400001"), "Мария, простите!") == "400001_13"
    assert await source.edit(Target(f"{GROUP}_5510"), "Исправлено") == f"{GROUP}_5510"
    bodies = [(r.path.rsplit("/", 1)[1], r.get_json()) for r, _ in httpserver.log]
    assert bodies == [
        ("sendMessage", {"chat_id": GROUP, "text": "Мария, кофе в зёрнах есть 🙂",
                         "reply_parameters": {"message_id": 5502,
                                              "allow_sending_without_reply": True}}),
        ("sendMessage", {"chat_id": "400001", "text": "Мария, простите!"}),
        ("editMessageText", {"chat_id": GROUP, "message_id": 5510, "text": "Исправлено"}),
    ]


async def test_private_message_to_a_user_who_blocked_the_bot(httpserver: HTTPServer, client):
    httpserver.expect_request(f"{PATH}/sendMessage").respond_with_response(
        respond("telegram", "error__403_blocked.json", status=403))
    with pytest.raises(AuthFailed, match="blocked"):
        await bot(httpserver, client).send_private(Target("400001"), "Здравствуйте")


async def test_edit_of_a_vanished_message_is_bad_response(httpserver: HTTPServer, client):
    httpserver.expect_request(f"{PATH}/editMessageText").respond_with_response(
        respond("telegram", "error__400_not_found.json", status=400))
    with pytest.raises(BadResponse, match="message to edit not found"):
        await bot(httpserver, client).edit(Target(f"{GROUP}_1"), "x")


def pages(request: Request) -> Response:
    before = request.args.get("before")
    return respond("telegram", "preview__before_310.html" if before == "310"
                   else "preview__latest.html")


async def test_preview_posts_views_and_paging(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/s/zerno_coffee").respond_with_handler(pages)
    source = preview(httpserver, client, max_pages=2)
    page = await source.fetch_page(None)
    by_id = {p.external_id: p for p in page.posts}
    assert list(by_id) == ["@zerno_coffee_310", "@zerno_coffee_311", "@zerno_coffee_313",
                           "@zerno_coffee_314"]  # 312 is a service message
    edited = by_id["@zerno_coffee_311"]
    assert edited.text == ("Мы получили ваши отзывы о холодном латте на Тверской.\n"
                           "Разбираемся, спасибо что пишете 🙏\nПодробности: zerno.example/news")
    assert edited.raw["edited"] is True and edited.reach == 5100
    assert edited.author and edited.author.name == "Анна, SMM"
    assert by_id["@zerno_coffee_313"].parent_external_id == "@zerno_coffee_310"
    assert "secret_should_not_leak" not in " ".join(p.text for p in page.posts)
    assert by_id["@zerno_coffee_314"].reach == 1_100_000
    assert len(by_id["@zerno_coffee_314"].text) > 2000
    assert page.posts[0].place and page.posts[0].place.audience == 23_100
    assert page.more and page.cursor["before"] == 310

    older = await source.fetch_page(page.cursor)
    assert [p.external_id for p in older.posts][0] == "@zerno_coffee_305"
    assert httpserver.log[1][0].args["before"] == "310"
    assert not older.more and older.cursor == {"newest": 314}  # max_pages reached

    again = await source.fetch_page(older.cursor)  # nothing new below 314: no paging back
    assert not again.more and again.cursor == {"newest": 314} and len(httpserver.log) == 3


async def test_preview_that_is_not_a_channel_page(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/s/zerno_coffee").respond_with_response(
        respond("telegram", "preview__not_a_preview.html"))
    with pytest.raises(BadResponse, match="not a channel preview"):
        await preview(httpserver, client).fetch_page(None)


async def test_truncated_preview_keeps_what_is_whole(httpserver: HTTPServer, client) -> None:
    httpserver.expect_request("/s/zerno_coffee").respond_with_response(
        respond("telegram", "preview__truncated.html"))
    page = await preview(httpserver, client).fetch_page(None)
    assert [p.external_id for p in page.posts] == ["@zerno_coffee_310"]


async def test_signed_channel_posts_without_sender_chat_have_authors(httpserver: HTTPServer,
                                                                    client) -> None:
    httpserver.expect_request(f"{PATH}/getUpdates").respond_with_response(
        respond("telegram", "getUpdates__signed_posts.json"))
    signed, unsigned, edited = (await bot(httpserver, client).fetch_page(None)).posts
    assert signed.author and signed.author.name == "Анна, SMM"
    assert signed.author.external_id == f"{CHANNEL}:Анна, SMM"  # as t.me/s names the signer
    assert edited.author == signed.author
    assert unsigned.author and unsigned.author.external_id == CHANNEL  # the channel itself
    assert unsigned.author.handle == "zerno_coffee"


async def test_preview_location_and_another_channels_block(httpserver: HTTPServer,
                                                           client) -> None:
    httpserver.expect_request("/s/zerno_coffee").respond_with_response(
        respond("telegram", "preview__location_and_foreign.html"))
    page = await preview(httpserver, client, max_pages=1).fetch_page({"newest": 314})
    assert [p.external_id for p in page.posts] == ["@zerno_coffee_315", "@zerno_coffee_316"]
    point = page.posts[0]
    assert (point.lat, point.lon) == (55.76482, 37.60591)
    assert page.posts[1].lat is None
    # kofe_news/9021 is not this channel's post 9021: not stored here, and the cursor stays
    assert page.cursor == {"newest": 316}
    assert "9021" not in " ".join(p.external_id for p in page.posts)
