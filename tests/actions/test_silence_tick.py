"""The silence detector and the publishing tick, alerts through the real dispatcher (webhook)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from otklik.actions import announcements as ann_actions
from otklik.actions import refutations as ref_actions
from otklik.actions.alert_dispatch import AlertDispatcher
from otklik.actions.publish_tick import publish_tick
from otklik.actions.silence import check_silence
from otklik.db.models import AlertChannel, Attack, Spike
from tests.network_desk import FakeNetworks, make_desk

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def hooks(net: FakeNetworks) -> list[dict[str, Any]]:
    return [json.loads(r.get_data(as_text=True)) for r, _ in net.server.log
            if r.path == "/hook"]


def test_silence_alerts_once_per_unanswered_spike_or_attack(store: Any,
                                                            net: FakeNetworks) -> None:
    with store.sessions() as s:
        desk = make_desk(s, net.server, response_limit_minutes=60)
        spike = Spike(brand_id=desk.brand.id, series="negative", start=T0, peak=T0, volume=40)
        answered = Spike(brand_id=desk.brand.id, series="all", start=T0, peak=T0, volume=90,
                         responded_at=T0 + timedelta(minutes=20))
        attack = Attack(brand_id=desk.brand.id, key="a1", start=T0 + timedelta(minutes=30),
                        end=T0 + timedelta(minutes=70), score=0.6, summary="25 accounts, one hoax")
        old = Spike(brand_id=desk.brand.id, start=T0 - timedelta(days=30),
                    peak=T0 - timedelta(days=30), volume=5)
        s.add_all([spike, answered, attack, old])
        s.commit()
        assert check_silence(s, T0 + timedelta(minutes=59)) == []
        first = check_silence(s, T0 + timedelta(minutes=61))
        assert [(e.kind, e.data) for e in first] == [("silence", {"spike_id": spike.id})]
        assert "no response for 61 min (limit 60)" in first[0].summary
        s.commit()
        later = check_silence(s, T0 + timedelta(minutes=95))
        assert [e.data for e in later] == [{"attack_id": attack.id}]  # the spike only once
        s.commit()
        assert check_silence(s, T0 + timedelta(hours=5)) == []
        # a response before the limit keeps it quiet
        quiet = Attack(brand_id=desk.brand.id, key="a2", start=T0 + timedelta(hours=5),
                       end=T0 + timedelta(hours=6), score=0.5)
        s.add(quiet)
        s.flush()
        ref_actions.mark_responded(s, actor="anna", attack_id=quiet.id,
                                   at=T0 + timedelta(hours=5, minutes=10))
        s.commit()
        assert check_silence(s, T0 + timedelta(hours=7)) == []


def test_tick_publishes_due_and_sends_silence_alert_through_dispatcher(
        sqlite_store: Any, net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server, response_limit_minutes=30)
        s.add(AlertChannel(brand_id=desk.brand.id, kind="webhook",
                           config={"url": net.server.url_for("/hook")}, events=["silence"]))
        net.server.expect_request("/hook").respond_with_data("ok")
        ann = ann_actions.add_announcement(
            s, desk.brand.id, "Нет воды в кофейне на Тверской", publish_at=T0,
            event_start=T0 + timedelta(hours=4), channel_ids=[desk.vk.id], actor="anna")
        s.add(Spike(brand_id=desk.brand.id, series="negative", start=T0, peak=T0, volume=12))
        s.commit()
        dispatcher = AlertDispatcher(window_seconds=60)
        out = publish_tick(s, T0 + timedelta(minutes=40), desk.factory(s), dispatcher)
        assert out.announcements.published == [ann.id]
        assert [e.kind for e in out.alerts] == ["silence"]
        assert out.delivery is not None and len(out.delivery.sent) == 1
        sent = hooks(net)
        assert len(sent) == 1 and "No brand response yet" in json.dumps(sent[0],
                                                                       ensure_ascii=False)
        assert [p for p in net.paths() if p != "hook"] == ["wall.post"]
        again = publish_tick(s, T0 + timedelta(minutes=45), desk.factory(s), dispatcher)
        assert again.alerts == [] and again.announcements.actions == []
        assert len(hooks(net)) == 1 and len(net.calls("wall.post")) == 1
