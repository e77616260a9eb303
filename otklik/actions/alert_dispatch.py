"""Route desk events to each brand's alert channels, one message per channel per minute at most.
An action: it writes the alert outbox and the channels' send marks, and commits.

Throttling (no storm): the first event after a quiet minute goes out at once; whatever arrives in
the next `window` seconds is held and sent as one grouped message when the window has passed
(`flush(now)`, which the periodic desk step and the workers call). Held alerts wait in the store
(`alert_outbox`), not in a process: a restart loses none, and any process may send them. A
channel that fails keeps its alerts and is tried again a window later; nothing is dropped.

Routing: an `AlertChannel` with `brand_id` NULL hears every brand; `events` (empty = all kinds)
filters kinds; `config["min_priority"]` ignores new cases below that priority.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from otklik.alerts.events import TITLES, AlertEvent
from otklik.alerts.notifiers import Notifier, NotifyError, build_notifier
from otklik.db.models import AlertChannel, AlertOutbox, Brand

log = logging.getLogger("otklik.alerts")
MAX_LINES = 25
NotifierFactory = Callable[[str, dict[str, Any]], Notifier]


@dataclass
class Report:
    sent: list[tuple[int, int]] = field(default_factory=list)  # (channel id, events in message)
    held: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


def format_message(events: Sequence[AlertEvent], brands: dict[int, str]) -> tuple[str, str]:
    """(subject, text) of one grouped message."""
    names = sorted({brands.get(e.brand_id, f"brand {e.brand_id}") for e in events})
    who = ", ".join(names)
    if len(events) == 1:
        e = events[0]
        return f"[otklik] {who}: {TITLES[e.kind]}", e.line()
    lines = [f"• {e.line()}" for e in events[:MAX_LINES]]
    if len(events) > MAX_LINES:
        lines.append(f"… and {len(events) - MAX_LINES} more")
    return f"[otklik] {who}: {len(events)} alerts", "\n".join(lines)


def _stored(event: AlertEvent) -> dict[str, Any]:
    return {**asdict(event), "at": event.at.isoformat()}


def _loaded(stored: dict[str, Any]) -> AlertEvent:
    return AlertEvent(**{**stored, "at": datetime.fromisoformat(stored["at"])})


def held_by_channel(session: Session) -> dict[int, int]:
    """channel id → alerts waiting in the outbox for its window (or its retry)."""
    return {int(c): int(n) for c, n in session.execute(
        select(AlertOutbox.channel_id, func.count()).where(AlertOutbox.state == "held")
        .group_by(AlertOutbox.channel_id))}


class AlertDispatcher:
    """Hold, group and send alerts. Its state is in the store; its settings are per process."""

    def __init__(self, *, window_seconds: float = 60.0,
                 notifier_factory: NotifierFactory = build_notifier) -> None:
        self.window = timedelta(seconds=window_seconds)
        self.notifier_factory = notifier_factory

    def _channels(self, session: Session, brand_id: int) -> Sequence[AlertChannel]:
        return session.scalars(select(AlertChannel).where(
            AlertChannel.enabled.is_(True),
            or_(AlertChannel.brand_id == brand_id, AlertChannel.brand_id.is_(None)),
        ).order_by(AlertChannel.id)).all()

    @staticmethod
    def _wants(channel: AlertChannel, event: AlertEvent) -> bool:
        if channel.events and event.kind not in channel.events:
            return False
        floor = float((channel.config or {}).get("min_priority", 0.0))
        return not (event.kind == "new_case" and event.priority < floor)

    def submit(self, session: Session, events: Sequence[AlertEvent],
               now: datetime | None = None) -> Report:
        """Route events to their channels' outbox; send at once where a channel has been quiet."""
        now = now or datetime.now(UTC)
        channels: dict[int, Sequence[AlertChannel]] = {}  # a batch's events share few brands
        for event in events:
            if event.brand_id not in channels:
                channels[event.brand_id] = self._channels(session, event.brand_id)
            for channel in channels[event.brand_id]:
                if self._wants(channel, event):
                    session.add(AlertOutbox(channel_id=channel.id, kind=event.kind,
                                            event=_stored(event), created_at=now))
        session.flush()
        return self.flush(session, now)

    def flush(self, session: Session, now: datetime | None = None, *,
              force: bool = False) -> Report:
        """Send every held group whose channel's window has passed (all of them with `force`,
        for a one-shot process). Commits."""
        now = now or datetime.now(UTC)
        report = Report()
        waiting = held_by_channel(session)
        brands: dict[int, str] = {}
        if waiting:
            brands = {i: n for i, n in session.execute(select(Brand.id, Brand.name))}
        for channel_id, count in sorted(waiting.items()):
            channel = session.scalars(  # PostgreSQL: another process sending it is skipped
                select(AlertChannel).where(AlertChannel.id == channel_id)
                .with_for_update(skip_locked=True)).first()
            if channel is None:
                continue
            if not channel.enabled:  # switched off: its alerts are not sent later either
                session.execute(update(AlertOutbox).where(
                    AlertOutbox.channel_id == channel_id, AlertOutbox.state == "held",
                ).values(state="dropped", sent_at=now))
                continue
            last = channel.last_sent_at
            retrying = channel.retry_at is not None and now < channel.retry_at
            if not force and (retrying or (last is not None and now - last < self.window)):
                report.held += count
                continue
            rows = session.scalars(select(AlertOutbox).where(
                AlertOutbox.channel_id == channel_id, AlertOutbox.state == "held",
            ).order_by(AlertOutbox.id)).all()
            subject, text = format_message([_loaded(r.event) for r in rows], brands)
            try:
                self.notifier_factory(channel.kind, channel.config or {}).send(subject, text)
            except (NotifyError, ValueError) as exc:
                log.warning("alert channel %d (%s) failed: %s", channel.id, channel.kind, exc)
                report.failed.append((channel.id, str(exc)))
                channel.retry_at = now + self.window
                continue
            report.sent.append((channel.id, len(rows)))
            channel.last_sent_at, channel.retry_at = now, None
            for row in rows:
                row.state, row.sent_at = "sent", now
        session.commit()
        return report

    @staticmethod
    def held(session: Session) -> int:
        """Alerts waiting for their channel's window, in all processes."""
        return sum(held_by_channel(session).values())
