"""The whole loop, end to end, against a recorded VK community served by a real local server.

negative comment fetched and ingested → case → templated public reply + DM (exact requests) →
resolved → follow-up after the (shortened) delay → the customer's reply ingested → case closed
"resolved", metrics updated, audit trail complete.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import case_answers as answers
from otklik.actions import cases as desk_actions
from otklik.db.models import Action, AuditEvent, Case, CaseMention, Mention
from otklik.domain.posts import Post
from otklik.figures.desk_metrics import desk_metrics
from otklik.flow.pipeline import ingest
from otklik.sources.http import HttpClient
from otklik.sources.registry import build_source
from tests.vk_desk import GROUP_TOKEN, Desk, fixture_json, labelling_enricher, make_desk
from tests.vk_desk import vk_calls as calls

COMPLAINT, SECOND, PRAISE = "-100500_1301_c9101", "-100500_1301_c9102", "-100500_1301_c9103"
APOLOGY = "Ольга, приносим свои извинения, что так вышло! Написали вам в личные сообщения"
FOLLOW_UP = ("Добрый день, Ольга, удалось ли решить проблему? Расскажите, пожалуйста, "
             "чем всё закончилось")


def fetch_thread(desk: Desk) -> list[Post]:
    """One poll of the brand's wall thread through the real VK connector."""

    async def run() -> list[Post]:
        client = HttpClient(max_retries=0)
        try:
            source = build_source(desk.source, desk.settings, client)
            page = await source.fetch_page({"phase": "comments", "pending": [1301]})
            return page.posts
        finally:
            await client.aclose()

    return asyncio.run(run())


def poll_and_process(session: Session, desk: Desk, now: datetime) -> Any:
    posts = fetch_thread(desk)
    enrich = labelling_enricher(desk.brand.id, negative=[COMPLAINT, SECOND])
    result = ingest(session, posts, enrichers=[enrich], source_id=desk.source.id)
    outcome = desk_actions.process_ingested(session, result.mention_ids, now=now)
    session.commit()
    return outcome


def test_whole_loop(store: Any, vk: HTTPServer) -> None:
    vk.expect_oneshot_request("/method/wall.getComments", method="POST").respond_with_json(
        fixture_json("vk_wall.getComments__complaint.json"))
    vk.expect_oneshot_request("/method/messages.send", method="POST").respond_with_json(
        fixture_json("vk_messages.send__ok.json"))
    vk.expect_oneshot_request("/method/wall.createComment", method="POST").respond_with_json(
        fixture_json("vk_wall.createComment__answer.json"))
    vk.expect_oneshot_request("/method/wall.createComment", method="POST").respond_with_json(
        fixture_json("vk_wall.createComment__follow_up.json"))
    vk.expect_oneshot_request("/method/wall.getComments", method="POST").respond_with_json(
        fixture_json("vk_wall.getComments__after_follow_up.json"))

    with store.sessions() as session:
        desk = make_desk(session, vk, follow_up_days=1 / 1440)  # one minute instead of two days
        start = datetime.now(UTC)

        # 1. the negative comment arrives: one case; the same customer's second comment joins it
        first = poll_and_process(session, desk, start)
        assert len(first.opened) == 1
        case = session.get(Case, first.opened[0])
        assert case is not None
        root = session.get(Mention, case.root_mention_id)
        assert root is not None and root.external_id == COMPLAINT
        assert [m for _, m in first.joined] == [session.scalar(
            select(Mention.id).where(Mention.external_id == SECOND))]
        assert case.customer_name == "Ольга" and case.state == "new"
        assert [a.kind for a in first.alerts] == ["new_case"]
        assert session.scalar(select(Mention.id).where(Mention.external_id == PRAISE))

        # 2. answer publicly and move to private: DM first, then the public note
        public, private = answers.answer_and_move_to_private(
            session, case.id, actor="anna@zerno.example", source_factory=desk.factory(session))
        dm = calls(vk, "messages.send")
        assert len(dm) == 1
        assert dm[0]["user_id"] == "311050" and dm[0]["group_id"] == "100500"
        assert dm[0]["access_token"] == GROUP_TOKEN and dm[0]["v"] == "5.199"
        assert dm[0]["message"].startswith("Здравствуйте, Ольга! Это Зерно.")
        assert f"Номер вашего обращения: {case.id}." in dm[0]["message"]
        reply = calls(vk, "wall.createComment")
        assert len(reply) == 1
        assert {k: reply[0][k] for k in ("owner_id", "post_id", "reply_to_comment", "from_group",
                                         "message", "access_token")} == {
            "owner_id": "-100500", "post_id": "1301", "reply_to_comment": "9101",
            "from_group": "100500", "message": APOLOGY, "access_token": GROUP_TOKEN}
        assert reply[0]["guid"]  # VK drops a repeat with the same guid
        session.refresh(case)
        assert case.state == "in_private"
        assert (private.status, private.external_id) == ("sent", "48213")
        assert (public.status, public.external_id) == ("sent", "-100500_1301_c9151")
        assert case.first_response_at is not None

        # 3. solved in private → resolved; the follow-up waits for the brand's delay
        desk_actions.resolve(session, case.id, actor="anna@zerno.example", now=start)
        session.commit()
        assert answers.run_due_follow_ups(
            session, start + timedelta(seconds=30), source_factory=desk.factory(session)) == []
        assert len(calls(vk, "wall.createComment")) == 1
        later = start + timedelta(minutes=2)
        [follow] = answers.run_due_follow_ups(
            session, later, source_factory=desk.factory(session))
        fu = calls(vk, "wall.createComment")[1]
        assert (fu["reply_to_comment"], fu["message"]) == ("9101", FOLLOW_UP)
        assert follow.status == "sent" and follow.external_id == "-100500_1301_c9160"
        session.refresh(case)
        assert case.state == "followed_up"
        # running it again sends nothing more
        assert answers.run_due_follow_ups(
            session, later, source_factory=desk.factory(session)) == []

        # 4. the customer answers in the thread: attached, classified, case closed "resolved"
        second = poll_and_process(session, desk, later + timedelta(hours=2))
        assert second.opened == [] and second.joined == []
        outcomes = {session.get(Mention, m).external_id: o  # type: ignore[union-attr]
                    for _, m, o in second.replies}
        assert outcomes == {"-100500_1301_c9151": None, "-100500_1301_c9160": None,
                            "-100500_1301_c9161": "resolved"}
        session.refresh(case)
        assert (case.state, case.outcome) == ("closed", "resolved")
        roles = dict(session.execute(select(Mention.external_id, CaseMention.role).join(
            CaseMention, CaseMention.mention_id == Mention.id).where(
            CaseMention.case_id == case.id)).all())
        assert roles == {COMPLAINT: "complaint", SECOND: "complaint",
                         "-100500_1301_c9151": "brand_answer",
                         "-100500_1301_c9160": "brand_answer",
                         "-100500_1301_c9161": "customer_reply"}

        # 5. metrics
        m = desk_metrics(session, desk.brand.id, start - timedelta(days=1),
                         later + timedelta(days=1))
        assert (m.cases, m.complaints, m.answered_publicly) == (1, 1, 1)
        assert (m.moved_to_private_share, m.loop_closure_rate) == (1.0, 1.0)
        assert m.outcomes == {"resolved": 1, "not_resolved": 0, "no_answer": 0}
        assert m.outcome_shares["resolved"] == 1.0
        waited = (case.first_response_at - root.created_at).total_seconds() / 60
        assert m.first_answer_minutes["median"] == round(waited, 2)

        # 6. the audit trail tells the whole story, with who and when
        trail = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.data, AuditEvent.at)
            .where(AuditEvent.entity == "case", AuditEvent.entity_id == str(case.id))
            .order_by(AuditEvent.id)).all()
        moves = [(e.actor, e.data["before"], e.data["after"]) for e in trail
                 if e.action == "case.transition"]
        anna = "anna@zerno.example"
        assert moves == [(anna, "new", "answered_publicly"),
                         (anna, "answered_publicly", "in_private"),
                         (anna, "in_private", "resolved"), ("system", "resolved", "followed_up"),
                         ("system", "followed_up", "closed")]
        by = {e.action: e.actor for e in trail}
        assert by["case.open"] == "system"
        assert by["case.follow_up_scheduled"] == "anna@zerno.example"
        assert all(e.at is not None for e in trail)
        sent = session.scalars(select(AuditEvent.entity_id).where(
            AuditEvent.action == "action.sent")).all()
        assert sorted(sent) == sorted(str(a.id) for a in session.scalars(
            select(Action).where(Action.case_id == case.id)))
        assert len(sent) == 3
    vk.check_assertions()
