"""The hours or days a chart counts in, cut in the desk's time zone (stored times are UTC).

A reader in Moscow expects "3 дек." to mean Moscow's 3 December, not UTC's, so a day bucket runs
from local midnight to local midnight; hour buckets step one real hour at a time (a daylight-
saving change gives a 23- or 25-hour day, never a missing or doubled hour).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

HOUR_KEY = "%Y-%m-%dT%H:00"
DAY_KEY = "%Y-%m-%d"


@dataclass(frozen=True)
class Bucket:
    key: str  # local start, "2026-12-03T14:00" or "2026-12-03": sorts as time does
    start: datetime  # UTC, clipped to the window
    end: datetime


def bucket_for(since: datetime, until: datetime) -> str:
    """Hours for a window of up to two days, days up to three months, else weeks (a chart of
    hundreds of bars is unreadable, and each bar is one indexed count)."""
    span = until - since
    return "hour" if span <= timedelta(days=2) else "day" if span <= timedelta(days=92) \
        else "week"


def key_of(value: datetime, bucket: str, tz: tzinfo) -> str:
    """The key of the hour or day bucket a time falls in."""
    local = _aware(value).astimezone(tz)
    return local.strftime(HOUR_KEY if bucket == "hour" else DAY_KEY)


def buckets(since: datetime, until: datetime, bucket: str, tz: tzinfo) -> list[Bucket]:
    """The window cut into local hours, days or weeks (from Monday); the first and last clipped
    to the window."""
    since, until = _aware(since), _aware(until)
    out: list[Bucket] = []
    if bucket == "hour":
        start = since.astimezone(tz).replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        while start < until:
            end = start + timedelta(hours=1)
            out.append(Bucket(key_of(start, bucket, tz), max(start, since), min(end, until)))
            start = end
        return out
    day = since.astimezone(tz).date()
    step = timedelta(days=7 if bucket == "week" else 1)
    if bucket == "week":
        day -= timedelta(days=day.weekday())
    while True:
        start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        if start >= until:
            return out
        day += step
        end = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
        if end > since:
            out.append(Bucket(key_of(start, "day", tz), max(start, since), min(end, until)))


def zone_name(tz: tzinfo) -> str:
    """The IANA name PostgreSQL's `timezone()` takes ("UTC" for the fixed UTC)."""
    return str(getattr(tz, "key", None) or "UTC")


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
