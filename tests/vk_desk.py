"""A brand desk on a store, its VK community served by a real local HTTP server (helpers and the
`vk` fixture, imported by the conftests that need it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from otklik.actions.channels import connect_account
from otklik.actions.send import SourceFactory
from otklik.db.models import Brand, Channel, Source
from otklik.domain.enrichment import Enriched
from otklik.nlp.names import customer_name
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory

FIXTURES = Path(__file__).parent / "fixtures" / "care"
GROUP_TOKEN = "vk1.a.group-secret"
READ_TOKEN = "vk1.a.read-secret"


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def form(request: Any) -> dict[str, str]:
    """The urlencoded body of a request the fake VK API received, one value per key."""
    return {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}


def vk_calls(server: HTTPServer, method: str) -> list[dict[str, str]]:
    return [form(req) for req, _ in server.log if req.path == f"/method/{method}"]


@dataclass
class Desk:
    brand: Brand
    channel: Channel
    source: Source
    settings: Settings

    def factory(self, session: Session) -> SourceFactory:
        return registry_source_factory(session, self.settings, max_retries=0)


def make_desk(session: Session, server: HTTPServer, **brand_fields: Any) -> Desk:
    fields: dict[str, Any] = {"slug": "zerno", "name": "Зерно", "sla_minutes": 60,
                              "follow_up_days": 2.0, "languages": ["ru", "en"],
                              "working_hours": {}, "settings": {}}
    brand = Brand(**{**fields, **brand_fields})
    session.add(brand)
    session.flush()
    # the web desk's key (tests/web/conftest.py): credentials sealed here open there too
    settings = Settings(vk_api_url=server.url_for("/").rstrip("/"),
                        secret_key="test-secret-key-0123456789")
    # the community is connected as a user connects it: verified at (the recorded) VK
    for method, name in (
            ("groups.getById", "vk_groups.getById__zerno.json"),
            ("groups.getTokenPermissions", "vk_groups.getTokenPermissions__full.json")):
        server.expect_request(f"/method/{method}").respond_with_json(fixture_json(name))
    done = connect_account(session, settings, brand_id=brand.id, network="vk",
                           credentials={"access_token": READ_TOKEN, "group_token": GROUP_TOKEN},
                           actor="test")
    session.commit()
    source = session.get(Source, done.source_id)
    channel = session.get(Channel, done.channel_ids[0])
    assert source is not None and channel is not None
    assert (channel.external_id, channel.name) == ("-100500", "Зерно — кофейни")
    return Desk(brand, channel, source, settings)


def labelling_enricher(
    brand_id: int, negative: Sequence[str] = (), questions: Sequence[str] = (),
    priority: float = 0.8,
) -> Any:
    """Stands in for the NLP enrichers: every post matches the brand; labels come from the test.

    The customer's name is found by the real name finder from the author's display name.
    """

    def enrich(batch: Sequence[Enriched]) -> None:
        for item in batch:
            post = item.post
            item.brand_matches = {brand_id: []}
            item.lang = "ru"
            item.sentiment = "negative" if post.external_id in negative else "neutral"
            item.is_question = post.external_id in questions
            item.priority = priority
            if post.author is not None and not post.author.external_id.startswith("-"):
                item.customer_name = customer_name(post.author.name, post.text)

    return enrich


@pytest.fixture
def vk(httpserver: HTTPServer) -> HTTPServer:
    return httpserver
