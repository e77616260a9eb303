"""Announcement rules with no I/O: a sane schedule, and whether a warning lowered complaints.

Did warning in advance help? For an event (maintenance, no card payments) the complaints around it
are counted: negative mentions of the brand from `pad` before the event until `pad` after it. The
count is compared with what a normal day gives in as many hours (the brand's negative mentions
per hour over the weeks before): `excess = (observed + 1) / (expected + 1)`, 1 meaning "as usual".
The warned event's excess is then set against the excess of similar past events (same brand, same
kind) that happened without a warning. Pure arithmetic; the counts come from
`otklik.actions.announcements.announcement_impact`.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from otklik.wording.refusals import refusal

STATUSES: tuple[str, ...] = (
    "scheduled", "needs_review", "published", "reminded", "completed", "missed", "cancelled",
    "unannounced",
)
DUE: tuple[str, ...] = ("scheduled", "needs_review")
EDITABLE: tuple[str, ...] = ("scheduled", "needs_review")  # nothing went out yet
CANCELLABLE: tuple[str, ...] = ("scheduled", "needs_review", "published", "reminded")
PHASES: tuple[str, ...] = ("publish", "reminder", "clear")  # warning, reminder, "all clear"


def check_schedule(
    publish_at: datetime, remind_at: datetime | None, event_start: datetime | None,
    event_end: datetime | None,
) -> None:
    """ValueError naming the first inconsistency (a reminder before the warning, …)."""
    if event_start is not None and event_end is not None and event_end <= event_start:
        raise refusal(ValueError, "refused_event_order")
    if event_start is not None and publish_at >= event_start:
        raise refusal(ValueError, "refused_warning_after_start")
    if remind_at is not None:
        if remind_at <= publish_at:
            raise refusal(ValueError, "refused_reminder_before_warning")
        if event_start is not None and remind_at >= event_start:
            raise refusal(ValueError, "refused_reminder_after_start")


@dataclass(frozen=True, slots=True)
class EventCounts:
    """Complaints around one event and what a normal stretch of as many hours gives."""

    negative: int  # negative mentions of the brand in the window around the event
    hours: float  # length of that window
    baseline_per_hour: float  # negative mentions per hour in the weeks before

    @property
    def expected(self) -> float:
        return self.baseline_per_hour * self.hours

    @property
    def excess(self) -> float:
        """Observed over expected, smoothed so that empty windows do not divide by zero."""
        return (self.negative + 1.0) / (self.expected + 1.0)


@dataclass
class ImpactComparison:
    warned: EventCounts
    unwarned: list[EventCounts] = field(default_factory=list)
    unwarned_excess: float | None = None  # median over the past events without a warning
    change: float | None = None  # warned excess / unwarned excess − 1; < 0: fewer complaints
    verdict: str = ""


def compare_impact(warned: EventCounts, unwarned: Sequence[EventCounts]) -> ImpactComparison:
    """The warned event against the median of similar events without a warning."""
    out = ImpactComparison(warned=warned, unwarned=list(unwarned))
    if not unwarned:
        out.verdict = (f"complaints were {warned.excess:.2f}× a normal stretch; no similar past "
                       "event without a warning to compare with")
        return out
    out.unwarned_excess = statistics.median(e.excess for e in unwarned)
    out.change = warned.excess / out.unwarned_excess - 1.0
    direction = "fewer" if out.change < 0 else "more"
    out.verdict = (f"complaints were {warned.excess:.2f}× a normal stretch against "
                   f"{out.unwarned_excess:.2f}× for {len(unwarned)} similar event(s) without a "
                   f"warning: {abs(out.change):.0%} {direction}")
    return out
