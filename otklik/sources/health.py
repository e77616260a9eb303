"""A source's health: how much it delivers and whether it has gone quiet. Pure functions.

"Silent" means nothing new for much longer than this source usually goes without: a feed that
brings three posts a week is not silent after a quiet day, a VK search that brings fifty an hour is
silent after two hours of nothing. It is what tells a person a token expired quietly or a channel
moved, before a week of mentions is missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

WINDOW = timedelta(days=7)
MIN_POSTS = 3  # fewer than this in the window: no usual rhythm to compare against


@dataclass(frozen=True, slots=True)
class Health:
    source_id: int
    posts_per_hour: float  # new mentions per hour over the last 24 hours
    posts_in_window: int  # new mentions over the 7 days up to the last one
    last_new_at: datetime | None  # when the last new mention was stored
    usual_gap: timedelta | None  # the average gap between new mentions over the window
    silent: bool
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None

    @property
    def failing(self) -> bool:
        """The last poll failed (an error after the last success)."""
        if self.last_error_at is None:
            return False
        return self.last_success_at is None or self.last_error_at > self.last_success_at


def usual_gap(posts_in_window: int, window: timedelta = WINDOW) -> timedelta | None:
    if posts_in_window < MIN_POSTS:
        return None
    return window / posts_in_window


def is_silent(
    *,
    now: datetime,
    last_new_at: datetime | None,
    posts_in_window: int,
    interval_seconds: int,
    window: timedelta = WINDOW,
    factor: float = 4.0,
) -> bool:
    """Nothing new for `factor` × the usual gap (and at least three poll intervals and an hour)."""
    gap = usual_gap(posts_in_window, window)
    if gap is None or last_new_at is None:
        return False
    allowed = max(gap * factor, timedelta(seconds=3 * interval_seconds), timedelta(hours=1))
    return now - last_new_at > allowed
