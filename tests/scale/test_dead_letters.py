"""Tasks that keep failing end as dead letters (after bounded retries, or at once for bad input),
shown by `otklik deadletters list` and queued again by `replay`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from otklik.cli import app as cli
from otklik.db.models import DeadLetter
from otklik.flow.wiring import Enrichment
from otklik.runtime.process import Runtime
from otklik.runtime.worker import MAX_RETRIES, beat_schedule, enqueue_ingest, make_app, producer
from otklik.settings import Settings
from tests.scale.conftest import RedisBroker, Workers, drop_queue, worker_env
from tests.scale.helpers import question, seed_desk
from tests.waiting import SLOW_TEST_TIMEOUT, wait_for


class BrokenModel(Enrichment):
    """Enrichment whose model cannot load (as when the sentiment model file is missing)."""

    def enrichers(self, session: Any) -> Any:
        raise RuntimeError("sentiment model cannot be loaded")


def test_failing_task_is_retried_then_dead_lettered(sqlite_store: Any) -> None:
    settings = Settings(database_url=sqlite_store.url, broker_url="memory://")
    app = make_app(settings, runtime_factory=lambda s: Runtime.from_settings(
        s, enrichment=BrokenModel()))
    app.conf.task_always_eager = True  # runs in this process; retries run at once
    seed_desk(sqlite_store.sessions)
    result = app.tasks["otklik.ingest_batch"].apply(args=[[question(1)]])
    assert isinstance(result.result, RuntimeError)
    with sqlite_store.sessions() as session:
        [letter] = session.scalars(select(DeadLetter)).all()
    assert letter.task == "otklik.ingest_batch"
    assert letter.attempts == MAX_RETRIES + 1
    assert "sentiment model cannot be loaded" in letter.error
    assert letter.args["args"][0][0]["external_id"] == "-100500_1301_c9001"


def test_bad_input_is_dead_lettered_without_retries(sqlite_store: Any) -> None:
    settings = Settings(database_url=sqlite_store.url, broker_url="memory://")
    app = make_app(settings)
    app.conf.task_always_eager = True
    app.tasks["otklik.ingest_batch"].apply(args=[[{"external_id": "x"}]])  # no text, no date
    with sqlite_store.sessions() as session:
        [letter] = session.scalars(select(DeadLetter)).all()
    assert letter.attempts == 1 and "BadPayload" in letter.error  # names what is wrong
    assert "created_at" in letter.error or "text" in letter.error


def test_beat_schedule_has_the_periodic_table_and_due_polls() -> None:
    schedule = beat_schedule()
    assert {"desk_tick", "detect_all", "publish_tick", "poll_due"} <= set(schedule)
    assert all(entry["task"] == f"otklik.{name}" for name, entry in schedule.items())


def test_make_app_needs_a_broker() -> None:
    with pytest.raises(ValueError, match="OTKLIK_BROKER_URL"):
        make_app(Settings(broker_url=None))


@pytest.mark.slow
@pytest.mark.timeout(SLOW_TEST_TIMEOUT)
def test_dead_letter_from_a_real_worker_listed_and_replayed(
        pg_store: Any, redis_broker: RedisBroker, queue_name: str, tmp_path: Path) -> None:
    seed_desk(pg_store.sessions)
    workers = Workers(worker_env(pg_store.url, redis_broker.url, "http://127.0.0.1:9"),
                      queue_name, tmp_path)
    settings = Settings(broker_url=redis_broker.url, database_url=pg_store.url)
    app = make_app(settings, queue=queue_name)
    env = {"OTKLIK_DATABASE_URL": pg_store.url, "OTKLIK_BROKER_URL": redis_broker.url}
    runner = CliRunner()
    try:
        workers.start()
        bad = question(1)
        bad["created_at"] = "yesterday"
        enqueue_ingest(app, [bad])
        wait_for(lambda: runner.invoke(cli, ["deadletters", "list", "--json"], env=env)
                 .output.strip(), "the dead letter")
        listed = runner.invoke(cli, ["deadletters", "list", "--json"], env=env)
        [row] = [json.loads(line) for line in listed.output.splitlines()]
        assert row["task"] == "otklik.ingest_batch" and row["replayed_at"] is None
        replay = runner.invoke(cli, ["deadletters", "replay", str(row["id"]),
                                     f"--queue={queue_name}"], env=env)
        assert replay.exit_code == 0, replay.output
        # replayed: the same bad input fails again and becomes a second letter
        wait_for(lambda: len(runner.invoke(cli, ["deadletters", "list", "--all", "--json"],
                                           env=env).output.splitlines()) == 2, "the replay")
        again = runner.invoke(cli, ["deadletters", "replay", str(row["id"])], env=env)
        assert again.exit_code == 2 and "already replayed" in again.output
        missing = runner.invoke(cli, ["deadletters", "replay", "999"], env=env)
        assert missing.exit_code == 2 and "no dead letter 999" in missing.output
    finally:
        workers.stop_all()
        drop_queue(app, queue_name)


def test_enqueue_from_settings_reuses_one_producer_and_sends_the_api_format() -> None:
    settings = Settings(broker_url="memory://localhost/")
    task_id = enqueue_ingest(settings, [question(1)], actor="api:token-3")
    assert producer(settings) is producer(settings)
    with producer(settings).connection_for_read() as conn:
        message = conn.SimpleQueue("otklik").get(timeout=5)
    assert message.headers["task"] == "otklik.ingest_batch"
    assert message.headers["id"] == task_id
    args, kwargs, _ = message.decode()
    assert args[0][0]["external_id"] == "-100500_1301_c9001"
    assert kwargs == {"actor": "api:token-3"}
    message.ack()
    with pytest.raises(ValueError, match="embedded mode"):
        producer(Settings(broker_url=None))
