"""Publishing through the desk's sender, at least once and never twice.

`send_action` commits `sending` before the network call, so a process that dies after the network
accepted a post but before the store recorded it leaves the action in `sending`. The desk then
asks a person to look (`needs_review`). For posts in the brand's own channels otklik can look
itself: `publish_action` reads the channel back (VK `wall.get`, the public `t.me/s/<channel>`
preview for Telegram) and finds the post by its text, posted no earlier than the action was made.
Found: its network id is recorded (`mark_sent`) and nothing is sent. Absent: the action is
confirmed not sent and retried with the same idempotency key (VK also drops a repeated `guid`).
Cannot tell (a private Telegram chat, the network down): it stays `needs_review` for a person.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.send import (
    SENDABLE,
    OnSent,
    SourceFactory,
    confirm_not_sent,
    draft_action,
    mark_sent,
    run_sync,
    send_action,
)
from otklik.db.models import Action, Channel
from otklik.db.rows import get_row
from otklik.sources.base import Check, Source
from otklik.sources.registry import networks
from otklik.sources.sandbox import is_sandbox_id, sandbox_url

CLOCK_SLACK = timedelta(minutes=2)  # the network's clock and ours may disagree a little


def post_url(channel: Channel, external_id: str) -> str | None:
    """The public link of a post otklik published (for incident replies and refutations):
    the sandbox's own page for what went there, else what the channel's network declares."""
    if is_sandbox_id(external_id):
        return sandbox_url(external_id)
    cls = networks().get(channel.network)
    return cls.post_url(channel.external_id, external_id) if cls is not None else None


def draft_post(
    session: Session, *, brand_id: int, channel: Channel, text: str, key: str, actor: str,
    needs_approval: bool = False, template_id: int | None = None,
    links: dict[str, int] | None = None, scheduled_at: datetime | None = None,
) -> Action:
    """A post in one of the brand's channels; the same `key` always gives the same action."""
    existing = session.scalars(select(Action).where(Action.idempotency_key == key)).first()
    if existing is not None:
        return existing
    action = draft_action(
        session, brand_id=brand_id, kind="post", network=channel.network, text=text,
        target={"external_id": channel.external_id, "channel_id": channel.id},
        channel_id=channel.id, template_id=template_id, needs_approval=needs_approval,
        actor=actor, idempotency_key=key, scheduled_at=scheduled_at)
    for field_name, value in (links or {}).items():
        setattr(action, field_name, value)  # incident_id, announcement_id or refutation_id
    session.flush()
    return action


async def _check(source: Source, channel: Channel, text: str, since: datetime) -> Check:
    try:
        return await source.find_post(channel.external_id, text, since)
    finally:
        await source.client.aclose()


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def check_published(session: Session, action: Action, source_factory: SourceFactory) -> Check:
    """Is this post already on the network? Reads the channel back; never raises."""
    channel = session.get(Channel, action.channel_id) if action.channel_id else None
    if channel is None or action.kind != "post":
        return Check("unknown", detail="only posts in the brand's own channels can be checked")
    since = _aware(action.created_at) - CLOCK_SLACK
    try:
        source = source_factory(channel)
        return run_sync(lambda: _check(source, channel, action.text, since))
    except Exception as exc:  # the check failing must never become a send
        return Check("unknown", detail=f"{type(exc).__name__}: {exc}"[:500])


def publish_action(
    session: Session, action_id: int, *, source_factory: SourceFactory, actor: str = "system",
    on_sent: OnSent | None = None,
) -> Action:
    """Send a post, or, when an earlier attempt may have succeeded, check first. Commits."""
    action = get_row(session, Action, action_id, "action")
    if action.status == "sending":  # an attempt died mid-call: the desk's rule, no network
        send_action(session, action.id, source_factory=source_factory, actor=actor)
    if action.status == "needs_review":
        check = check_published(session, action, source_factory)
        record(session, actor, "action.checked", "action", action.id, verdict=check.verdict,
               external_id=check.external_id, detail=check.detail)
        if check.verdict == "found" and check.external_id:
            mark_sent(session, action.id, check.external_id, actor=actor)
            if on_sent is not None:
                on_sent(session, action, actor)
            session.commit()
            return action
        if check.verdict != "absent":
            action.last_error = f"could not check whether it was published: {check.detail}"
            session.commit()
            return action
        confirm_not_sent(session, action.id, actor=actor)
        session.commit()
    if action.status in SENDABLE:
        return send_action(session, action.id, source_factory=source_factory, actor=actor,
                           on_sent=on_sent)
    return action


def summary(actions: list[Action]) -> dict[str, Any]:
    """Counts of the actions by status, for reports."""
    out: dict[str, Any] = {}
    for a in actions:
        out[a.status] = out.get(a.status, 0) + 1
    return out
