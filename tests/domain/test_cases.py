"""The case state machine and the working-hours SLA arithmetic."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from otklik.domain import cases as sm

MSK = ZoneInfo("Europe/Moscow")
HOURS = {"tz": "Europe/Moscow", "start": 9, "end": 21, "days": [0, 1, 2, 3, 4]}

ALLOWED = {
    ("new", "answered_publicly"), ("new", "escalated"), ("new", "not_actionable"),
    ("answered_publicly", "in_private"), ("answered_publicly", "resolved"),
    ("answered_publicly", "escalated"), ("answered_publicly", "not_actionable"),
    ("in_private", "resolved"), ("in_private", "escalated"),
    ("escalated", "answered_publicly"), ("escalated", "in_private"), ("escalated", "resolved"),
    ("escalated", "not_actionable"),
    ("resolved", "followed_up"), ("resolved", "closed"), ("resolved", "in_private"),
    ("followed_up", "closed"), ("followed_up", "in_private"),
    ("not_actionable", "new"),
}


def test_the_happy_path_is_allowed() -> None:
    path = ["new", "answered_publicly", "in_private", "resolved", "followed_up", "closed"]
    for a, b in itertools.pairwise(path):
        sm.check_transition(a, b)


@pytest.mark.parametrize("current,target", sorted(itertools.product(sm.STATES, sm.STATES)))
def test_every_pair_is_allowed_exactly_when_listed(current: str, target: str) -> None:
    if (current, target) in ALLOWED:
        sm.check_transition(current, target)
        assert sm.can_transition(current, target)
    else:
        with pytest.raises(sm.IllegalTransition) as err:
            sm.check_transition(current, target)
        assert current in str(err.value) and target in str(err.value)
        assert not sm.can_transition(current, target)


def test_closed_is_terminal_and_says_so() -> None:
    with pytest.raises(sm.IllegalTransition, match="terminal"):
        sm.check_transition("closed", "new")


def test_unknown_state_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown case state 'done'"):
        sm.check_transition("new", "done")


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MSK)


def test_sla_around_the_clock_when_no_hours() -> None:
    start = datetime(2026, 11, 27, 22, 30, tzinfo=UTC)
    assert sm.first_response_due(start, 60, {}) == start + timedelta(hours=1)


def test_sla_inside_working_hours() -> None:
    # Wednesday 10:00 Moscow + 60 min = 11:00 Moscow
    due = sm.first_response_due(msk(2026, 11, 25, 10, 0), 60, HOURS)
    assert due == msk(2026, 11, 25, 11, 0)
    assert due.tzinfo == UTC


def test_sla_late_evening_rolls_to_next_morning() -> None:
    # Wednesday 20:30: 30 minutes today, 30 tomorrow from 9:00
    assert sm.first_response_due(msk(2026, 11, 25, 20, 30), 60, HOURS) == msk(2026, 11, 26, 9, 30)


def test_sla_night_and_weekend_skipped() -> None:
    # Friday 23:00 → Monday 9:00 + 60 min
    assert sm.first_response_due(msk(2026, 11, 27, 23, 0), 60, HOURS) == msk(2026, 11, 30, 10, 0)
    # Saturday noon, too
    assert sm.first_response_due(msk(2026, 11, 28, 12, 0), 90, HOURS) == msk(2026, 11, 30, 10, 30)


def test_sla_spanning_several_days() -> None:
    # 12 working hours a day; 30 hours from Thursday 15:00 = 6 h Thu + 12 h Fri + 12 h Mon
    due = sm.first_response_due(msk(2026, 11, 26, 15, 0), 30 * 60, HOURS)
    assert due == msk(2026, 11, 30, 21, 0)


def test_sla_dst_zone_keeps_wall_clock_hours() -> None:
    hours = {"tz": "Europe/Berlin", "start": 9, "end": 17}
    berlin = ZoneInfo("Europe/Berlin")
    # Saturday 24 Oct 2026 16:30 → 30 min left; DST ends on Sunday 25 Oct; 30 min from 9:00 Sunday
    due = sm.first_response_due(datetime(2026, 10, 24, 16, 30, tzinfo=berlin), 60, hours)
    assert due == datetime(2026, 10, 25, 9, 30, tzinfo=berlin)
    assert due.astimezone(UTC).hour == 8  # CET after the change, UTC+1


def test_working_minutes_between_is_the_inverse() -> None:
    wh = sm.WorkingHours.parse(HOURS)
    start = msk(2026, 11, 27, 20, 0)
    for minutes in (0, 1, 59, 60, 61, 720, 721, 2000):
        due = sm.add_working_minutes(start, minutes, wh)
        assert sm.working_minutes_between(start, due, wh) == pytest.approx(minutes)


@pytest.mark.parametrize("spec,message", [
    ({"tz": "Mars/Olympus"}, "unknown time zone"),
    ({"tz": "UTC", "start": 21, "end": 9}, "start < end"),
    ({"tz": "UTC", "days": []}, "weekdays"),
    ({"tz": "UTC", "days": [7]}, "weekdays"),
])
def test_bad_working_hours_are_clear_errors(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sm.WorkingHours.parse(spec)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sm.first_response_due(datetime(2026, 11, 25, 10, 0), 60, HOURS)


def test_sla_status() -> None:
    due = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert sm.sla_status(due, due - timedelta(minutes=30), answered=False) == "ok"
    assert sm.sla_status(due, due - timedelta(minutes=10), answered=False) == "remind"
    assert sm.sla_status(due, due, answered=False) == "breached"
    assert sm.sla_status(due, due + timedelta(hours=1), answered=True) == "none"
    assert sm.sla_status(None, due, answered=False) == "none"
