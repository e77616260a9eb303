"""The desk's periodic step: SLA breach and removed comment alerted once, grouped, via a webhook."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pytest_httpserver import HTTPServer
from sqlalchemy import update

from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.desk_tick import desk_tick
from otklik.db.models import AlertChannel, Mention
from tests.actions.test_cases import NEG, T0, brand_with_channel, feed, post


def test_tick_alerts_once_and_groups(store: Any, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/hook").respond_with_data("ok")
    with store.sessions() as s:
        brand = brand_with_channel(s, sla_minutes=30)
        s.add(AlertChannel(brand_id=brand.id, kind="webhook",
                           config={"url": httpserver.url_for("/hook")}))
        s.commit()
        out = feed(s, brand, [post("-1_20", "u1", "Кофе холодный")], {"-1_20": NEG})
        s.execute(update(Mention).values(removed_at_source=T0 + timedelta(minutes=40)))
        s.commit()
        dispatcher = AlertDispatcher(window_seconds=60)
        now = T0 + timedelta(minutes=45)
        first = desk_tick(s, source_factory=None, dispatcher=dispatcher, now=now,
                          extra_events=out.alerts)
        assert sorted(e.kind for e in first.alerts) == ["new_case", "removed_at_source",
                                                        "sla_breach"]
        assert first.delivery is not None and [n for _, n in first.delivery.sent] == [3]
        again = desk_tick(s, source_factory=None, dispatcher=dispatcher,
                          now=now + timedelta(minutes=5))
        assert again.alerts == [] and again.follow_ups == [] and again.closed_silent == []
        [(request, _)] = httpserver.log
        text = request.get_json()["text"]
        assert text.startswith("[otklik] Зерно: 3 alerts")
        assert "SLA breached #" in text and "Comment removed at the source #" in text
