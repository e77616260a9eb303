"""A bar's period as the mentions filter's since/until: whole local days as dates, a cut day or
an hour as times with the desk's offset."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from otklik.figures.buckets import buckets
from otklik.figures.volume import bar_filter

MOSCOW = ZoneInfo("Europe/Moscow")


def test_days_weeks_and_hours_as_filter_values() -> None:
    since = datetime(2026, 11, 30, 15, 30, tzinfo=UTC)  # 18:30 in Moscow
    until = datetime(2026, 12, 3, 21, 0, tzinfo=UTC)  # midnight of the 4th in Moscow
    days = [bar_filter(b.start, b.end, MOSCOW) for b in buckets(since, until, "day", MOSCOW)]
    assert days == [("2026-11-30T18:30:00+03:00", "2026-12-01T00:00:00+03:00"),
                    ("2026-12-01", "2026-12-01"), ("2026-12-02", "2026-12-02"),
                    ("2026-12-03", "2026-12-03")]
    weeks = buckets(since - timedelta(days=30), until, "week", MOSCOW)
    assert bar_filter(weeks[0].start, weeks[0].end, MOSCOW)[0] == "2026-10-31T18:30:00+03:00"
    assert bar_filter(weeks[1].start, weeks[1].end, MOSCOW) == ("2026-11-02", "2026-11-08")
    hour = buckets(since, until, "hour", MOSCOW)[1]
    assert bar_filter(hour.start, hour.end, MOSCOW) == ("2026-11-30T19:00:00+03:00",
                                                        "2026-11-30T20:00:00+03:00")
    assert bar_filter(hour.start, hour.end, UTC) == ("2026-11-30T16:00:00+00:00",
                                                     "2026-11-30T17:00:00+00:00")
