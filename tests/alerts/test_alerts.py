"""Alerts through a real local SMTP server (aiosmtpd) and a real local HTTP server."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from pytest_httpserver import HTTPServer
from sqlalchemy.orm import Session

from otklik.actions.alert_dispatch import AlertDispatcher, format_message
from otklik.alerts.events import AlertEvent
from otklik.alerts.notifiers import NotifyError, build_notifier
from otklik.db.models import AlertChannel, Brand

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def event(kind: str = "new_case", brand_id: int = 1, case_id: int = 1, priority: float = 0.9,
          summary: str = "Ольга (vk): кофе холодный") -> AlertEvent:
    return AlertEvent(kind, brand_id, case_id, summary, priority=priority,
                      url=f"https://vk.com/wall-1_{case_id}", at=NOW)


def brands(session: Session) -> tuple[Brand, Brand]:
    a, b = Brand(slug="zerno", name="Зерно"), Brand(slug="bank", name="Банк")
    session.add_all([a, b])
    session.commit()
    return a, b


def test_telegram_send_message(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request(
        "/bot123:ABC/sendMessage", method="POST",
        json={"chat_id": "-1001", "text": "[otklik] Зерно: New case\nNew case #1: x",
              "disable_web_page_preview": True},
    ).respond_with_json({"ok": True, "result": {"message_id": 5}})
    notifier = build_notifier("telegram", {"token": "123:ABC", "chat_id": "-1001",
                                           "base_url": httpserver.url_for("/")})
    notifier.send("[otklik] Зерно: New case", "New case #1: x")
    httpserver.check_assertions()
    assert "123:ABC" not in repr(notifier)


def test_telegram_refusal_is_an_error(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/bot123:ABC/sendMessage").respond_with_json(
        {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"},
        status=403)
    notifier = build_notifier("telegram", {"token": "123:ABC", "chat_id": "1",
                                           "base_url": httpserver.url_for("/")})
    with pytest.raises(NotifyError, match="blocked"):
        notifier.send("s", "t")


def test_webhook_is_slack_compatible(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/hook", method="POST", json={"text": "subj\nbody"}
                                      ).respond_with_data("ok")
    build_notifier("webhook", {"url": httpserver.url_for("/hook")}).send("subj", "body")
    httpserver.check_assertions()


def test_email_through_a_local_smtp_server(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    build_notifier("email", {"host": "127.0.0.1", "port": port, "sender": "desk@zerno.example",
                             "to": ["duty@zerno.example", "lead@zerno.example"]}
                   ).send("[otklik] Зерно: SLA breached", "SLA breached #7: Ольга ждёт ответа")
    [message] = inbox.messages
    assert message["Subject"] == "[otklik] Зерно: SLA breached"
    assert inbox.envelopes[0].rcpt_tos == ["duty@zerno.example", "lead@zerno.example"]
    assert message.get_content().strip() == "SLA breached #7: Ольга ждёт ответа"


@pytest.mark.parametrize("kind,config,message", [
    ("telegram", {"chat_id": "1"}, "'token'"),
    ("email", {"host": "h", "sender": "s"}, "'to'"),
    ("webhook", {}, "'url'"),
    ("pager", {}, "unknown alert channel kind"),
])
def test_bad_config_is_a_clear_error(kind: str, config: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_notifier(kind, config)


def test_throttle_groups_a_storm_into_one_message_a_minute(
        sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    with sqlite_store.sessions() as s:
        zerno, _ = brands(s)
        s.add(AlertChannel(brand_id=zerno.id, kind="webhook",
                           config={"url": httpserver.url_for("/hook")}))
        s.commit()
        dispatcher = AlertDispatcher(window_seconds=60)
        first = dispatcher.submit(s, [event(case_id=1, brand_id=zerno.id)], NOW)
        assert [n for _, n in first.sent] == [1]  # the first one goes at once
        storm = [event(case_id=i, brand_id=zerno.id) for i in range(2, 42)]
        for i, e in enumerate(storm):  # 40 cases within the same minute
            dispatcher.submit(s, [e], NOW + timedelta(seconds=i))
        assert len(httpserver.log) == 1 and dispatcher.held(s) == 40
        assert dispatcher.flush(s, NOW + timedelta(seconds=59)).sent == []
        grouped = dispatcher.flush(s, NOW + timedelta(seconds=61))
        assert [n for _, n in grouped.sent] == [40]
        assert len(httpserver.log) == 2
        text = httpserver.log[1][0].get_json()["text"]
        assert text.startswith("[otklik] Зерно: 40 alerts\n• New case #2:")
        assert "… and 15 more" in text
        assert dispatcher.held(s) == 0


def test_routing_per_brand_kind_and_priority(sqlite_store: Any, httpserver: HTTPServer) -> None:
    for path in ("/zerno", "/all", "/sla"):
        httpserver.expect_request(path).respond_with_data("ok")
    with sqlite_store.sessions() as s:
        zerno, bank = brands(s)
        s.add_all([
            AlertChannel(brand_id=zerno.id, kind="webhook", config={
                "url": httpserver.url_for("/zerno"), "min_priority": 0.7}),
            AlertChannel(brand_id=None, kind="webhook", config={"url": httpserver.url_for("/all")}),
            AlertChannel(brand_id=bank.id, kind="webhook", events=["sla_breach"],
                         config={"url": httpserver.url_for("/sla")}),
            AlertChannel(brand_id=bank.id, kind="webhook", enabled=False,
                         config={"url": httpserver.url_for("/off")}),
        ])
        s.commit()
        d = AlertDispatcher()
        d.submit(s, [event(brand_id=zerno.id, priority=0.5), event(brand_id=bank.id),
                     event("sla_breach", brand_id=bank.id, case_id=9)], NOW)
        got = {req.path: req.get_json()["text"] for req, _ in httpserver.log}
        assert set(got) == {"/all", "/sla"}  # the low-priority case stays off /zerno
        assert got["/sla"] == ("[otklik] Банк: SLA breached\n"
                               "SLA breached #9: Ольга (vk): кофе холодный https://vk.com/wall-1_9")
        assert got["/all"].startswith("[otklik] Банк, Зерно: 3 alerts")


def test_failing_channel_keeps_its_alerts_and_retries(sqlite_store: Any,
                                                      httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/hook").respond_with_data("down", status=503)
    with sqlite_store.sessions() as s:
        zerno, _ = brands(s)
        s.add(AlertChannel(brand_id=zerno.id, kind="webhook",
                           config={"url": httpserver.url_for("/hook")}))
        s.commit()
        d = AlertDispatcher()
        report = d.submit(s, [event("removed_at_source", brand_id=zerno.id)], NOW)
        assert report.failed and "503" in report.failed[0][1] and d.held(s) == 1
        httpserver.expect_oneshot_request("/hook").respond_with_data("ok")
        assert d.flush(s, NOW + timedelta(seconds=10)).sent == []  # waits before retrying
        assert [n for _, n in d.flush(s, NOW + timedelta(seconds=61)).sent] == [1]
        assert "Comment removed at the source #1" in httpserver.log[-1][0].get_json()["text"]


def test_format_single_and_unknown_kind() -> None:
    subject, text = format_message([event()], {1: "Зерно"})
    assert subject == "[otklik] Зерно: New case"
    assert text == "New case #1: Ольга (vk): кофе холодный https://vk.com/wall-1_1"
    with pytest.raises(ValueError, match="unknown alert kind"):
        event("tweet")


def test_force_flush_before_exit(sqlite_store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    with sqlite_store.sessions() as s:
        zerno, _ = brands(s)
        s.add(AlertChannel(brand_id=zerno.id, kind="webhook", last_sent_at=NOW,
                           config={"url": httpserver.url_for("/hook")}))
        s.commit()
        d = AlertDispatcher()
        assert d.submit(s, [event(brand_id=zerno.id)], NOW + timedelta(seconds=5)).held == 1
        assert [n for _, n in d.flush(s, NOW + timedelta(seconds=6), force=True).sent] == [1]
        assert d.held(s) == 0 and len(httpserver.log) == 1


def test_held_alerts_survive_a_restart_and_are_kept_once_sent(store: Any,
                                                             httpserver: HTTPServer) -> None:
    """A process that dies with alerts in its window loses none: the next one sends them."""
    from sqlalchemy import select

    from otklik.db.models import AlertOutbox

    httpserver.expect_request("/hook").respond_with_data("ok")
    with store.sessions() as s:
        zerno, _ = brands(s)
        s.add(AlertChannel(brand_id=zerno.id, kind="webhook",
                           config={"url": httpserver.url_for("/hook")}))
        s.commit()
        first = AlertDispatcher()
        first.submit(s, [event(case_id=1, brand_id=zerno.id)], NOW)
        first.submit(s, [event(case_id=2, brand_id=zerno.id),
                         event(case_id=3, brand_id=zerno.id)], NOW + timedelta(seconds=5))
        assert len(httpserver.log) == 1
    del first  # the process ends; its window held two alerts
    with store.sessions() as s:
        restarted = AlertDispatcher()
        assert restarted.held(s) == 2
        assert restarted.flush(s, NOW + timedelta(seconds=30)).held == 2  # still in the window
        assert [n for _, n in restarted.flush(s, NOW + timedelta(seconds=61)).sent] == [2]
        assert "New case #2" in httpserver.log[-1][0].get_json()["text"]
        assert restarted.flush(s, NOW + timedelta(seconds=200)).sent == []  # never twice
        rows = s.execute(select(AlertOutbox.state, AlertOutbox.sent_at)
                         .order_by(AlertOutbox.id)).all()
        assert [state for state, _ in rows] == ["sent"] * 3  # the record of who was told
        assert rows[-1].sent_at == NOW + timedelta(seconds=61)
