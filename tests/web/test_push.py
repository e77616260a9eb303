"""Push endpoints against the real ASGI app: the VK Callback API and a Telegram bot's webhook.

Events are the recorded shapes in tests/fixtures/{vk,telegram}/; the brand's alert channel is a
webhook on a real local HTTP server, so "handed to its channel" is what that server received.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest
import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select

from otklik.actions.unit import transaction
from otklik.db.models import AlertChannel, AuditEvent, Brand, Case, Mention
from otklik.db.models import Source as SourceRow
from otklik.db.secrets import seal_credentials
from otklik.domain.enrichment import Enriched
from otklik.web import create_app
from tests.sources.conftest import fixture_json
from tests.web.conftest import Desk, make_desk

SECRET = "zerno-callback-5ecret"
TG_SECRET = "tg_webhook_secret-0123456789"
VK_PATH = "/api/v1/push/vk/{}"
TG_PATH = "/api/v1/push/telegram/{}"


class Complaints:
    """Enrichment for these tests: every pushed post matches the brand and is negative."""

    def __init__(self) -> None:
        self.brand_id = 0

    def __call__(self, _session: Any) -> list[Any]:
        def enrich(batch: Sequence[Enriched]) -> None:
            for item in batch:
                item.brand_matches = {self.brand_id: []}
                item.sentiment, item.priority = "negative", 0.8
        return [enrich]


@pytest.fixture
def pushed(sqlite_store: Any, httpserver: HTTPServer) -> tuple[Desk, dict[str, int]]:
    complaints = Complaints()
    desk = make_desk(sqlite_store, enrichers_factory=complaints)
    key = desk.app.state.settings.secret_key
    httpserver.expect_request("/alerts").respond_with_data("ok")
    with transaction(sqlite_store.sessions) as s:
        brand = Brand(slug="zerno", name="Зерно")
        s.add(brand)
        s.flush()
        complaints.brand_id = brand.id
        s.add(AlertChannel(brand_id=brand.id, kind="webhook",
                           config={"url": httpserver.url_for("/alerts")}))
        vk = SourceRow(network="vk", kind="wall", name="Зерно VK", brand_id=brand.id,
                       params={"owner_id": -100500, "owned": True, "group_id": 100500},
                       credentials=seal_credentials({
                           "group_token": "vk1.a.GROUP", "callback_secret": SECRET,
                           "callback_confirmation": "a1b2c3d4"}, key))
        tg = SourceRow(network="telegram", kind="bot", name="Зерно бот", brand_id=brand.id,
                       params={"chat_id": "-1001500000001", "webhook": True},
                       credentials=seal_credentials({"bot_token": "65:AAH",
                                                     "webhook_secret": TG_SECRET}, key))
        s.add_all([vk, tg])
        s.flush()
        ids = {"vk": vk.id, "telegram": tg.id}
    return desk, ids


def vk_event(name: str, **changes: Any) -> dict[str, Any]:
    return {**fixture_json("vk", f"callback__{name}.json"), **changes}


def drain(desk: Desk) -> None:
    desk.app.state.push.queue.drain()


def stored(desk: Desk) -> dict[str, Mention]:
    with desk.store.sessions() as s:
        return {m.external_id: m for m in s.scalars(select(Mention))}


def count(desk: Desk, model: Any, *where: Any) -> int:
    with desk.store.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_vk_confirmation_handshake(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    response = desk.client().post(VK_PATH.format(ids["vk"]), json=vk_event("confirmation"))
    assert response.status_code == 200 and response.text == "a1b2c3d4"
    other = vk_event("confirmation", group_id=100777)  # another community's handshake
    assert desk.client().post(VK_PATH.format(ids["vk"]), json=other).status_code == 403


@pytest.mark.parametrize("secret", ["wrong", None, "zerno-callback-5ecreT", "секрет"])
def test_vk_wrong_secret_is_403_and_stores_nothing(pushed, secret) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    body = vk_event("wall_reply_new", secret=secret)
    response = desk.client().post(VK_PATH.format(ids["vk"]), json=body)
    assert response.status_code == 403 and "secret" in response.json()["detail"]
    assert getattr(desk.app.state.push, "_queue", None) is None  # nothing was even queued
    assert count(desk, Mention) == 0


def test_vk_comment_opens_a_case_and_alerts(pushed, httpserver: HTTPServer) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    client = desk.client()
    response = client.post(VK_PATH.format(ids["vk"]), json=vk_event("wall_reply_new"))
    assert response.status_code == 200 and response.text == "ok"
    drain(desk)
    comment = stored(desk)["-100500_1201_c9101"]
    assert comment.text == "Зерно, опять холодный латте! Третий раз за неделю 😡\nВерните деньги."
    assert comment.thread_external_id == comment.parent_external_id == "-100500_1201"
    assert comment.source_id == ids["vk"]
    assert count(desk, Case) == 1
    (alert,) = [json.loads(r.data)["text"] for r, _ in httpserver.log if r.path == "/alerts"]
    assert "холодный латте" in alert

    client.post(VK_PATH.format(ids["vk"]), json=vk_event("wall_reply_new_answer"))
    drain(desk)
    answer = stored(desk)["-100500_1201_c9102"]
    assert answer.parent_external_id == "-100500_1201_c9101"
    assert answer.thread_external_id == "-100500_1201"


def test_vk_post_and_private_message(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    client = desk.client()
    for name in ("wall_post_new", "message_new", "group_join"):
        assert client.post(VK_PATH.format(ids["vk"]), json=vk_event(name)).text == "ok"
    drain(desk)
    by_id = stored(desk)
    assert set(by_id) == {"-100500_1210", "gim100500_48230"}
    assert by_id["-100500_1210"].text.startswith("Предлагаю новость")
    message = by_id["gim100500_48230"]
    assert message.parent_external_id == "48213"  # our messages.send id: the case's thread
    assert message.thread_external_id == "gim100500?sel=311001"
    with desk.store.sessions() as s:
        place = s.get(Mention, message.id).place  # type: ignore[union-attr]
        assert place.kind == "private"


def test_vk_comment_removed_at_source_is_marked_never_deleted(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    client = desk.client()
    client.post(VK_PATH.format(ids["vk"]), json=vk_event("wall_reply_new"))
    drain(desk)
    client.post(VK_PATH.format(ids["vk"]), json=vk_event("wall_reply_delete"))
    drain(desk)
    comment = stored(desk)["-100500_1201_c9101"]  # still there, with its text
    assert comment.removed_at_source is not None and comment.text.startswith("Зерно")
    assert count(desk, AuditEvent, AuditEvent.action == "mention.removed_at_source") == 1
    with desk.store.sessions() as s:
        case = s.scalars(select(Case)).one()
        assert case.removed_at_source is not None  # the case shows it

    client.post(VK_PATH.format(ids["vk"]), json=vk_event("wall_reply_restore"))
    drain(desk)
    assert stored(desk)["-100500_1201_c9101"].removed_at_source is None
    assert count(desk, AuditEvent, AuditEvent.action == "mention.restored_at_source") == 1


def test_duplicate_event_ids_are_taken_once(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    client = desk.client()
    for _ in range(3):  # VK retries an event it got no `ok` for in time
        assert client.post(VK_PATH.format(ids["vk"]), json=vk_event("wall_reply_new")).text == "ok"
        assert client.post(VK_PATH.format(ids["vk"]),
                           json=vk_event("wall_reply_delete")).text == "ok"
    drain(desk)
    assert count(desk, Mention) == 1 and count(desk, Case) == 1
    assert count(desk, AuditEvent, AuditEvent.action == "mention.removed_at_source") == 1
    # the same comment under a new event id (another process took the first): still one mention
    client.post(VK_PATH.format(ids["vk"]), json=vk_event("wall_reply_new", event_id="fresh"))
    drain(desk)
    assert count(desk, Mention) == 1 and count(desk, Case) == 1


def test_a_burst_is_stored_whole(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    client = desk.client()
    base = vk_event("wall_reply_new")
    for n in range(300):
        obj = {**base["object"], "id": 20_000 + n, "from_id": 320_000 + n,
               "text": f"Жалоба {n}: кофе остыл"}
        response = client.post(VK_PATH.format(ids["vk"]),
                               json={**base, "event_id": f"burst-{n}", "object": obj})
        assert response.text == "ok"
    drain(desk)
    assert count(desk, Mention) == 300 and count(desk, Case) == 300


@pytest.mark.parametrize(("body", "status"), [
    (b"{not json", 400), (b'{"type": "wall_reply_new"}', 400),
    (b'{"type": "wall_reply_new", "group_id": 100500, "object": {"id": "x"}}', 400),
    (b'[1, 2]', 400), (b'{"type": "' + b"x" * 1_000_001 + b'"}', 413),
])
def test_vk_bad_bodies_are_clear_errors(pushed, body: bytes, status: int) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    response = desk.client().post(VK_PATH.format(ids["vk"]), content=body,
                                  headers={"content-type": "application/json"})
    assert response.status_code == status and response.json()["detail"]


def test_unknown_or_wrong_network_source_is_404(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    client = desk.client()
    assert client.post(VK_PATH.format(999), json=vk_event("wall_reply_new")).status_code == 404
    assert client.post(VK_PATH.format(ids["telegram"]),
                       json=vk_event("wall_reply_new")).status_code == 404


def tg_post(desk: Desk, source_id: int, name: str, secret: str | None = TG_SECRET) -> Any:
    headers = ({"X-Telegram-Bot-Api-Secret-Token": secret.encode("utf-8")}
               if secret is not None else {})
    return desk.client().post(TG_PATH.format(source_id), headers=headers,
                              json=fixture_json("telegram", f"webhook__{name}.json"))


def test_telegram_messages_and_discussion_comments(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    for name in ("channel_post", "discussion_comment", "discussion_reply", "private_message",
                 "my_chat_member"):
        assert tg_post(desk, ids["telegram"], name).status_code == 200
        drain(desk)  # one by one, as Telegram sends them
    by_id = stored(desk)
    post, comment = by_id["-1001500000001_320"], by_id["-1001500000002_5602"]
    reply, private = by_id["-1001500000002_5603"], by_id["400001_14"]
    assert len(by_id) == 4 and post.text.startswith("С понедельника")
    assert comment.parent_external_id == comment.thread_external_id == post.external_id
    assert reply.parent_external_id == comment.external_id
    assert reply.thread_external_id == post.external_id  # found through its stored parent
    assert private.parent_external_id is None and "дважды" in private.text


@pytest.mark.parametrize("secret", [None, "wrong", TG_SECRET + "x", "ёж"])
def test_telegram_wrong_secret_token_is_403(pushed, secret) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    assert tg_post(desk, ids["telegram"], "private_message", secret).status_code == 403
    assert count(desk, Mention) == 0


def test_telegram_duplicate_update_and_bad_body(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    for _ in range(3):
        assert tg_post(desk, ids["telegram"], "private_message").status_code == 200
    drain(desk)
    assert count(desk, Mention) == 1
    client = desk.client()
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    bad = client.post(TG_PATH.format(ids["telegram"]), headers=headers, json={"message": {}})
    assert bad.status_code == 400 and "update_id" in bad.json()["detail"]


def test_distributed_mode_queues_the_ingest_task(pushed) -> None:  # type: ignore[no-untyped-def]
    desk, ids = pushed
    queue_db = redis.Redis(host="127.0.0.1", port=6379, db=13)
    queue_db.flushdb()
    settings = desk.app.state.settings.model_copy(
        update={"broker_url": "redis://127.0.0.1:6379/13"})
    desk.app = create_app(settings, engine=desk.store.engine)
    marker = f"queued-{uuid.uuid4().hex[:8]}"
    event = vk_event("wall_reply_new")
    event["object"] = {**event["object"], "text": marker}
    try:
        assert desk.client().post(VK_PATH.format(ids["vk"]), json=event).text == "ok"
        (raw,) = queue_db.lrange("otklik", 0, -1)
        message = json.loads(raw)
        assert message["headers"]["task"] == "otklik.ingest_batch"
        assert marker in json.dumps(message, ensure_ascii=False)
    finally:
        queue_db.flushdb()
    assert count(desk, Mention) == 0  # a worker stores it, not the web process
