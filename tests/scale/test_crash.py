"""kill -9 of a worker in the middle of a batch and of a send; a broker killed and restarted
with tasks queued. Afterwards every mention is stored once and every message sent once, counted
in the store and on the fake VK API."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, select, text, update

from otklik.actions.case_answers import answer_publicly, draft_case_action
from otklik.actions.case_locks import lock_id
from otklik.actions.cases import get_case
from otklik.db.models import Action, AuditEvent, Author, CaseMention, Mention
from otklik.runtime.worker import enqueue_ingest, enqueue_send, make_app
from otklik.settings import Settings
from tests.scale.conftest import FakeVK, RedisBroker, Workers, drop_queue, worker_env
from tests.scale.helpers import action_status, case_ids, count, question, seed_desk
from tests.waiting import SLOW_TEST_TIMEOUT, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(SLOW_TEST_TIMEOUT)]

BATCHES, SIZE, OVERLAP = 8, 30, 5  # consecutive batches share 5 mentions: replays on purpose


def batches() -> list[list[dict[str, Any]]]:
    step = SIZE - OVERLAP
    return [[question(n) for n in range(b * step, b * step + SIZE)] for b in range(BATCHES)]


def unfinished_tasks(log: str) -> set[str]:
    """Task ids a worker received but never finished (what a kill -9 interrupted)."""
    received = set(re.findall(r"Task otklik\.\w+\[([0-9a-f-]+)\] received", log))
    done = set(re.findall(r"Task otklik\.\w+\[([0-9a-f-]+)\] (?:succeeded|failed|retry)", log))
    return received - done


def assert_each_mention_once(store: Any, expected: int) -> None:
    with store.sessions() as session:
        dupes = session.execute(select(Mention.network, Mention.external_id)
                                .group_by(Mention.network, Mention.external_id)
                                .having(func.count() > 1)).all()
        assert dupes == []
        assert session.scalar(select(func.count()).select_from(Mention)) == expected
        # every question opened one case, and no mention sits in two cases
        links = session.scalar(select(func.count()).select_from(CaseMention))
        linked = session.scalar(select(func.count(func.distinct(CaseMention.mention_id))))
        assert links == linked == expected
    assert len(case_ids(store.sessions)) == expected


def hold_author_lock(store: Any, brand_id: int, n: int) -> tuple[Connection, int]:
    """Take the case rules' advisory lock on question `n`'s author, as another worker deciding
    about that author would; the worker whose batch brings that author waits for it inside its
    transaction, with the batch's mentions written but not committed: mid-batch, for sure.

    Advisory locks are per database, not per schema, so the author gets a random id: tests
    running at once in other schemas never share the key."""
    with store.sessions() as session:
        author = Author(id=10**9 + secrets.randbelow(10**9), network="vk",
                        external_id=str(311000 + n), handle=f"id{311000 + n}")
        session.add(author)
        session.commit()
        key = lock_id(f"case:{brand_id}:author:{author.id}")
    holder = store.engine.connect()
    holder.execute(select(func.pg_advisory_xact_lock(key)))
    return holder, key


def waiting_on(store: Any, key: int) -> bool:
    """Whether a connection waits for the advisory lock `key` (pg_locks splits it in two)."""
    with store.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
            " AND classid::bigint = :hi AND objid::bigint = :lo"),
            {"hi": (key >> 32) & 0xFFFFFFFF, "lo": key & 0xFFFFFFFF}).scalar())


def test_kill_worker_mid_batch(pg_store: Any, redis_broker: RedisBroker, fake_vk: Any,
                               queue_name: str, tmp_path: Path) -> None:
    brand_id = seed_desk(pg_store.sessions)
    _, server = fake_vk
    workers = Workers(worker_env(pg_store.url, redis_broker.url, server.url_for("/")),
                      queue_name, tmp_path)
    app = make_app(Settings(broker_url=redis_broker.url), queue=queue_name)
    expected = (BATCHES - 1) * (SIZE - OVERLAP) + SIZE
    step = SIZE - OVERLAP
    held = 3  # the batch that will be in flight: question 90 first comes in the fourth batch
    holder, key = hold_author_lock(pg_store, brand_id, held * step + 15)
    try:
        for batch in batches():
            enqueue_ingest(app, batch)
        first = workers.start()
        wait_for(lambda: waiting_on(pg_store, key), "a batch waiting for the held lock")
        workers.kill9(first)  # without warning, in the middle of that batch
        holder.rollback()
        holder.close()
        interrupted = unfinished_tasks(workers.logs())
        assert len(interrupted) == 1
        assert count(pg_store.sessions, Mention) == held * step + OVERLAP  # earlier batches only
        enqueue_ingest(app, batches()[0])  # and a client that sends a batch twice

        workers.start()
        wait_for(lambda: count(pg_store.sessions, Mention) == expected, "every mention")
        wait_for(lambda: len(re.findall(r"ingest_batch\[[0-9a-f-]+\] succeeded",
                                        workers.logs())) == BATCHES + 1, "every batch done")
        log = workers.logs()
        [task_id] = interrupted
        assert re.search(rf"Task otklik\.ingest_batch\[{task_id}\] succeeded", log), \
            "the interrupted batch was handed to the new worker and finished"
        assert_each_mention_once(pg_store, expected)
    finally:
        holder.close()
        workers.stop_all()
        drop_queue(app, queue_name)


@pytest.mark.parametrize("kind", ["public_reply", "private_message"])
def test_kill_worker_mid_send(kind: str, pg_store: Any, redis_broker: RedisBroker,
                              fake_vk: tuple[FakeVK, Any], queue_name: str,
                              tmp_path: Path) -> None:
    fake, server = fake_vk
    seed_desk(pg_store.sessions)
    workers = Workers(worker_env(pg_store.url, redis_broker.url, server.url_for("/")),
                      queue_name, tmp_path)
    app = make_app(Settings(broker_url=redis_broker.url), queue=queue_name)
    network_method = "wall.createComment" if kind == "public_reply" else "messages.send"
    try:
        first = workers.start()
        enqueue_ingest(app, [question(1)])
        [case_id] = wait_for(lambda: case_ids(pg_store.sessions), "the case")
        with pg_store.sessions() as session:
            if kind == "public_reply":
                action = answer_publicly(session, case_id, actor="anna", source_factory=None,
                                         text="Ольга, вернём деньги сегодня", needs_approval=False)
            else:
                action = draft_case_action(session, get_case(session, case_id), kind,
                                           actor="anna", text="Ольга, номер заказа?",
                                           needs_approval=False)
            session.commit()
            action_id = action.id

        fake.hang_next_send = True  # VK does it, but the answer never comes back
        enqueue_send(app, action_id)
        wait_for(fake.hanging.is_set, "the send to reach VK")
        workers.kill9(first)
        fake.release.set()
        assert action_status(pg_store.sessions, action_id).status == "sending"

        workers.start()
        done = wait_for(lambda: (a := action_status(pg_store.sessions, action_id)).status
                        != "sending" and a, "the redelivered send")
        assert done.status == "sent", (done.failure, done.last_error)
        assert fake.calls[network_method] == 1  # sent once, not resent
        sent = fake.comments if kind == "public_reply" else fake.messages
        assert len(sent) == 1 and done.external_id is not None
        assert done.external_id.endswith(str(sent[0]["id"]))
        with pg_store.sessions() as session:
            checks = session.scalars(select(AuditEvent.action).where(
                AuditEvent.entity == "action", AuditEvent.entity_id == str(action_id))).all()
        assert "action.found_on_network" in checks
    finally:
        workers.stop_all()
        drop_queue(app, queue_name)


def test_send_left_in_sending_but_absent_is_sent_once(
        pg_store: Any, redis_broker: RedisBroker, fake_vk: tuple[FakeVK, Any],
        queue_name: str, tmp_path: Path) -> None:
    """A worker died after marking `sending` but before VK heard anything: the check finds
    nothing, so the reply goes out (once, with the same guid)."""
    fake, server = fake_vk
    seed_desk(pg_store.sessions)
    workers = Workers(worker_env(pg_store.url, redis_broker.url, server.url_for("/")),
                      queue_name, tmp_path)
    app = make_app(Settings(broker_url=redis_broker.url), queue=queue_name)
    try:
        workers.start()
        enqueue_ingest(app, [question(1)])
        [case_id] = wait_for(lambda: case_ids(pg_store.sessions), "the case")
        with pg_store.sessions() as session:
            action = answer_publicly(session, case_id, actor="anna", source_factory=None,
                                     text="Ольга, вернём деньги сегодня", needs_approval=False)
            session.flush()
            session.execute(update(Action).where(Action.id == action.id)
                            .values(status="sending", attempts=1))
            session.commit()
            action_id = action.id
        enqueue_send(app, action_id)
        # not "until it leaves sending": found absent, it is `failed` for a moment before the
        # resend, and a loaded machine let the test see that moment
        wait_for(lambda: action_status(pg_store.sessions, action_id).status == "sent",
                 "the reply to be sent")
        assert fake.calls["wall.getComments"] >= 1 and fake.calls["wall.createComment"] == 1
        enqueue_send(app, action_id)  # a second, late delivery of the same task sends nothing
        wait_for(lambda: "Task otklik.send_action" in workers.logs()
                 and workers.logs().count("] succeeded") >= 3, "the repeat")
        assert fake.calls["wall.createComment"] == 1
    finally:
        workers.stop_all()
        drop_queue(app, queue_name)


def test_broker_killed_and_restarted_with_tasks_queued(
        pg_store: Any, redis_broker: RedisBroker, fake_vk: Any, queue_name: str,
        tmp_path: Path) -> None:
    """Redis is killed while the worker is inside a batch, not at a random moment: a task that
    Redis hands out (BRPOP) just as the connection drops is lost with Redis as the broker
    (celery/celery#4354), which is a property of the broker, not of otklik; RabbitMQ (below)
    keeps it."""
    brand_id = seed_desk(pg_store.sessions)
    _, server = fake_vk
    workers = Workers(worker_env(pg_store.url, redis_broker.url, server.url_for("/")),
                      queue_name, tmp_path)
    app = make_app(Settings(broker_url=redis_broker.url), queue=queue_name)
    expected = (BATCHES - 1) * (SIZE - OVERLAP) + SIZE
    holder, key = hold_author_lock(pg_store, brand_id, 3 * (SIZE - OVERLAP) + 15)
    try:
        for batch in batches():
            enqueue_ingest(app, batch)
        assert redis_broker.queue_length(queue_name) == BATCHES
        redis_broker.restart()  # SIGKILL: only what reached the append-only file survives
        assert redis_broker.queue_length(queue_name) == BATCHES

        workers.start()
        wait_for(lambda: waiting_on(pg_store, key), "a batch waiting for the held lock")
        redis_broker.restart()  # again, with a worker connected and a batch in flight
        holder.rollback()
        wait_for(lambda: count(pg_store.sessions, Mention) == expected, "every mention")
        assert_each_mention_once(pg_store, expected)
    finally:
        holder.close()
        workers.stop_all()
        drop_queue(app, queue_name)


def rabbit_queue_length(app: Any, queue: str) -> int:
    with app.connection_for_write() as conn:
        return int(conn.default_channel.queue_declare(queue, passive=True).message_count)


def test_rabbitmq_node_killed_and_restarted_with_tasks_queued(
        pg_store: Any, rabbit_node: Any, fake_vk: Any, queue_name: str, tmp_path: Path) -> None:
    """The same on RabbitMQ: a node of the test's own (durable queue, persistent messages,
    publisher confirms), SIGKILLed with the batches queued and again mid-processing."""
    seed_desk(pg_store.sessions)
    _, server = fake_vk
    workers = Workers(worker_env(pg_store.url, rabbit_node.url, server.url_for("/")),
                      queue_name, tmp_path)
    app = make_app(Settings(broker_url=rabbit_node.url), queue=queue_name)
    expected = (BATCHES - 1) * (SIZE - OVERLAP) + SIZE
    try:
        for batch in batches():
            enqueue_ingest(app, batch)
        assert rabbit_queue_length(app, queue_name) == BATCHES
        rabbit_node.restart()
        assert rabbit_queue_length(app, queue_name) == BATCHES

        workers.start()
        wait_for(lambda: count(pg_store.sessions, Mention) > 0, "the first batch")
        rabbit_node.restart()  # with a worker connected and a batch in flight
        wait_for(lambda: count(pg_store.sessions, Mention) == expected, "every mention")
        assert_each_mention_once(pg_store, expected)
    finally:
        workers.stop_all()
        app.close()
