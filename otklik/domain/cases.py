"""The case state machine and SLA arithmetic: pure rules, no I/O.

A case walks `new → answered_publicly → in_private → resolved → followed_up → closed`, with
`escalated` (handed to someone with more authority) and `not_actionable` (spam, not a customer)
as side states. Keeping the table here means the CLI, the web app and the scheduler all refuse the
same illegal moves with the same error.

SLA: the first public answer is due N minutes after the mention appeared, counted in the brand's
working hours (`{"tz": "Europe/Moscow", "start": 9, "end": 21, "days": [0, …, 6]}`, Monday = 0;
an empty dict means 24/7). A complaint written at 23:00 with a 60-minute SLA and 9–21 hours is
due at 10:00 the next working day, not at midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

NEW = "new"
ANSWERED_PUBLICLY = "answered_publicly"
IN_PRIVATE = "in_private"
RESOLVED = "resolved"
FOLLOWED_UP = "followed_up"
CLOSED = "closed"
ESCALATED = "escalated"
NOT_ACTIONABLE = "not_actionable"

STATES: tuple[str, ...] = (
    NEW, ANSWERED_PUBLICLY, IN_PRIVATE, RESOLVED, FOLLOWED_UP, CLOSED, ESCALATED, NOT_ACTIONABLE,
)

# from-state → states it may move to. Anything else is an IllegalTransition.
TRANSITIONS: dict[str, frozenset[str]] = {
    NEW: frozenset({ANSWERED_PUBLICLY, ESCALATED, NOT_ACTIONABLE}),
    ANSWERED_PUBLICLY: frozenset({IN_PRIVATE, RESOLVED, ESCALATED, NOT_ACTIONABLE}),
    IN_PRIVATE: frozenset({RESOLVED, ESCALATED}),
    ESCALATED: frozenset({ANSWERED_PUBLICLY, IN_PRIVATE, RESOLVED, NOT_ACTIONABLE}),
    RESOLVED: frozenset({FOLLOWED_UP, CLOSED, IN_PRIVATE}),  # in_private = reopened
    FOLLOWED_UP: frozenset({CLOSED, IN_PRIVATE}),  # the customer says it is not solved
    NOT_ACTIONABLE: frozenset({NEW}),  # a person reopens what was dismissed
    CLOSED: frozenset(),  # terminal: a new complaint opens a new case
}

OPEN_STATES: frozenset[str] = frozenset(STATES) - {CLOSED, NOT_ACTIONABLE}
OUTCOMES: tuple[str, ...] = ("resolved", "not_resolved", "no_answer")


class IllegalTransition(ValueError):
    """A move the state machine does not allow (e.g. `new → closed`)."""

    def __init__(self, current: str, target: str) -> None:
        allowed = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "none (terminal)"
        super().__init__(
            f"a case in state {current!r} cannot move to {target!r} (allowed: {allowed})"
        )
        self.current = current
        self.target = target


def check_transition(current: str, target: str) -> None:
    """Raise IllegalTransition (or ValueError for an unknown state) unless the move is allowed."""
    for state in (current, target):
        if state not in TRANSITIONS:
            raise ValueError(f"unknown case state {state!r} (one of {', '.join(STATES)})")
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(current, target)


def can_transition(current: str, target: str) -> bool:
    return current in TRANSITIONS and target in TRANSITIONS[current]


# --- working hours and SLA -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """When responders are at work. `None` hours (see `parse`) mean around the clock."""

    tz: ZoneInfo
    start: int  # hour of day, 0–23
    end: int  # hour of day, 1–24, after start
    days: frozenset[int]  # weekdays, Monday = 0

    @classmethod
    def parse(cls, spec: dict[str, Any] | None) -> WorkingHours | None:
        """Validate a brand's `working_hours` dict; an empty one means 24/7 (None)."""
        if not spec:
            return None
        try:
            tz = ZoneInfo(str(spec.get("tz", "UTC")))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"working hours: unknown time zone {spec.get('tz')!r}") from exc
        start, end = spec.get("start", 0), spec.get("end", 24)
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= 24):
            raise ValueError(f"working hours: need 0 <= start < end <= 24, got {start}–{end}")
        days = spec.get("days", list(range(7)))
        if not days or any(not isinstance(d, int) or not 0 <= d <= 6 for d in days):
            raise ValueError(f"working hours: days must be weekdays 0–6 (Monday = 0), got {days}")
        return cls(tz=tz, start=start, end=end, days=frozenset(days))

    def period(self, day: date) -> tuple[datetime, datetime] | None:
        """The working period of one local day (aware datetimes), or None on a day off."""
        if day.weekday() not in self.days:
            return None
        midnight = datetime.combine(day, time(0), tzinfo=self.tz)
        # wall-clock arithmetic on an aware datetime: 9:00 stays 9:00 across a DST change
        return midnight + timedelta(hours=self.start), midnight + timedelta(hours=self.end)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("SLA arithmetic needs timezone-aware datetimes")
    return moment.astimezone(UTC)


def add_working_minutes(start: datetime, minutes: float, hours: WorkingHours | None) -> datetime:
    """The moment `minutes` of working time after `start` (aware datetimes, UTC result)."""
    start = _utc(start)
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    if hours is None:
        return start + timedelta(minutes=minutes)
    left = timedelta(minutes=minutes)
    day = start.astimezone(hours.tz).date() - timedelta(days=1)
    for _ in range(3 * 366):  # bounded: at least one working day a week is guaranteed
        day += timedelta(days=1)
        period = hours.period(day)
        if period is None:
            continue
        begin, finish = (_utc(p) for p in period)
        begin = max(begin, start)
        if begin >= finish:
            continue
        if begin + left <= finish:
            return begin + left
        left -= finish - begin
    raise ValueError("working hours leave no time to answer")  # pragma: no cover


def working_minutes_between(a: datetime, b: datetime, hours: WorkingHours | None) -> float:
    """Working minutes from `a` to `b` (0 if b is not after a)."""
    a, b = _utc(a), _utc(b)
    if b <= a:
        return 0.0
    if hours is None:
        return (b - a).total_seconds() / 60
    total = timedelta()
    day = a.astimezone(hours.tz).date() - timedelta(days=1)
    last = b.astimezone(hours.tz).date()
    while day < last:
        day += timedelta(days=1)
        period = hours.period(day)
        if period is None:
            continue
        begin, finish = max(_utc(period[0]), a), min(_utc(period[1]), b)
        if finish > begin:
            total += finish - begin
    return total.total_seconds() / 60


def first_response_due(
    appeared_at: datetime, sla_minutes: int, working_hours: dict[str, Any] | None
) -> datetime:
    """When the first public answer to a mention that appeared at `appeared_at` is due."""
    return add_working_minutes(appeared_at, sla_minutes, WorkingHours.parse(working_hours))


def sla_status(
    due: datetime | None, now: datetime, *, answered: bool, remind_before_minutes: float = 15
) -> str:
    """`none` (no SLA or answered), `ok`, `remind` (due within the reminder window), `breached`."""
    if due is None or answered:
        return "none"
    now, due = _utc(now), _utc(due)
    if now >= due:
        return "breached"
    if now >= due - timedelta(minutes=remind_before_minutes):
        return "remind"
    return "ok"
