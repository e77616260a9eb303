"""A brand with a VK community and a Telegram channel, both served by one local fake API.

The fake keeps what was posted, as the networks do: `wall.get` and the `t.me/s/<channel>` preview
show it afterwards, so a publish that "may have succeeded" can be checked. Every response is built
from the recorded fixtures in `tests/fixtures/vk/` and `tests/fixtures/telegram/` (real formats).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from otklik.actions.send import SourceFactory
from otklik.db.models import Brand, Channel, Source
from otklik.nlp.names import customer_name
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory
from tests.sources.conftest import fixture_bytes, fixture_json

BOT_TOKEN = "6500000001:AAtest-bot-secret"
GROUP_TOKEN = "vk1.a.group-secret"
READ_TOKEN = "vk1.a.read-secret"
TG_CHAT_ID = -1001500000001
_WRAP = '<div class="tgme_widget_message_wrap js-widget_message_wrap">'


def form(request: Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}


@dataclass
class FakeNetworks:
    """VK API, Telegram Bot API and the t.me preview on one local server, with memory."""

    server: HTTPServer
    wall: list[dict[str, Any]] = field(default_factory=list)  # posted to the VK wall
    channel: list[dict[str, Any]] = field(default_factory=list)  # posted to the TG channel
    next_post_id: int = int(fixture_json("vk", "wall.post__ok.json")["response"]["post_id"])
    next_comment_id: int = int(fixture_json("vk", "wall.createComment__ok.json")["response"]
                               ["comment_id"])
    next_message_id: int = 315
    flood_after: int | None = None  # VK answers error 9 (flood control) after this many comments
    comments_tried: int = 0

    def install(self) -> None:
        self.server.expect_request(re.compile(r"^/method/.*")).respond_with_handler(self._vk)
        self.server.expect_request(re.compile(r"^/bot.*")).respond_with_handler(self._bot)
        self.server.expect_request("/s/zerno_coffee").respond_with_handler(self._preview)

    # -- VK
    def _vk(self, request: Request) -> Response:
        method = request.path.rsplit("/", 1)[1]
        data = form(request)
        if method == "wall.post":
            body = fixture_json("vk", "wall.post__ok.json")
            body["response"]["post_id"] = self.next_post_id
            self.wall.insert(0, {"id": self.next_post_id, "owner_id": int(data["owner_id"]),
                                 "from_id": int(data["owner_id"]), "date": int(time.time()),
                                 "post_type": "post", "text": data["message"]})
            self.next_post_id += 1
            return Response(json.dumps(body), content_type="application/json")
        if method == "wall.get":
            body = fixture_json("vk", "wall.get__owned.json")
            body["response"]["items"] = self.wall + body["response"]["items"]
            return Response(json.dumps(body), content_type="application/json")
        if method == "wall.createComment":
            self.comments_tried += 1
            if self.flood_after is not None and self.comments_tried > self.flood_after:
                return Response(fixture_bytes("vk", "error__flood_control.json"),
                                content_type="application/json")
            body = fixture_json("vk", "wall.createComment__ok.json")
            body["response"]["comment_id"] = self.next_comment_id
            self.next_comment_id += 1
            return Response(json.dumps(body), content_type="application/json")
        return Response(json.dumps({"error": {"error_code": 3, "error_msg": "Unknown method"}}))

    # -- Telegram Bot API
    def _bot(self, request: Request) -> Response:
        method = request.path.rsplit("/", 1)[1]
        data = json.loads(request.get_data(as_text=True))
        if method != "sendMessage":
            return Response(fixture_bytes("telegram", "error__400_not_found.json"), status=400,
                            content_type="application/json")
        if "reply_parameters" in data:
            body = fixture_json("telegram", "sendMessage__reply.json")
            body["result"]["chat"]["id"] = int(data["chat_id"])
            body["result"]["reply_to_message"]["message_id"] = data["reply_parameters"][
                "message_id"]
        else:
            body = fixture_json("telegram", "sendMessage__private.json")
            body["result"]["chat"] = {"id": TG_CHAT_ID, "title": "Зерно — сеть кофеен",
                                      "username": "zerno_coffee", "type": "channel"}
            self.channel.append({"id": self.next_message_id, "text": data["text"],
                                 "date": datetime.now(UTC)})
        body["result"].update(message_id=self.next_message_id, text=data["text"],
                              date=int(time.time()))
        self.next_message_id += 1
        return Response(json.dumps(body, ensure_ascii=False), content_type="application/json")

    def _preview(self, request: Request) -> Response:
        page = fixture_bytes("telegram", "preview__latest.html").decode()
        at = page.index('data-post="zerno_coffee/314"')
        start = page.rindex(_WRAP, 0, at)
        end = page.index("</div></div>\n", at) + len("</div></div>\n")
        block = page[start:end]
        added = []
        for msg in self.channel:
            one = block.replace("zerno_coffee/314", f"zerno_coffee/{msg['id']}")
            one = re.sub(r'(js-message_text" dir="auto">).*?(</div>)',
                         lambda m, t=msg["text"]: m.group(1) + t + m.group(2), one, flags=re.S)
            one = re.sub(r'datetime="[^"]+"', f'datetime="{msg["date"].isoformat()}"', one)
            added.append(one)
        page = page[:end] + "".join(added) + page[end:]
        return Response(page, content_type="text/html; charset=utf-8")

    # -- what the server received
    def calls(self, method: str) -> list[dict[str, Any]]:
        out = []
        for request, _ in self.server.log:
            if request.path == f"/method/{method}":
                out.append(form(request))
            elif request.path.endswith(f"/{method}") and request.path.startswith("/bot"):
                out.append(json.loads(request.get_data(as_text=True)))
        return out

    def paths(self) -> list[str]:
        """Every request received, as `method` names (VK, Bot API) or the preview path."""
        out = []
        for request, _ in self.server.log:
            name = request.path.rsplit("/", 1)[1]
            out.append(request.path if request.path.startswith("/s/") else name)
        return out


@dataclass
class Desk:
    brand: Brand
    vk: Channel
    tg: Channel
    settings: Settings

    def factory(self, session: Session) -> SourceFactory:
        return registry_source_factory(session, self.settings, max_retries=0)


def make_desk(session: Session, server: HTTPServer, **brand_fields: Any) -> Desk:
    brand = Brand(**{"slug": "zerno", "name": "Зерно", "languages": ["ru", "en"],
                     "sla_minutes": 60, "follow_up_days": 2.0, "working_hours": {},
                     "settings": {}, **brand_fields})
    session.add(brand)
    session.flush()
    vk_source = Source(brand_id=brand.id, network="vk", name="Зерно VK", kind="wall",
                       params={"owner_id": -100500, "owned": True},
                       credentials={"group_token": GROUP_TOKEN, "access_token": READ_TOKEN})
    tg_source = Source(brand_id=brand.id, network="telegram", name="Зерно bot", kind="bot",
                       credentials={"bot_token": BOT_TOKEN})
    session.add_all([vk_source, tg_source])
    session.flush()
    vk = Channel(brand_id=brand.id, network="vk", external_id="-100500", name="Зерно VK",
                 source_id=vk_source.id)
    tg = Channel(brand_id=brand.id, network="telegram", external_id="@zerno_coffee",
                 name="Зерно Telegram", source_id=tg_source.id)
    session.add_all([vk, tg])
    session.commit()
    url = server.url_for("/").rstrip("/")
    settings = Settings(vk_api_url=url, telegram_api_url=url, telegram_web_url=url)
    return Desk(brand, vk, tg, settings)


def negative_enricher(brand_id: int, negative: Sequence[str]) -> Any:
    """Stands in for the NLP chain: every post matches the brand; labels come from the test."""

    def enrich(batch: Sequence[Any]) -> None:
        for item in batch:
            item.brand_matches = {brand_id: []}
            item.lang = "ru"
            item.sentiment = "negative" if item.post.external_id in negative else "neutral"
            item.priority = 0.8
            if item.post.author is not None:  # the real name finder, from the display name
                item.customer_name = customer_name(item.post.author.name, item.post.text)

    return enrich


@pytest.fixture
def net(httpserver: HTTPServer) -> FakeNetworks:
    fake = FakeNetworks(httpserver)
    fake.install()
    return fake

