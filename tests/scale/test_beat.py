"""`otklik beat` + `otklik worker`: the periodic ticks run and due sources get polled."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from otklik.db.models import Source
from otklik.runtime.worker import make_app
from otklik.settings import Settings
from tests.scale.conftest import OTKLIK, RedisBroker, Workers, drop_queue, worker_env
from tests.scale.helpers import seed_desk
from tests.waiting import PATIENCE, SLOW_TEST_TIMEOUT, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(SLOW_TEST_TIMEOUT)]


def test_beat_enqueues_periodic_ticks_and_due_polls(
        pg_store: Any, redis_broker: RedisBroker, fake_vk: Any, queue_name: str,
        tmp_path: Path) -> None:
    _, server = fake_vk  # knows no wall.get: the poll fails, and the failure is kept on the row
    seed_desk(pg_store.sessions)
    with pg_store.sessions() as session:
        source = session.scalars(select(Source)).one()
        source.enabled, source.interval_seconds = True, 10
        session.commit()
        source_id = source.id
    env = worker_env(pg_store.url, redis_broker.url, server.url_for("/").rstrip("/"))
    workers = Workers(env, queue_name, tmp_path)
    beat_log = (tmp_path / "beat.txt").open("wb")
    beat = subprocess.Popen(
        [OTKLIK, "beat", f"--queue={queue_name}",
         f"--schedule-file={tmp_path / 'celerybeat-schedule'}"],
        env=env, stdout=beat_log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        workers.start()

        def polled() -> Any:
            with pg_store.sessions() as session:
                row = session.get(Source, source_id)
                return row is not None and row.last_error_at is not None and row

        row = wait_for(polled, "beat → poll_due → poll_source")
        assert row.last_polled_at and row.last_error  # no wall.get in the fake: kept on the row
        log = wait_for(lambda: "otklik.desk_tick" in workers.logs() and workers.logs(),
                       "the desk tick")
        assert "Task otklik.poll_due[" in log and "Task otklik.poll_source[" in log
        assert "otklik.publish_tick" in log
    finally:
        os.killpg(beat.pid, signal.SIGTERM)
        beat.wait(timeout=PATIENCE)
        workers.stop_all()
        drop_queue(make_app(Settings(broker_url=redis_broker.url)), queue_name)
