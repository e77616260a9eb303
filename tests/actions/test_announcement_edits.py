"""A warning before it goes out: previewed per phase and channel in the brand's zone, edited,
rescheduled or cancelled through the page; after the event an "all clear" is posted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from otklik.actions.announcement_edits import cancel, edit, preview
from otklik.actions.announcements import add_announcement, publish_due_announcements
from otklik.actions.brands import create_brand
from otklik.actions.channels import link_sandbox
from otklik.actions.unit import transaction
from otklik.db.models import Action, Announcement
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory

T0 = datetime(2026, 12, 2, 6, 0, tzinfo=UTC)


def _scheduled(store: Any) -> tuple[int, list[int]]:
    with transaction(store.sessions) as s:
        brand = create_brand(s, "Зерно", queries=["зерно"])
        linked = link_sandbox(s, brand_id=brand.id, channels=[
            ("vk", "-100200", "Зерно"), ("telegram", "@zerno", "Зерно")], actor="anna")
        ann = add_announcement(
            s, brand.id, "Профилактика: оплата картой недоступна", publish_at=T0,
            remind_at=T0 + timedelta(hours=2), event_start=T0 + timedelta(hours=3),
            event_end=T0 + timedelta(hours=5), channel_ids=linked.channel_ids, actor="anna")
        return ann.id, linked.channel_ids


def test_preview_edit_cancel(sqlite_store: Any) -> None:
    ann_id, channels = _scheduled(sqlite_store)
    with transaction(sqlite_store.sessions) as s:
        texts = preview(s, ann_id)
        assert [(p.phase, p.channel_id) for p in texts] == [
            (phase, c) for phase in ("publish", "reminder", "clear") for c in channels]
        assert "с 2 декабря, 12:00 (мск)" in texts[0].text  # event start, brand zone
        assert "всё снова работает" in texts[-1].text
        edit(s, ann_id, actor="anna", title="Профилактика перенесена",
             publish_at=T0 + timedelta(days=1), remind_at=None,
             event_start=T0 + timedelta(days=1, hours=3),
             event_end=T0 + timedelta(days=1, hours=4), text="{{ brand }}: {{ title }}!")
        assert {p.text for p in preview(s, ann_id) if p.phase == "publish"} == {
            "Зерно: Профилактика перенесена!"}
        cancel(s, ann_id, actor="anna", reason="работы отменены")
    with transaction(sqlite_store.sessions) as s:
        settings = Settings(database_url=sqlite_store.url)
        report = publish_due_announcements(s, T0 + timedelta(days=2),
                                           registry_source_factory(s, settings))
        assert report.actions == []  # cancelled: nothing goes out
        assert s.get(Announcement, ann_id).status == "cancelled"


def test_after_the_event_the_all_clear_goes_out_once(sqlite_store: Any) -> None:
    ann_id, channels = _scheduled(sqlite_store)
    settings = Settings(database_url=sqlite_store.url)
    with transaction(sqlite_store.sessions) as s:
        factory = registry_source_factory(s, settings)
        for hours in (0.5, 2.5, 6, 7):  # warning, reminder, all clear, nothing more
            publish_due_announcements(s, T0 + timedelta(hours=hours), factory)
        posts = s.scalars(select(Action).where(Action.announcement_id == ann_id)
                          .order_by(Action.id)).all()
        assert [a.status for a in posts] == ["sent"] * 6
        assert "всё снова работает" in posts[-1].text
        assert s.get(Announcement, ann_id).status == "completed"


def test_the_announcement_page_previews_edits_and_cancels(sqlite_store: Any) -> None:
    from tests.web.conftest import csrf_of, make_desk

    ann_id, _ = _scheduled(sqlite_store)
    desk = make_desk(sqlite_store)
    page = desk.client("responder")
    shown = page.get(f"/announcements/{ann_id}").text
    assert "Что увидят клиенты" in shown and "всё снова работает" in shown
    previewed = shown.split('id="preview"')[1].split("</section>")[0]
    assert "12:00 (мск)" in previewed and "UTC" not in previewed
    token = csrf_of(page, f"/announcements/{ann_id}")
    moved = page.post(f"/announcements/{ann_id}/edit", data={
        "csrf_token": token, "title": "Профилактика в среду", "publish_at": "2026-12-09T09:00",
        "event_start": "2026-12-09T12:00", "event_end": "2026-12-09T14:00", "text": ""})
    assert "error" not in moved.headers["location"], moved.headers["location"]
    with transaction(sqlite_store.sessions) as s:
        ann = s.get(Announcement, ann_id)
        assert ann.title == "Профилактика в среду" and ann.publish_at.hour == 6  # 09:00 MSK
    bad = page.post(f"/announcements/{ann_id}/edit", data={
        "csrf_token": token, "title": "x", "publish_at": "2026-12-09T13:00",
        "event_start": "2026-12-09T12:00", "event_end": "2026-12-09T14:00"})
    assert "error" in bad.headers["location"]  # published after the event starts: refused
    page.post(f"/announcements/{ann_id}/cancel", data={"csrf_token": token})
    after = page.get(f"/announcements/{ann_id}").text
    assert "отменён" in after and 'id="edit"' not in after and 'id="cancel"' not in after
