"""Scheduled reports: due on Monday 09:00 / the 1st / an incident's close, e-mailed once with the
PDF attached through the brand's e-mail alert channel (a real local SMTP server), even when two
schedulers tick at the same minute; on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.policy import default as default_policy
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from otklik.actions.report_delivery import deliver_due
from otklik.db.engine import make_engine, make_sessionmaker
from otklik.db.models import AlertChannel, AlertOutbox, Incident
from otklik.reports.delivery import scheduled
from tests.reports.conftest import brand_with_mentions

MSK = ZoneInfo("Europe/Moscow")
MONDAY = datetime(2026, 11, 30, 9, 1, tzinfo=MSK)  # a Monday, just after 09:00 in Moscow


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
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


def test_the_schedule_in_the_brands_zone() -> None:
    weekly = scheduled(["weekly"], MSK, MONDAY.astimezone(UTC))
    assert [(k, key) for k, key, _ in weekly] == [("weekly", "weekly:2026-11-30")]
    window = weekly[0][2]
    assert window.since == datetime(2026, 11, 23, tzinfo=MSK)
    assert window.until == datetime(2026, 11, 30, tzinfo=MSK)
    assert scheduled(["weekly"], MSK, MONDAY - timedelta(minutes=2)) == []  # 08:59: not yet
    assert scheduled(["weekly"], MSK, MONDAY + timedelta(days=1)) == []  # a day late: stale
    monthly = scheduled(["monthly"], MSK, datetime(2026, 12, 1, 9, 30, tzinfo=MSK))
    assert monthly[0][1] == "monthly:2026-12-01"
    assert monthly[0][2].since == datetime(2026, 11, 1, tzinfo=MSK)
    assert monthly[0][2].until == datetime(2026, 12, 1, tzinfo=MSK)


def _brand_with_mentions(store: Any, port: int, reports: list[str]) -> int:
    brand_id = brand_with_mentions(store)
    with store.sessions() as s:
        s.add(AlertChannel(brand_id=brand_id, kind="email", config={
            "host": "127.0.0.1", "port": port, "sender": "otklik@example.org",
            "to": ["boss@example.org"], "reports": reports}))
        s.commit()
    return brand_id


def test_delivered_once_when_two_schedulers_tick_together(store: Any,
                                                          smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    _brand_with_mentions(store, port, ["weekly"])
    now = MONDAY.astimezone(UTC)
    engines = [make_engine(store.url) for _ in range(2)]
    results: list[Any] = []
    start = threading.Barrier(2)

    def tick(engine: Any) -> None:
        start.wait()
        results.append(deliver_due(make_sessionmaker(engine), now))

    threads = [threading.Thread(target=tick, args=(e,)) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for e in engines:
        e.dispose()
    assert sorted(len(r) for r in results) == [0, 1]
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert "Зерно" in message["Subject"] and "Недельный отчёт" in message["Subject"]
    files = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(files) == 1 and files[0].get_content().startswith(b"%PDF")
    deliver_due(store.sessions, now + timedelta(minutes=1))  # the next tick: already sent
    assert len(inbox.messages) == 1
    with store.sessions() as s:
        rows = list(s.scalars(select(AlertOutbox).where(AlertOutbox.kind == "report")))
    assert [(r.state, r.event["key"]) for r in rows] == [("sent", "weekly:2026-11-30:1")]


def test_a_failed_send_is_tried_again_later_and_an_incident_gets_its_report(
        store: Any, smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    brand_id = _brand_with_mentions(store, port, ["incident"])
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    with store.sessions() as s:
        s.add(Incident(brand_id=brand_id, title="Сбой оплаты", status="resolved",
                       started_at=now - timedelta(hours=6), resolved_at=now - timedelta(hours=2)))
        s.commit()

    def refuse(*_: Any) -> None:
        raise ConnectionRefusedError("smtp down")

    failed = deliver_due(store.sessions, now, send=refuse)
    assert [d.state for d in failed] == ["failed"] and not inbox.messages
    assert deliver_due(store.sessions, now + timedelta(minutes=1)) == []  # not every minute
    sent = deliver_due(store.sessions, now + timedelta(minutes=16))
    assert [d.state for d in sent] == ["sent"] and len(inbox.messages) == 1
    assert "Сбой оплаты" in inbox.messages[0]["Subject"]
    assert deliver_due(store.sessions, now + timedelta(minutes=17)) == []


def test_the_periodic_task_and_the_command(sqlite_store: Any, smtp: tuple[Inbox, int],
                                           tmp_path: Any) -> None:
    from otklik.runtime.process import Runtime
    from otklik.runtime.tasks import PERIODIC, report_tick
    from otklik.settings import Settings

    inbox, port = smtp
    _brand_with_mentions(sqlite_store, port, ["weekly", "monthly"])
    assert "report_tick" in PERIODIC
    rt = Runtime(settings=Settings(database_url=sqlite_store.url), engine=sqlite_store.engine,
                 sessions=sqlite_store.sessions)
    assert report_tick(rt, MONDAY.astimezone(UTC)) == {"reports": ["sent"]}
    done = subprocess.run(
        [sys.executable, "-m", "otklik.cli", "reports", "deliver",
         "--now", "2026-12-01T06:30:00+00:00"],
        env={**os.environ, "OTKLIK_DATABASE_URL": sqlite_store.url},
        capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "monthly:2026-12-01:1 → channel 1: sent" in done.stdout
    assert len(inbox.messages) == 2 and "Месячный отчёт" in inbox.messages[1]["Subject"]
