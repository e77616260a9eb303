"""An incident explained on VK and Telegram; matching complaints linked, answered, followed up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from otklik.actions import case_answers as answers
from otklik.actions import cases as desk_actions
from otklik.actions import incidents as inc
from otklik.actions.send import approve_action
from otklik.db.models import Action, AuditEvent, Case, Mention, Spike
from otklik.domain.posts import Author, Place
from otklik.flow.pipeline import ingest
from otklik.query import QuerySyntaxError
from tests.factories import make_post
from tests.network_desk import FakeNetworks, make_desk, negative_enricher

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
VK_COMPLAINT = "-100500_1201_c9101"
TG_COMPLAINT = "-1001500000002_5502"
OTHER = "-1_77"


def complaints() -> list[Any]:
    chat = Place(external_id="-1001500000002", name="Зерно — обсуждение", kind="chat")
    wall = Place(external_id="-100500", name="Зерно VK", kind="group")
    return [
        make_post(external_id=VK_COMPLAINT, parent_external_id="-100500_1201",
                  thread_external_id="-100500_1201", place=wall,
                  text="Не могу оплатить картой, терминал не работает!",
                  author=Author("501", "olga_s", "Ольга Смирнова"),
                  created_at=START + timedelta(minutes=20)),
        make_post(network="telegram", external_id=TG_COMPLAINT, place=chat,
                  text="Терминалы не принимают карты уже час",
                  author=Author("400001", "masha_k", "Мария Кузнецова"),
                  created_at=START + timedelta(minutes=35)),
        make_post(external_id=OTHER, text="Кофе был холодный, а бариста грубил",
                  author=Author("502", "petr", "Пётр Иванов"),
                  created_at=START + timedelta(minutes=40)),
    ]


def test_incident_published_on_two_channels_complaints_linked_answered(
        store: Any, net: FakeNetworks) -> None:
    with store.sessions() as s:
        desk = make_desk(s, net.server)
        ids = ingest(s, complaints(), enrichers=[negative_enricher(
            desk.brand.id, [VK_COMPLAINT, TG_COMPLAINT, OTHER])]).mention_ids
        opened = desk_actions.process_ingested(s, ids, now=START + timedelta(minutes=45)).opened
        s.commit()
        assert len(opened) == 3

        incident = inc.open_incident(
            s, desk.brand.id, "Не работает оплата картой в кофейнях",
            description="Сбой у процессингового партнёра.", started_at=START,
            next_update_at=START + timedelta(hours=2), keywords="терминал OR карта",
            channel_ids=[desk.vk.id, desk.tg.id], actor="anna")
        s.commit()
        # linked before the explanation exists: linked, but nothing to link to yet
        early = inc.link_complaints(s, incident.id, now=START + timedelta(hours=1))
        assert len(early.cases) == 2 and early.drafts == []

        posts = inc.publish_explanation(s, incident.id, source_factory=desk.factory(s),
                                        actor="anna")
        assert [a.status for a in posts] == ["sent", "sent"]
        assert net.paths() == ["wall.post", "sendMessage"]
        vk_text = net.calls("wall.post")[0]["message"]
        assert vk_text.startswith("Зерно: Не работает оплата картой в кофейнях.")
        # the brand's customers read times in the brand's zone (Moscow by default), not UTC
        assert "20 ноября, 12:00 (мск)" in vk_text and "20 ноября, 14:00 (мск)" in vk_text
        assert net.calls("sendMessage")[0] == {"chat_id": "@zerno_coffee", "text": vk_text}
        s.refresh(incident)
        assert incident.explanation_url == "https://vk.com/wall-100500_1203"

        linked = inc.link_complaints(s, incident.id, now=START + timedelta(hours=1))
        assert linked.cases == [] and len(linked.drafts) == 2
        cases = {c.id: c for c in s.scalars(select(Case).where(Case.incident_id == incident.id))}
        assert len(cases) == 2
        drafts = [s.get(Action, a) for a in linked.drafts]
        for draft in drafts:
            assert draft is not None and draft.status == "pending_approval"
            assert draft.incident_id == incident.id and draft.case_id in cases
            assert "https://vk.com/wall-100500_1203" in draft.text
        assert drafts[0] is not None and drafts[0].text.startswith("Ольга, простите")
        # linking again drafts nothing more
        again = inc.link_complaints(s, incident.id, now=START + timedelta(hours=1))
        assert again.cases == [] and again.drafts == []
        s.commit()

        for draft in drafts:
            assert draft is not None
            approve_action(s, draft.id, actor="anna")
            s.commit()
            answers.send_case_actions(s, draft.case_id or 0, source_factory=desk.factory(s),
                                           actor="anna")
        comment = net.calls("wall.createComment")
        assert len(comment) == 1 and comment[0]["post_id"] == "1201"
        assert comment[0]["reply_to_comment"] == "9101"
        replies = [c for c in net.calls("sendMessage") if "reply_parameters" in c]
        assert len(replies) == 1 and replies[0]["chat_id"] == "-1001500000002"
        assert replies[0]["reply_parameters"]["message_id"] == 5502
        for case in cases.values():
            s.refresh(case)
            assert case.state == "answered_publicly"

        inc.update_incident(s, incident.id, "Партнёр восстановил процессинг в половине кофеен.",
                            status="monitoring", source_factory=desk.factory(s), actor="anna")
        assert net.calls("wall.post")[1]["message"].startswith("Обновление (Не работает")

        closed = inc.close_incident(s, incident.id, "Оплата картой снова работает везде.",
                                    source_factory=desk.factory(s), actor="anna",
                                    now=START + timedelta(hours=5))
        assert sorted(closed.resolved) == sorted(cases) and closed.unanswered == []
        assert [a.status for a in closed.actions] == ["sent", "sent"]
        assert net.calls("wall.post")[2]["message"].startswith("Решено: Не работает")
        for case in cases.values():
            s.refresh(case)
            assert case.state == "resolved"
            assert case.follow_up_due_at == START + timedelta(hours=5, days=2)
        # the desk's own follow-up loop now picks them up
        due = answers.run_due_follow_ups(s, START + timedelta(days=3), source_factory=None)
        assert sorted(a.case_id for a in due) == sorted(cases)
        # exactly what the networks received
        assert net.paths() == ["wall.post", "sendMessage", "wall.createComment", "sendMessage",
                               "wall.post", "sendMessage", "wall.post", "sendMessage"]
        s.refresh(incident)
        assert incident.status == "resolved"
        with pytest.raises(ValueError, match="already resolved"):
            inc.close_incident(s, incident.id, "again", source_factory=None, actor="anna")
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "incident.close")).one()


def test_spike_window_links_complaints_and_marks_the_spike_answered(
        sqlite_store: Any, net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server)
        ids = ingest(s, complaints(), enrichers=[negative_enricher(
            desk.brand.id, [VK_COMPLAINT, TG_COMPLAINT, OTHER])]).mention_ids
        desk_actions.process_ingested(s, ids, now=START + timedelta(minutes=45))
        spike = Spike(brand_id=desk.brand.id, series="negative", start=START + timedelta(
            minutes=30), peak=START + timedelta(minutes=40), end=START + timedelta(minutes=50),
            volume=2)
        s.add(spike)
        s.flush()
        incident = inc.open_incident(s, desk.brand.id, "Сбой", started_at=START + timedelta(
            minutes=30), spike_id=spike.id, channel_ids=[desk.vk.id], actor="anna")
        s.commit()
        linked = inc.link_complaints(s, incident.id, now=START + timedelta(hours=1))
        # no keywords: the two complaints inside the spike window, not the one before it
        linked_ids = {s.get(Mention, s.get(Case, c).root_mention_id).external_id  # type: ignore
                      for c in linked.cases}
        assert linked_ids == {TG_COMPLAINT, OTHER}
        assert spike.responded_at is None
        inc.publish_explanation(s, incident.id, source_factory=desk.factory(s), actor="anna")
        s.refresh(spike)
        assert spike.responded_at is not None


def test_bad_keywords_are_refused_with_their_position(sqlite_store: Any,
                                                      net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server)
        with pytest.raises(QuerySyntaxError, match="column"):
            inc.open_incident(s, desk.brand.id, "Сбой", keywords="терминал AND (",
                              actor="anna")
        with pytest.raises(ValueError, match="not one of the brand's channels"):
            inc.open_incident(s, desk.brand.id, "Сбой", channel_ids=[999], actor="anna")
