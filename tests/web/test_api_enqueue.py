"""Distributed mode: the ingest API queues the batch for the workers on the real Redis."""

from __future__ import annotations

import json
import uuid
from typing import Any

import redis
from sqlalchemy import func, select

from otklik.db.models import Mention
from otklik.web import create_app
from tests.web.conftest import make_desk
from tests.web.test_api import _mention

REDIS_DB = 13


def test_ingest_is_queued_when_a_broker_is_set(sqlite_store: Any) -> None:
    desk = make_desk(sqlite_store)
    queue_db = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    queue_db.flushdb()
    settings = desk.app.state.settings.model_copy(
        update={"broker_url": f"redis://127.0.0.1:6379/{REDIS_DB}"})
    desk.app = create_app(settings, engine=sqlite_store.engine)
    api = desk.api("admin")
    marker = f"queued-{uuid.uuid4().hex[:8]}"
    response = api.post("/api/v1/ingest", json={"mentions": [_mention(1, text=marker)]})
    assert response.status_code == 202, response.text
    task_id = response.json()["queued"]
    try:
        (raw,) = queue_db.lrange("otklik", 0, -1)
        message = json.loads(raw)
        assert message["headers"]["id"] == task_id
        assert message["headers"]["task"] == "otklik.ingest_batch"
    finally:
        queue_db.flushdb()
    with sqlite_store.sessions() as s:  # the worker stores it, not the web process
        assert s.scalar(select(func.count()).select_from(Mention)) == 0
