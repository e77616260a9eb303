"""VK `find_sent`: what an interrupted send left on the network, read back by the exact requests
a real VK API would get (served locally)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from pytest_httpserver import HTTPServer

from otklik.db.models import Source as SourceRow
from otklik.settings import Settings
from otklik.sources.base import Target
from otklik.sources.http import HttpClient
from otklik.sources.registry import build_source
from otklik.sources.vk import _random_id

TEXT = "Ольга, вернём деньги сегодня"
NOW = int(time.time())
SINCE = datetime.now(UTC) - timedelta(minutes=5)


def find(server: HTTPServer, kind: str, target: str, text: str = TEXT, key: str = "k1") -> Any:
    async def run() -> Any:
        client = HttpClient(max_retries=0)
        row = SourceRow(network="vk", kind="wall", name="w", params={"group_id": 100500},
                        credentials={"access_token": "read", "group_token": "grp"})
        source = build_source(row, Settings(vk_api_url=server.url_for("/").rstrip("/")), client)
        try:
            return await source.find_sent(kind, Target(external_id=target), text, since=SINCE,
                                          idempotency_key=key)
        finally:
            await client.aclose()

    return asyncio.run(run())


def form(server: HTTPServer, i: int) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(server.log[i][0].get_data(as_text=True)).items()}


def test_reply_to_a_comment_found_in_its_thread(httpserver: HTTPServer) -> None:
    ours = {"id": 9160, "from_id": -100500, "date": NOW, "text": TEXT.upper() + " "}
    httpserver.expect_oneshot_request("/method/wall.getComments").respond_with_json(
        {"response": {"count": 1, "items": [ours]}})
    assert find(httpserver, "public_reply", "-100500_1301_c9101") == "-100500_1301_c9160"
    sent = form(httpserver, 0)
    assert (sent["owner_id"], sent["post_id"], sent["comment_id"], sent["sort"]) == (
        "-100500", "1301", "9101", "desc")
    assert sent["access_token"] == "read"


def test_reply_not_there_when_only_others_or_older_comments_match(
        httpserver: HTTPServer) -> None:
    items = [
        {"id": 1, "from_id": 311050, "date": NOW, "text": TEXT},  # a customer quoting us
        {"id": 2, "from_id": -100500, "date": NOW - 86400, "text": TEXT},  # ours, yesterday
        {"id": 3, "from_id": 5, "date": NOW, "text": "ok",
         "thread": {"items": [{"id": 4, "from_id": -100500, "date": NOW, "text": "другое"}]}},
    ]
    for _ in range(2):  # the comment's thread, then the top level
        httpserver.expect_oneshot_request("/method/wall.getComments").respond_with_json(
            {"response": {"count": 3, "items": items}})
    assert find(httpserver, "public_reply", "-100500_1301_c9101") is None
    assert "comment_id" not in form(httpserver, 1)


def test_reply_under_the_post_found_in_a_thread_preview(httpserver: HTTPServer) -> None:
    item = {"id": 3, "from_id": 5, "date": NOW, "text": "когда?",
            "thread": {"items": [{"id": 77, "from_id": -100500, "date": NOW, "text": TEXT}]}}
    httpserver.expect_oneshot_request("/method/wall.getComments").respond_with_json(
        {"response": {"count": 1, "items": [item]}})
    assert find(httpserver, "public_reply", "-100500_1301") == "-100500_1301_c77"


def test_private_message_found_by_its_random_id(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/method/messages.getHistory").respond_with_json(
        {"response": {"count": 2, "items": [
            {"id": 5, "out": 0, "random_id": _random_id("k1"), "text": TEXT},  # incoming
            {"id": 6, "out": 1, "random_id": _random_id("k1"), "text": "anything"},
        ]}})
    assert find(httpserver, "private_message", "311050") == "6"
    sent = form(httpserver, 0)
    assert (sent["user_id"], sent["group_id"], sent["access_token"]) == ("311050", "100500",
                                                                         "grp")


def test_private_message_with_another_key_is_not_ours(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/method/messages.getHistory").respond_with_json(
        {"response": {"count": 1, "items": [
            {"id": 6, "out": 1, "random_id": _random_id("other"), "text": TEXT}]}})
    assert find(httpserver, "private_message", "311050") is None
