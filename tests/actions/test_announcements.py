"""Announcements: published at their time on VK and Telegram, exactly once across a crash."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import announcements as ann_actions
from otklik.actions.send import SourceFactory, mark_sent
from otklik.db.models import Action, Announcement, Channel
from otklik.flow.pipeline import ingest
from otklik.sources.base import Source, Target
from tests.factories import make_post
from tests.network_desk import FakeNetworks, make_desk, negative_enricher

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


class Crash(BaseException):
    """The process dies: not an Exception, so nothing on the way records anything."""


def crashing(factory: SourceFactory, network: str, *, after_send: bool) -> SourceFactory:
    """A factory whose `network` connector dies around its first post (after or before the
    request reached the network)."""

    def build(channel: Channel) -> Source:
        source = factory(channel)
        if channel.network != network:
            return source
        real = source.post

        async def post(target: Target, text: str, *, idempotency_key: str = "") -> str:
            if after_send:
                await real(target, text, idempotency_key=idempotency_key)
            raise Crash

        source.post = post  # type: ignore[method-assign]
        return source

    return build


def schedule(session: Session, desk: Any, **extra: Any) -> Announcement:
    ann = ann_actions.add_announcement(
        session, desk.brand.id, "Профилактика: оплата картой недоступна",
        publish_at=T0, remind_at=T0 + timedelta(hours=20), event_start=T0 + timedelta(days=1),
        event_end=T0 + timedelta(days=1, hours=3), channel_ids=[desk.vk.id, desk.tg.id],
        actor="anna", texts_by_channel={str(desk.tg.id): "⚠️ {{ brand }}: {{ title }}, "
                                                         "{{ event_start }}–{{ event_end }}."},
        **extra)
    session.commit()
    return ann


def test_due_announcement_published_once_per_channel_with_reminder(store: Any,
                                                                   net: FakeNetworks) -> None:
    with store.sessions() as s:
        desk = make_desk(s, net.server)
        ann = schedule(s, desk)
        early = ann_actions.publish_due_announcements(s, T0 - timedelta(minutes=1),
                                                      desk.factory(s))
        assert early.actions == [] and net.paths() == []
        report = ann_actions.publish_due_announcements(s, T0 + timedelta(minutes=1),
                                                       desk.factory(s))
        assert report.published == [ann.id] and report.needs_review == []
        assert net.paths() == ["wall.post", "sendMessage"]
        vk_post = net.calls("wall.post")[0]
        assert vk_post["owner_id"] == "-100500" and "Профилактика" in vk_post["message"]
        assert "group-secret" not in vk_post["message"]
        tg_post = net.calls("sendMessage")[0]
        assert tg_post["chat_id"] == "@zerno_coffee"
        assert tg_post["text"] == ("⚠️ Зерно: Профилактика: оплата картой недоступна, "
                                   "2 декабря, 09:00 (мск)–2 декабря, 12:00 (мск).")
        actions = s.scalars(select(Action).where(Action.announcement_id == ann.id)
                            .order_by(Action.id)).all()
        assert [(a.status, a.external_id) for a in actions] == [
            ("sent", "-100500_1203"), ("sent", "-1001500000001_315")]
        # the next ticks before the reminder send nothing
        ann_actions.publish_due_announcements(s, T0 + timedelta(hours=1), desk.factory(s))
        assert len(net.paths()) == 2
        reminded = ann_actions.publish_due_announcements(s, T0 + timedelta(hours=21),
                                                         desk.factory(s))
        assert reminded.reminded == [ann.id]
        assert net.paths()[2:] == ["wall.post", "sendMessage"]
        assert net.calls("wall.post")[1]["message"].startswith("Напоминаем: Профилактика")
        ann_actions.publish_due_announcements(s, T0 + timedelta(hours=22), desk.factory(s))
        assert len(net.paths()) == 4
        s.refresh(ann)
        assert ann.status == "reminded"


@pytest.mark.parametrize("network", ["vk", "telegram"])
def test_crash_after_the_network_accepted_is_not_sent_again(sqlite_store: Any, net: FakeNetworks,
                                                           network: str) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server)
        ann_id = schedule(s, desk).id
        with pytest.raises(Crash):
            ann_actions.publish_due_announcements(
                s, T0 + timedelta(minutes=1),
                crashing(desk.factory(s), network, after_send=True))
        s.rollback()  # the process is gone; what it did not commit is lost
    first = ["wall.post"] if network == "vk" else ["wall.post", "sendMessage"]
    assert net.paths() == first
    with sqlite_store.sessions() as s:  # a new process, the next tick
        left = s.scalars(select(Action).where(Action.network == network)).one()
        assert left.status == "sending" and left.external_id is None
        report = ann_actions.publish_due_announcements(s, T0 + timedelta(minutes=2),
                                                       desk_factory(s, desk))
        assert report.published == [ann_id] and report.needs_review == []
        if network == "vk":  # checked on the wall, found; then Telegram, sent normally
            assert net.paths() == ["wall.post", "wall.get", "sendMessage"]
        else:  # VK was done; Telegram checked on the public channel preview, found
            assert net.paths() == ["wall.post", "sendMessage", "/s/zerno_coffee"]
        s.refresh(left)
        assert left.status == "sent" and left.attempts == 1
        assert left.external_id == ("-100500_1203" if network == "vk" else "@zerno_coffee_315")
        ann_actions.publish_due_announcements(s, T0 + timedelta(minutes=3), desk_factory(s, desk))
        assert len(net.paths()) == 3
        assert len(net.calls("wall.post")) == 1 and len(net.calls("sendMessage")) == 1


def test_crash_before_the_request_left_is_sent_once_with_the_same_key(
        sqlite_store: Any, net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server)
        schedule(s, desk)
        with pytest.raises(Crash):
            ann_actions.publish_due_announcements(
                s, T0 + timedelta(minutes=1), crashing(desk.factory(s), "vk", after_send=False))
        s.rollback()
    assert net.paths() == []
    with sqlite_store.sessions() as s:
        ann_actions.publish_due_announcements(s, T0 + timedelta(minutes=2), desk_factory(s, desk))
        assert net.paths() == ["wall.get", "wall.post", "sendMessage"]
        vk = s.scalars(select(Action).where(Action.network == "vk")).one()
        assert (vk.status, vk.attempts, vk.external_id) == ("sent", 2, "-100500_1203")


def test_an_unreadable_channel_stays_for_a_person(sqlite_store: Any, net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server)
        desk.tg.external_id = "-1001500000001"  # a numeric chat: no public preview to read
        s.commit()
        schedule(s, desk)
        with pytest.raises(Crash):
            ann_actions.publish_due_announcements(
                s, T0 + timedelta(minutes=1),
                crashing(desk.factory(s), "telegram", after_send=True))
        s.rollback()
    with sqlite_store.sessions() as s:
        report = ann_actions.publish_due_announcements(s, T0 + timedelta(minutes=2),
                                                       desk_factory(s, desk))
        assert report.published == [] and len(report.needs_review) == 1
        tg = s.get(Action, report.needs_review[0])
        assert tg is not None and tg.status == "needs_review"
        assert "public username" in (tg.last_error or "")
        assert len(net.calls("sendMessage")) == 1
        ann = s.scalars(select(Announcement)).one()
        assert ann.status == "needs_review"
        # a person found it in the channel and records its id: the next tick completes it
        mark_sent(s, tg.id, "-1001500000001_315", actor="anna")
        s.commit()
        done = ann_actions.publish_due_announcements(s, T0 + timedelta(minutes=3),
                                                     desk_factory(s, desk))
        assert done.published == [ann.id] and len(net.calls("sendMessage")) == 1


def desk_factory(session: Session, desk: Any) -> SourceFactory:
    return desk.factory(session)


def test_bad_schedules_and_templates_are_refused(sqlite_store: Any, net: FakeNetworks) -> None:
    with sqlite_store.sessions() as s:
        desk = make_desk(s, net.server)
        with pytest.raises(ValueError, match="до начала события"):
            ann_actions.add_announcement(s, desk.brand.id, "x", publish_at=T0,
                                         event_start=T0, channel_ids=[desk.vk.id], actor="a")
        with pytest.raises(ValueError, match="после предупреждения"):
            ann_actions.add_announcement(s, desk.brand.id, "x", publish_at=T0,
                                         remind_at=T0, channel_ids=[desk.vk.id], actor="a")
        with pytest.raises(ValueError, match="template error"):
            ann_actions.add_announcement(s, desk.brand.id, "x", publish_at=T0,
                                         channel_ids=[desk.vk.id], actor="a",
                                         texts_by_channel={str(desk.vk.id): "{{ brnd }}"})
        with pytest.raises(ValueError, match="sandbox"):
            ann_actions.add_announcement(
                s, desk.brand.id, "x", publish_at=T0, channel_ids=[desk.vk.id], actor="a",
                texts_by_channel={str(desk.vk.id): "{{ brand.__class__.__mro__ }}"})


def test_impact_compares_with_past_events_without_a_warning(store: Any,
                                                            net: FakeNetworks) -> None:
    with store.sessions() as s:
        desk = make_desk(s, net.server)
        base = datetime(2026, 10, 1, tzinfo=UTC)
        posts, negative = [], []

        def complaints(start: datetime, n: int) -> None:
            for i in range(n):
                p = make_post(created_at=start + timedelta(minutes=10 * i),
                              text=f"Не работает оплата картой, жалоба {len(posts)}")
                posts.append(p)
                negative.append(p.external_id)

        for day in range(60):  # one complaint a day as the background
            complaints(base + timedelta(days=day, hours=12), 1)
        past = base + timedelta(days=20)
        complaints(past, 30)  # last maintenance, unannounced: 30 complaints
        warned = base + timedelta(days=50)
        complaints(warned, 6)  # this one, announced: 6
        ingest(s, posts, enrichers=[negative_enricher(desk.brand.id, negative)])
        ann_actions.record_past_event(s, desk.brand.id, "Профилактика", kind="maintenance",
                                      event_start=past, event_end=past + timedelta(hours=3),
                                      actor="anna")
        ann = ann_actions.add_announcement(
            s, desk.brand.id, "Профилактика", publish_at=warned - timedelta(days=1),
            event_start=warned, event_end=warned + timedelta(hours=3), channel_ids=[desk.vk.id],
            actor="anna")
        s.commit()
        impact = ann_actions.announcement_impact(s, ann.id, pad=timedelta(hours=6),
                                                 baseline=timedelta(days=14))
        # window 15 h; baseline 14 complaints in 14 days = 1/24 per hour → expected 0.625
        assert impact.warned.hours == 15
        assert (impact.warned.negative, len(impact.unwarned)) == (6, 1)
        assert impact.unwarned[0].negative == 30
        assert impact.warned.excess == pytest.approx(7 / 1.625)
        assert impact.change is not None and impact.change < -0.7
        assert "fewer" in impact.verdict
