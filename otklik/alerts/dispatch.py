"""Route desk events to each brand's alert channels, one message per channel per minute at most.

Throttling (no storm): the first event after a quiet minute goes out at once; whatever arrives in
the next `window` seconds is held and sent as one grouped message when the window has passed
(`flush(now)`, called by the scheduler every few seconds). A channel that fails keeps its events
for the next flush; nothing is dropped silently (capped at `MAX_HELD` per channel, oldest first,
with the number dropped said in the next message).

Routing: an `AlertChannel` with `brand_id` NULL hears every brand; `events` (empty = all kinds)
filters kinds; `config["min_priority"]` ignores new cases below that priority.
The time of the last message is kept on the row (`last_sent_at`), so a restart does not reset it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from otklik.alerts.events import TITLES, AlertEvent
from otklik.alerts.notifiers import Notifier, NotifyError, build_notifier
from otklik.db.models import AlertChannel, Brand

log = logging.getLogger("otklik.alerts")
MAX_HELD = 500
MAX_LINES = 25
NotifierFactory = Callable[[str, dict[str, Any]], Notifier]


@dataclass
class Report:
    sent: list[tuple[int, int]] = field(default_factory=list)  # (channel id, events in message)
    held: int = 0
    failed: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Held:
    events: list[AlertEvent] = field(default_factory=list)
    dropped: int = 0
    retry_at: datetime | None = None  # after a failure, wait a window before trying again


def format_message(events: Sequence[AlertEvent], brands: dict[int, str],
                   dropped: int = 0) -> tuple[str, str]:
    """(subject, text) of one grouped message."""
    names = sorted({brands.get(e.brand_id, f"brand {e.brand_id}") for e in events})
    who = ", ".join(names)
    if len(events) == 1:
        e = events[0]
        return f"[otklik] {who}: {TITLES[e.kind]}", e.line()
    lines = [f"• {e.line()}" for e in events[:MAX_LINES]]
    if len(events) > MAX_LINES:
        lines.append(f"… and {len(events) - MAX_LINES} more")
    if dropped:
        lines.append(f"({dropped} older alerts were dropped while the channel was failing)")
    return f"[otklik] {who}: {len(events)} alerts", "\n".join(lines)


class AlertDispatcher:
    """Hold, group and send alerts; one instance per process (the scheduler's)."""

    def __init__(self, *, window_seconds: float = 60.0,
                 notifier_factory: NotifierFactory = build_notifier) -> None:
        self.window = timedelta(seconds=window_seconds)
        self.notifier_factory = notifier_factory
        self._held: dict[int, _Held] = {}

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
        """Route events to their channels; send at once where the channel has been quiet."""
        for event in events:
            for channel in self._channels(session, event.brand_id):
                if self._wants(channel, event):
                    held = self._held.setdefault(channel.id, _Held())
                    held.events.append(event)
                    if len(held.events) > MAX_HELD:
                        held.events.pop(0)
                        held.dropped += 1
        return self.flush(session, now)

    def flush(self, session: Session, now: datetime | None = None, *,
              force: bool = False) -> Report:
        """Send every held group whose channel's window has passed (all of them with `force`,
        for a process about to exit). Commits `last_sent_at`."""
        now = now or datetime.now(UTC)
        report = Report()
        brands: dict[int, str] = {i: n for i, n in session.execute(select(Brand.id, Brand.name))}
        for channel_id, held in list(self._held.items()):
            if not held.events:
                continue
            channel = session.get(AlertChannel, channel_id)
            if channel is None or not channel.enabled:
                del self._held[channel_id]
                continue
            last = channel.last_sent_at
            waiting = held.retry_at is not None and now < held.retry_at
            if not force and (waiting or (last is not None and now - last < self.window)):
                report.held += len(held.events)
                continue
            subject, text = format_message(held.events, brands, held.dropped)
            try:
                self.notifier_factory(channel.kind, channel.config or {}).send(subject, text)
            except (NotifyError, ValueError) as exc:
                log.warning("alert channel %d (%s) failed: %s", channel.id, channel.kind, exc)
                report.failed.append((channel.id, str(exc)))
                held.retry_at = now + self.window
                continue
            report.sent.append((channel.id, len(held.events)))
            channel.last_sent_at = now
            self._held[channel_id] = _Held()
        session.commit()
        return report

    def held(self) -> int:
        return sum(len(h.events) for h in self._held.values())
