"""The desk is not tied to VK: the same case flow through the Telegram Bot API connector."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pytest_httpserver import HTTPServer

from otklik.actions import case_answers as answers
from otklik.actions import cases as desk_actions
from otklik.db.models import Brand, Case, Channel, Source
from otklik.domain.posts import Author, Place, Post
from otklik.flow.pipeline import ingest
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory
from tests.vk_desk import labelling_enricher

TG = Path(__file__).parents[1] / "fixtures" / "telegram"
TOKEN = "6500000001:AAtest-token"


def test_answer_on_telegram_when_the_customer_never_started_the_bot(
        sqlite_store: Any, httpserver: HTTPServer) -> None:
    path = f"/bot{TOKEN}/sendMessage"
    httpserver.expect_oneshot_request(path, json={
        "chat_id": "400001", "text": "Мария, спасибо, что написали! Разбираемся"}
    ).respond_with_json(json.loads((TG / "error__403_blocked.json").read_text()), status=403)
    httpserver.expect_oneshot_request(path).respond_with_json(
        json.loads((TG / "sendMessage__reply.json").read_text()))
    with sqlite_store.sessions() as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        source = Source(brand_id=brand.id, network="telegram", name="bot", kind="bot",
                        credentials={"bot_token": TOKEN})
        s.add(source)
        s.flush()
        s.add(Channel(brand_id=brand.id, network="telegram", external_id="-1001500000002",
                      source_id=source.id))
        s.commit()
        complaint = Post(
            network="telegram", external_id="-1001500000002_5502",
            text="Третий раз приношу зёрна на помол, и третий раз отказывают. Зерно, серьёзно?",
            created_at=datetime(2026, 11, 25, 9, 5, tzinfo=UTC),
            author=Author(external_id="400001", name="Мария Кузнецова", handle="masha_k"),
            place=Place(external_id="-1001500000002", name="Зерно — обсуждение", kind="chat"),
            parent_external_id="-1001500000002_5501",
            thread_external_id="-1001500000002_5501")
        ids = ingest(s, [complaint], enrichers=[labelling_enricher(
            brand.id, negative=[complaint.external_id])]).mention_ids
        [case_id] = desk_actions.process_ingested(s, ids).opened
        settings = Settings(telegram_api_url=httpserver.url_for("/").rstrip("/"))
        factory = registry_source_factory(s, settings)

        public, private = answers.answer_and_move_to_private(
            s, case_id, actor="anna", source_factory=factory,
            private_text="Мария, спасибо, что написали! Разбираемся")
        assert private.status == "failed" and private.failure == "private_closed"
        assert public.status == "approved"  # "we wrote to you" would not be true: held

        # the responder answers publicly instead; the held note stays unsent
        answer = answers.answer_publicly(
            s, case_id, actor="anna", source_factory=factory, again=True,
            text="Мария, простите! Помол зёрен есть во всех кофейнях, разберёмся с бариста")
        assert (answer.status, answer.external_id) == ("sent", "-1001500000002_5510")
        sent = httpserver.log[-1][0].get_json()
        assert sent["chat_id"] == "-1001500000002"
        assert sent["reply_parameters"] == {"message_id": 5502,
                                            "allow_sending_without_reply": True}
        case = s.get(Case, case_id)
        assert case is not None and case.state == "answered_publicly"
        assert case.first_response_at is not None
        assert public.status == "approved" and len(httpserver.log) == 2
