"""A scheduled warning before it goes out: preview every text it will post, edit or reschedule
it, or cancel it. Nothing already posted is changed or removed; cancelling stops what is left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from otklik.actions.announcements import get_announcement, phase_text, post_context
from otklik.actions.audit import record
from otklik.actions.brands import brand_by_id
from otklik.db.models import Announcement, Channel
from otklik.publish import announcements as rules
from otklik.publish import texts
from otklik.wording.refusals import refusal


@dataclass(frozen=True, slots=True)
class Preview:
    phase: str  # publish, reminder, clear
    channel_id: int
    channel: str  # the network and the channel's name
    text: str
    at: datetime | None  # when it is due (the "all clear" right after the event's end)


def preview(session: Session, announcement_id: int) -> list[Preview]:
    """Every text the warning will post, per phase and channel, as the customers will read it."""
    ann = get_announcement(session, announcement_id)
    brand = brand_by_id(session, ann.brand_id)
    due = {"publish": ann.publish_at, "reminder": ann.remind_at, "clear": ann.event_end}
    out = []
    for phase in rules.PHASES:
        if due[phase] is None:
            continue
        for cid in ann.channel_ids or []:
            channel = session.get(Channel, cid)
            if channel is not None:
                out.append(Preview(phase, cid, f"{channel.network}: {channel.name}",
                                   phase_text(session, brand, ann, cid, phase)[0], due[phase]))
    return out


def edit(
    session: Session, announcement_id: int, *, actor: str, title: str,
    publish_at: datetime, remind_at: datetime | None, event_start: datetime | None,
    event_end: datetime | None, text: str | None = None,
) -> Announcement:
    """Change a warning that has not gone out yet: its title, times and text (a template for
    every channel; empty: the brand's template)."""
    ann = get_announcement(session, announcement_id)
    if ann.status not in rules.EDITABLE:
        raise refusal(ValueError, "refused_announcement_not_editable", id=ann.id)
    if not title.strip():
        raise refusal(ValueError, "refused_announcement_title")
    rules.check_schedule(publish_at, remind_at, event_start, event_end)
    before = {"title": ann.title, "publish_at": ann.publish_at.isoformat()}
    ann.title, ann.publish_at, ann.remind_at = title.strip(), publish_at, remind_at
    ann.event_start, ann.event_end = event_start, event_end
    if text is not None:
        bodies = {k: v for k, v in (ann.texts or {}).items() if ":" in k}
        if text.strip():
            bodies.update({str(c): text for c in ann.channel_ids or []})
        ann.texts = bodies
    brand = brand_by_id(session, ann.brand_id)
    for body in (ann.texts or {}).values():
        texts.render_body(body, post_context(brand, ann))  # TemplateInvalid is a ValueError
    record(session, actor, "announcement.edit", "announcement", ann.id, before=before,
           title=ann.title, publish_at=publish_at.isoformat())
    return ann


def cancel(session: Session, announcement_id: int, *, actor: str, reason: str = "") -> Announcement:
    """Stop a warning: nothing more of it is posted (what was posted stays)."""
    ann = get_announcement(session, announcement_id)
    if ann.status not in rules.CANCELLABLE:
        raise refusal(ValueError, "refused_announcement_not_cancellable", id=ann.id)
    before, ann.status = ann.status, "cancelled"
    record(session, actor, "announcement.cancel", "announcement", ann.id, before=before,
           reason=reason)
    return ann
