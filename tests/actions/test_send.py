"""Sending through the local fake VK API: failures visible and retryable, never a double send."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import case_answers as answers
from otklik.actions import cases as desk_actions
from otklik.actions.send import (
    SendRefused,
    approve_action,
    confirm_not_sent,
    mark_sent,
    send_action,
)
from otklik.db.models import Action, AuditEvent, Case
from otklik.flow.pipeline import ingest
from otklik.sources.http import HttpClient
from otklik.sources.registry import build_source
from tests.vk_desk import Desk, fixture_json, labelling_enricher, make_desk, vk_calls

COMPLAINT, SECOND = "-100500_1301_c9101", "-100500_1301_c9102"


def open_case(session: Session, vk: HTTPServer, **brand: Any) -> tuple[Desk, Case]:
    desk = make_desk(session, vk, **brand)
    vk.expect_oneshot_request("/method/wall.getComments").respond_with_json(
        fixture_json("vk_wall.getComments__complaint.json"))

    async def fetch() -> Any:
        async with HttpClient(max_retries=0) as client:
            source = build_source(desk.source, desk.settings, client)
            return (await source.fetch_page({"phase": "comments", "pending": [1301]})).posts

    posts = asyncio.run(fetch())
    ids = ingest(session, posts,
                 enrichers=[labelling_enricher(desk.brand.id, [COMPLAINT, SECOND])]).mention_ids
    out = desk_actions.process_ingested(session, ids)
    session.commit()
    case = session.get(Case, out.opened[0])
    assert case is not None
    return desk, case


def test_refused_dm_is_visible_holds_the_public_note_and_retries(
        sqlite_store: Any, vk: HTTPServer) -> None:
    with sqlite_store.sessions() as s:
        desk, case = open_case(s, vk)
        vk.expect_oneshot_request("/method/messages.send").respond_with_json(
            fixture_json("vk_messages.send__no_permission.json"))
        public, private = answers.answer_and_move_to_private(
            s, case.id, actor="anna", source_factory=desk.factory(s))
        assert private.status == "failed" and private.failure == "private_closed"
        assert "личные сообщения" in (private.last_error or "")  # in words, not "error 901"
        # the public "we wrote to you" waits for the DM: nothing was posted
        assert public.status == "approved" and "ждёт отправки" in (public.last_error or "")
        assert vk_calls(vk, "wall.createComment") == []
        s.refresh(case)
        assert case.state == "new" and case.first_response_at is None
        failed = s.scalars(select(AuditEvent).where(AuditEvent.action == "action.failed")).one()
        assert failed.entity_id == str(private.id)

        # the customer allowed messages; a retry sends both, the DM with the same random_id
        vk.expect_oneshot_request("/method/messages.send").respond_with_json(
            fixture_json("vk_messages.send__ok.json"))
        vk.expect_oneshot_request("/method/wall.createComment").respond_with_json(
            fixture_json("vk_wall.createComment__answer.json"))
        answers.send_case_actions(s, case.id, source_factory=desk.factory(s), actor="anna")
        dms = vk_calls(vk, "messages.send")
        assert len(dms) == 2 and dms[0]["random_id"] == dms[1]["random_id"]
        assert len(vk_calls(vk, "wall.createComment")) == 1
        s.refresh(case)
        assert case.state == "in_private"
        assert (private.status, private.attempts, public.status) == ("sent", 2, "sent")


def test_left_in_sending_is_never_resent_blindly(sqlite_store: Any, vk: HTTPServer) -> None:
    with sqlite_store.sessions() as s:
        desk, case = open_case(s, vk)
        action = answers.draft_case_action(s, case, "public_reply", actor="anna")
        action.status = "sending"  # a worker died between the network call and the commit
        s.commit()
        before = len(vk.log)
        send_action(s, action.id, source_factory=desk.factory(s))
        assert action.status == "needs_review" and len(vk.log) == before
        with pytest.raises(SendRefused, match="needs_review"):
            send_action(s, action.id, source_factory=desk.factory(s))
        assert len(vk.log) == before
        # a person looked on VK: it was not posted; confirm, then the retry sends it once
        confirm_not_sent(s, action.id, actor="anna")
        s.commit()
        vk.expect_oneshot_request("/method/wall.createComment").respond_with_json(
            fixture_json("vk_wall.createComment__answer.json"))
        send_action(s, action.id, source_factory=desk.factory(s))
        assert action.status == "sent" and len(vk_calls(vk, "wall.createComment")) == 1
        # sending a sent action does nothing
        send_action(s, action.id, source_factory=desk.factory(s))
        assert len(vk_calls(vk, "wall.createComment")) == 1


def test_server_error_is_uncertain_and_marked_for_review(sqlite_store: Any,
                                                         vk: HTTPServer) -> None:
    with sqlite_store.sessions() as s:
        desk, case = open_case(s, vk)
        action = answers.draft_case_action(s, case, "public_reply", actor="anna")
        s.commit()
        vk.expect_oneshot_request("/method/wall.createComment").respond_with_data(
            "upstream timeout", status=504)
        send_action(s, action.id, source_factory=desk.factory(s))
        assert action.status == "needs_review" and action.failure == "network_down"
        assert "504" not in (action.last_error or "")  # words, not the HTTP error
        # a person found the comment on VK: its id is recorded, nothing is sent again
        mark_sent(s, action.id, "-100500_1301_c9151", actor="anna")
        s.commit()
        assert (action.status, action.external_id) == ("sent", "-100500_1301_c9151")
        assert len(vk_calls(vk, "wall.createComment")) == 1


def test_approval_step(store: Any, vk: HTTPServer) -> None:
    with store.sessions() as s:
        desk, case = open_case(s, vk, settings={"require_approval": True})
        public, private = answers.answer_and_move_to_private(
            s, case.id, actor="junior", source_factory=desk.factory(s))
        assert (public.status, private.status) == ("pending_approval", "pending_approval")
        assert vk_calls(vk, "messages.send") == []
        with pytest.raises(SendRefused, match="approve it first"):
            send_action(s, private.id, source_factory=desk.factory(s))
        for action in (private, public):
            approve_action(s, action.id, actor="lead")
        s.commit()
        vk.expect_oneshot_request("/method/messages.send").respond_with_json(
            fixture_json("vk_messages.send__ok.json"))
        vk.expect_oneshot_request("/method/wall.createComment").respond_with_json(
            fixture_json("vk_wall.createComment__answer.json"))
        answers.send_case_actions(s, case.id, source_factory=desk.factory(s), actor="lead")
        s.refresh(case)
        assert case.state == "in_private"
        approvals = s.scalars(select(AuditEvent.actor).where(
            AuditEvent.action == "action.approve")).all()
        assert approvals == ["lead", "lead"]
        with pytest.raises(SendRefused):
            approve_action(s, public.id, actor="lead")


def test_no_channel_is_a_visible_failure(sqlite_store: Any, vk: HTTPServer) -> None:
    with sqlite_store.sessions() as s:
        desk, case = open_case(s, vk)
        action = answers.draft_case_action(s, case, "public_reply", actor="anna")
        action.channel_id = None
        s.commit()
        send_action(s, action.id, source_factory=desk.factory(s))
        assert action.status == "failed" and action.failure == "not_connected"
        assert "Каналы бренда" in (action.last_error or "")  # says where to fix it
        assert s.scalars(select(Action).where(Action.status == "sent")).all() == []


def test_a_second_answer_must_be_asked_for(sqlite_store: Any, vk: HTTPServer) -> None:
    with sqlite_store.sessions() as s:
        desk, case = open_case(s, vk)
        vk.expect_oneshot_request("/method/wall.createComment").respond_with_json(
            fixture_json("vk_wall.createComment__answer.json"))
        public = answers.answer_publicly(
            s, case.id, actor="anna", source_factory=desk.factory(s),
            text="Ольга, спасибо, что написали! Уже разбираемся")
        assert public.status == "sent" and vk_calls(vk, "messages.send") == []
        s.refresh(case)
        assert case.state == "answered_publicly"
        # a double click does not post a second apology
        with pytest.raises(SendRefused, match="already has a public answer"):
            answers.answer_and_move_to_private(s, case.id, actor="anna",
                                                    source_factory=desk.factory(s))
        assert len(vk_calls(vk, "wall.createComment")) == 1
        vk.expect_oneshot_request("/method/messages.send").respond_with_json(
            fixture_json("vk_messages.send__ok.json"))
        vk.expect_oneshot_request("/method/wall.createComment").respond_with_json(
            fixture_json("vk_wall.createComment__follow_up.json"))
        answers.answer_and_move_to_private(s, case.id, actor="anna", again=True,
                                                source_factory=desk.factory(s))
        s.refresh(case)
        assert case.state == "in_private" and len(vk_calls(vk, "wall.createComment")) == 2


def test_credentials_sealed_under_another_key_fail_in_words_and_send_nothing(
        sqlite_store: Any, vk: HTTPServer) -> None:
    from otklik.db.models import Channel
    from otklik.settings import Settings
    from otklik.sources.outbound import registry_source_factory

    with sqlite_store.sessions() as s:
        desk, case = open_case(s, vk)
        other = Settings(vk_api_url=desk.settings.vk_api_url, secret_key="a-rotated-key-000000")
        public = answers.answer_publicly(
            s, case.id, actor="anna", source_factory=registry_source_factory(s, other),
            text="Простите!")
        assert (public.status, public.failure) == ("failed", "sealed_other_key")
        assert "otklik secrets rotate" in (public.last_error or "")
        assert s.get(Channel, desk.channel.id).health == "failing"
    assert vk_calls(vk, "wall.createComment") == []
