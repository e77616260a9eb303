"""The mention stream's volume chart: how many mentions the current filter selects per local
hour, day or week of its period, and how many of them are negative.

The same filter as the list and its count (`overview._filtered`), so the bars add up to the
"Найдено упоминаний" figure; one indexed count per bucket, never the rows into Python.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, cast

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from otklik.db.models import Mention
from otklik.figures.buckets import bucket_for, buckets
from otklik.figures.overview import MentionFilter, _filtered

DEFAULT_SPAN = timedelta(days=7)  # a filter without a start is charted over its last week


@dataclass
class Volume:
    since: datetime
    until: datetime
    bucket: str  # "hour", "day" or "week"
    # {"t": local start key, "start": UTC, "n", "neg", "since", "until": the bar's period as the
    # filter's since/until values}
    series: list[dict[str, Any]]

    @property
    def total(self) -> int:
        return sum(int(row["n"]) for row in self.series)


def period_of(f: MentionFilter, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The filter's own period, else the week up to its end (or now)."""
    until = f.until or now or datetime.now(UTC)
    return f.since or until - DEFAULT_SPAN, until


def filter_volume(session: Session, f: MentionFilter, tz: tzinfo,
                  now: datetime | None = None) -> Volume:
    """Counts per bucket of the filter's period (a filter with a query's text cannot be counted
    by the store: the caller does not chart it)."""
    since, until = period_of(f, now)
    bucket = bucket_for(since, until)
    n = func.count(Mention.id)
    counts = cast("Select[Any]", select(n, n.filter(Mention.sentiment == "negative")))
    stmt = _filtered(counts,
                     replace(f, since=None, until=None, query=None)).where(
        Mention.created_at >= bindparam("a"), Mention.created_at < bindparam("b"))
    series = []
    for b in buckets(since, until, bucket, tz) if since < until else []:
        total, negative = session.execute(stmt, {"a": b.start, "b": b.end}).one()
        bar_since, bar_until = bar_filter(b.start, b.end, tz)
        series.append({"t": b.key, "start": b.start, "n": int(total), "neg": int(negative),
                       "since": bar_since, "until": bar_until})
    return Volume(since, until, bucket, series)


def bar_filter(start: datetime, end: datetime, tz: tzinfo) -> tuple[str, str]:
    """A bar's period as the filter's since/until: whole local days as dates (the date fields
    show them; `until` is the last day, included), else times with the desk's offset (an hour,
    or a day the filter's own bounds cut)."""
    a, b = start.astimezone(tz), end.astimezone(tz)
    if a.time() == b.time() == time(0):
        return a.date().isoformat(), (b.date() - timedelta(days=1)).isoformat()
    return a.isoformat(), b.isoformat()
