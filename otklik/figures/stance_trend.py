"""Each place's tone toward its brand week by week, for the communities page's small chart per
place: a community turning hostile shows in its weeks before its stance label changes.

One grouped count per week over the listed places (the brand-mention window index covers it),
never the mentions themselves; weeks are local (from Monday, in the desk's zone)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from otklik.db.models import MentionBrand
from otklik.figures.buckets import buckets

WEEKS = 8


@dataclass(frozen=True)
class Week:
    start: datetime  # the local Monday's midnight, in UTC
    n: int
    negative: int


def stance_trends(session: Session, pairs: Sequence[tuple[int, int]], tz: tzinfo,
                  now: datetime | None = None, weeks: int = WEEKS
                  ) -> dict[tuple[int, int], list[Week]]:
    """(brand id, place id) → its last `weeks` local weeks, oldest first (the current one cut
    at `now`)."""
    if not pairs:
        return {}
    now = now or datetime.now(UTC)
    cuts = buckets(now - timedelta(weeks=weeks), now, "week", tz)[-weeks:]
    n = func.count()
    stmt = (select(MentionBrand.brand_id, MentionBrand.place_id, n,
                   n.filter(MentionBrand.sentiment == "negative"))
            .where(MentionBrand.place_id.in_(sorted({place for _, place in pairs})),
                   MentionBrand.created_at >= bindparam("a"),
                   MentionBrand.created_at < bindparam("b"))
            .group_by(MentionBrand.brand_id, MentionBrand.place_id))
    out: dict[tuple[int, int], list[Week]] = {pair: [] for pair in pairs}
    for cut in cuts:
        counts = {(row[0], row[1]): (int(row[2]), int(row[3]))
                  for row in session.execute(stmt, {"a": cut.start, "b": cut.end})}
        for pair, series in out.items():
            total, negative = counts.get(pair, (0, 0))
            series.append(Week(cut.start, total, negative))
    return out
