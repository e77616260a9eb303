"""The whole flow through real Celery workers: ingest (queued as the web app queues it) →
enrichment → case → reply through the fake VK API, on Redis and on RabbitMQ."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from otklik.actions.case_answers import answer_publicly
from otklik.db.models import AuditEvent, Case, Mention, MentionBrand
from otklik.runtime.worker import enqueue_ingest, enqueue_send, make_app
from otklik.settings import Settings
from tests.scale.conftest import RABBIT_URL, FakeVK, Workers, drop_queue, worker_env
from tests.scale.helpers import action_status, case_ids, question, seed_desk
from tests.waiting import SLOW_TEST_TIMEOUT, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(SLOW_TEST_TIMEOUT)]

REPLY = "Ольга, вернём деньги сегодня. Написали вам в личные сообщения"


@pytest.mark.parametrize("broker", ["redis", "rabbitmq"])
def test_ingest_case_reply_through_workers(
    broker: str, request: pytest.FixtureRequest, pg_store: Any, fake_vk: tuple[FakeVK, Any],
    queue_name: str, tmp_path: Path,
) -> None:
    fake, server = fake_vk
    url = request.getfixturevalue("redis_broker").url if broker == "redis" else RABBIT_URL
    brand_id = seed_desk(pg_store.sessions)
    vk_url = server.url_for("/").rstrip("/")
    workers = Workers(worker_env(pg_store.url, url, vk_url), queue_name, tmp_path)
    app = make_app(Settings(broker_url=url, database_url=pg_store.url), queue=queue_name)
    try:
        workers.start()
        enqueue_ingest(app, [question(1)], actor="api:test")
        [case_id] = wait_for(lambda: case_ids(pg_store.sessions), "the case")

        with pg_store.sessions() as session:
            mention = session.scalars(select(Mention)).one()
            assert mention.external_id == "-100500_1301_c9001"
            assert (mention.lang, mention.is_question) == ("ru", True)  # enriched on the worker
            assert session.scalars(select(MentionBrand.brand_id)).all() == [brand_id]
            case = session.get(Case, case_id)
            assert case is not None and case.state == "new"
            action = answer_publicly(session, case_id, actor="anna", source_factory=None,
                                     text=REPLY, needs_approval=False)
            session.commit()
            action_id = action.id

        enqueue_send(app, action_id, actor="anna")
        sent = wait_for(lambda: (a := action_status(pg_store.sessions, action_id)).status
                        not in ("approved", "sending") and a, "the send")
        assert sent.status == "sent"
        assert fake.calls.get("wall.createComment") == 1
        [comment] = fake.comments
        assert (comment["text"], comment["post_id"], comment["from_id"]) == (REPLY, 1301, -100500)
        assert sent.external_id == f"-100500_1301_c{comment['id']}"
        with pg_store.sessions() as session:
            case = session.get(Case, case_id)
            assert case is not None and case.state == "answered_publicly"
            actors = set(session.scalars(select(AuditEvent.actor)))
            assert {"api:test", "anna"} <= actors
    finally:
        workers.stop_all()
        drop_queue(app, queue_name)
