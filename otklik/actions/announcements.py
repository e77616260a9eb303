"""The writers for announcements: schedule a warning, publish it when due, measure its effect.

`publish_due_announcements` is called by the scheduler (see `otklik.actions.publish_tick`). Each
(announcement, phase, channel) has one `Action` with a fixed idempotency key, so running the tick
twice, or in two workers, drafts nothing twice; each send goes through `publish_action`, which
checks the network before retrying anything that may already have been published. At least once,
never twice; the network's ids stay on the actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.brands import brand_by_id
from otklik.actions.delivery import draft_post, publish_action
from otklik.actions.send import SourceFactory
from otklik.actions.stored_templates import render_post
from otklik.care.templates import pick_lang
from otklik.db.models import Action, Announcement, Brand, Channel, Mention, MentionBrand
from otklik.db.rows import get_row
from otklik.publish import announcements as rules
from otklik.publish import texts
from otklik.wording.refusals import refusal


@dataclass
class DueReport:
    published: list[int] = field(default_factory=list)  # announcement ids fully published
    reminded: list[int] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)  # "all clear" posted after the event
    missed: list[int] = field(default_factory=list)  # due only after the event began
    actions: list[int] = field(default_factory=list)  # every action attempted
    needs_review: list[int] = field(default_factory=list)  # actions a person must check


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def post_context(brand: Brand, ann: Announcement) -> dict[str, Any]:
    lang = pick_lang(None, brand.languages)
    zone = texts.brand_zone(brand.working_hours, lang)
    return {"brand": brand.name, "title": ann.title,
            "event_start": texts.fmt_time(ann.event_start, zone, lang),
            "event_end": texts.fmt_time(ann.event_end, zone, lang)}


def add_announcement(
    session: Session, brand_id: int, title: str, *, publish_at: datetime,
    channel_ids: Sequence[int], actor: str, texts_by_channel: dict[str, str] | None = None,
    remind_at: datetime | None = None, event_start: datetime | None = None,
    event_end: datetime | None = None, kind: str = "maintenance",
) -> Announcement:
    """Schedule a warning; texts (per channel id, `"<id>:reminder"` for the reminder) are
    templates checked in the sandbox now, not when they are due."""
    brand = brand_by_id(session, brand_id)
    if not title.strip():
        raise ValueError("an announcement needs a title")
    if not channel_ids:
        raise ValueError("an announcement needs at least one channel")
    for cid in channel_ids:
        channel = session.get(Channel, cid)
        if channel is None or channel.brand_id != brand_id:
            raise ValueError(f"channel {cid} is not one of the brand's channels")
    rules.check_schedule(publish_at, remind_at, event_start, event_end)
    bodies = dict(texts_by_channel or {})
    known = {str(c) for c in channel_ids} | {f"{c}:{phase}" for c in channel_ids
                                             for phase in ("reminder", "clear")}
    for key in bodies:
        if key not in known:
            raise ValueError(f"text for {key!r}: not one of the announcement's channels")
    ann = Announcement(
        brand_id=brand_id, title=title.strip(), texts=bodies, channel_ids=list(channel_ids),
        publish_at=publish_at, remind_at=remind_at, event_start=event_start,
        event_end=event_end, kind=kind, status="scheduled")
    for body in bodies.values():
        texts.render_body(body, post_context(brand, ann))  # TemplateInvalid is a ValueError
    session.add(ann)
    session.flush()
    record(session, actor, "announcement.add", "announcement", ann.id, brand_id=brand_id,
           publish_at=publish_at.isoformat(), channels=list(channel_ids))
    return ann


def record_past_event(
    session: Session, brand_id: int, title: str, *, kind: str, event_start: datetime,
    event_end: datetime, actor: str,
) -> Announcement:
    """A past event that happened *without* a warning, kept to compare warned ones against."""
    if event_end <= event_start:
        raise refusal(ValueError, "refused_event_order")
    ann = Announcement(brand_id=brand_id, title=title.strip(), texts={}, channel_ids=[],
                       publish_at=event_start, event_start=event_start, event_end=event_end,
                       kind=kind, status="unannounced")
    session.add(ann)
    session.flush()
    record(session, actor, "announcement.past_event", "announcement", ann.id, kind=kind)
    return ann


def phase_text(session: Session, brand: Brand, ann: Announcement, channel_id: int,
          phase: str) -> tuple[str, int | None]:
    key = str(channel_id) if phase == "publish" else f"{channel_id}:{phase}"
    body = (ann.texts or {}).get(key)
    if body:
        return texts.render_body(body, post_context(brand, ann)), None
    kind = {"publish": "announcement", "reminder": "announcement_reminder",
            "clear": "announcement_clear"}[phase]
    return render_post(session, brand.id, kind, pick_lang(None, brand.languages),
                        post_context(brand, ann))


def _run_phase(session: Session, ann: Announcement, phase: str, *, source_factory: SourceFactory,
               actor: str, report: DueReport) -> tuple[bool, bool]:
    """Publish one phase on every channel: (every channel has it, one needs a person)."""
    brand = session.get(Brand, ann.brand_id)
    assert brand is not None
    actions = []
    for cid in ann.channel_ids or []:
        channel = session.get(Channel, cid)
        if channel is None:
            continue
        text, template_id = phase_text(session, brand, ann, cid, phase)
        actions.append(draft_post(
            session, brand_id=brand.id, channel=channel, text=text, actor=actor,
            key=f"announcement:{ann.id}:{phase}:channel:{cid}", template_id=template_id,
            links={"announcement_id": ann.id}))
    session.commit()
    for action in actions:
        if action.status != "sent":
            publish_action(session, action.id, source_factory=source_factory, actor=actor)
        report.actions.append(action.id)
        if action.status == "needs_review":
            report.needs_review.append(action.id)
    review = any(a.status == "needs_review" for a in actions)
    return bool(actions) and all(a.status == "sent" for a in actions), review


def publish_due_announcements(
    session: Session, now: datetime, source_factory: SourceFactory, *, actor: str = "system",
) -> DueReport:
    """Publish every warning and reminder whose time has come. Commits."""
    report = DueReport()
    due = session.scalars(select(Announcement).where(
        Announcement.status.in_(rules.DUE), Announcement.publish_at <= now)
        .order_by(Announcement.publish_at, Announcement.id)).all()
    for ann in due:
        started = _aware(ann.event_start)
        attempted = session.scalar(select(func.count(Action.id)).where(
            Action.announcement_id == ann.id))
        if started is not None and started <= now and not attempted:
            ann.status = "missed"  # a warning after the fact helps nobody
            record(session, actor, "announcement.missed", "announcement", ann.id)
            report.missed.append(ann.id)
            continue
        done, review = _run_phase(session, ann, "publish", source_factory=source_factory,
                                  actor=actor, report=report)
        ann.status = "published" if done else ("needs_review" if review else ann.status)
        if done:
            record(session, actor, "announcement.published", "announcement", ann.id)
            report.published.append(ann.id)
        session.commit()
    reminders = session.scalars(select(Announcement).where(
        Announcement.status == "published", Announcement.remind_at.is_not(None),
        Announcement.remind_at <= now).order_by(Announcement.remind_at, Announcement.id)).all()
    for ann in reminders:
        ended = _aware(ann.event_end) or _aware(ann.event_start)
        if ended is not None and ended <= now:
            continue  # the event is over: no reminder
        _advance(session, ann, "reminder", "reminded", report.reminded,
                 source_factory=source_factory, actor=actor, report=report)
    over = session.scalars(select(Announcement).where(
        Announcement.status.in_(("published", "reminded")), Announcement.event_end.is_not(None),
        Announcement.event_end <= now).order_by(Announcement.event_end, Announcement.id)).all()
    for ann in over:  # the event is over: say that everything works again
        _advance(session, ann, "clear", "completed", report.cleared,
                 source_factory=source_factory, actor=actor, report=report)
    return report


def _advance(session: Session, ann: Announcement, phase: str, status: str, done: list[int], *,
             source_factory: SourceFactory, actor: str, report: DueReport) -> None:
    """Run a phase; once it went out on every channel, the announcement is `status`. Commits."""
    if _run_phase(session, ann, phase, source_factory=source_factory, actor=actor,
                  report=report)[0]:
        ann.status = status
        record(session, actor, f"announcement.{status}", "announcement", ann.id)
        done.append(ann.id)
    session.commit()


def get_announcement(session: Session, announcement_id: int) -> Announcement:
    return get_row(session, Announcement, announcement_id, "announcement")


def list_announcements(session: Session, brand_id: int | None = None) -> list[Announcement]:
    stmt = select(Announcement).order_by(Announcement.publish_at, Announcement.id)
    if brand_id is not None:
        stmt = stmt.where(Announcement.brand_id == brand_id)
    return list(session.scalars(stmt))


def negative_count(session: Session, brand_id: int, since: datetime, until: datetime) -> int:
    """Negative mentions of the brand (sentiment toward it first) in [since, until)."""
    sentiment = func.coalesce(MentionBrand.sentiment, Mention.sentiment)
    return int(session.scalar(
        select(func.count(Mention.id)).join(MentionBrand, MentionBrand.mention_id == Mention.id)
        .where(MentionBrand.brand_id == brand_id, sentiment == "negative",
               Mention.created_at >= since, Mention.created_at < until)) or 0)


def event_counts(session: Session, ann: Announcement, *, pad: timedelta,
                 baseline: timedelta) -> rules.EventCounts:
    start = ann.event_start or ann.publish_at
    end = ann.event_end or start
    lo, hi = start - pad, end + pad
    base = negative_count(session, ann.brand_id, lo - baseline, lo)
    return rules.EventCounts(
        negative=negative_count(session, ann.brand_id, lo, hi),
        hours=(hi - lo).total_seconds() / 3600,
        baseline_per_hour=base / (baseline.total_seconds() / 3600))


def announcement_impact(
    session: Session, announcement_id: int, *, pad: timedelta = timedelta(hours=6),
    baseline: timedelta = timedelta(days=14),
) -> rules.ImpactComparison:
    """Complaints around a warned event against similar past events without a warning."""
    ann = get_announcement(session, announcement_id)
    if ann.status == "unannounced":
        raise ValueError(f"announcement {announcement_id} is a past event without a warning")
    past = session.scalars(select(Announcement).where(
        Announcement.brand_id == ann.brand_id, Announcement.kind == ann.kind,
        Announcement.status == "unannounced", Announcement.id != ann.id,
        Announcement.publish_at < (ann.event_start or ann.publish_at))
        .order_by(Announcement.publish_at)).all()
    return rules.compare_impact(
        event_counts(session, ann, pad=pad, baseline=baseline),
        [event_counts(session, p, pad=pad, baseline=baseline) for p in past])
