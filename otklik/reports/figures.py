"""The report's figures for a brand and a period, and for the period of the same length before.

Volume, sentiment, tops and spikes come from `otklik.figures.overview` (what the overview
shows), the desk's figures from `otklik.care.metrics.compute` over the cases `desk_metrics`
reads (what `otklik care metrics` and the desk show): a report never disagrees with the desk.
Volume, tops and effects are counts over the brand's window in `mention_brands` (one covering
index range), never row by row; only bounded samples are read as rows (the first mentions of
each day for the words, the most-read posts as examples) besides the period's cases, read as
columns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from otklik.analytics.explain import explain_spike
from otklik.care.metrics import DeskMetrics
from otklik.db.brands import get_brand
from otklik.db.models import Community, Mention, MentionBrand
from otklik.figures import overview as data
from otklik.figures.locations import LocationRow, league
from otklik.figures.names import account_names
from otklik.reports.care import CareRow, care_figures
from otklik.reports.events import Events, events_in
from otklik.wording.spike_story import top_terms


@dataclass(frozen=True)
class Window:
    """[since, until) in UTC."""

    since: datetime
    until: datetime

    @property
    def previous(self) -> Window:
        """The period of the same length that ends where this one starts."""
        return Window(self.since - (self.until - self.since), self.since)


def window_of(since: date, until: date, tz: tzinfo = UTC) -> Window:
    """Whole days in the reader's zone, `until` included (as on the desk: `until=2026-11-25`
    keeps the 25th); the period before must fit in the calendar too."""
    if until < since:
        raise ValueError(f"--until {until} is before --since {since}")
    try:
        start = datetime.combine(since, time(), tz).astimezone(UTC)
        end = datetime.combine(until + timedelta(days=1), time(), tz).astimezone(UTC)
        Window(start, end).previous  # noqa: B018 - raises when it would leave the calendar
    except (OverflowError, ValueError) as exc:
        raise ValueError(f"{since} … {until}: out of the calendar's range") from exc
    return Window(start, end)


@dataclass
class Volume:
    total: int
    split: dict[str, int]
    days: list[dict[str, Any]]  # t (YYYY-MM-DD), n, neg

    @property
    def negative_share(self) -> float | None:
        return self.split["negative"] / self.total if self.total else None

    @property
    def positive_share(self) -> float | None:
        return self.split["positive"] / self.total if self.total else None


@dataclass
class SpikeLine:
    id: int
    peak: datetime
    series: str
    volume: int
    expected: float
    terms: list[tuple[str, int]]


@dataclass
class Example:
    id: int
    created_at: datetime
    sentiment: str
    text: str
    url: str | None
    network: str
    author: str
    place: str
    reach: int


@dataclass
class CommunityLine:
    name: str
    kind: str
    stance: str
    volume: int
    share_before: float | None
    share_after: float | None


@dataclass
class Figures:
    brand_id: int
    slug: str
    name: str
    window: Window
    volume: Volume
    previous: Volume
    spikes: list[SpikeLine]
    words: list[tuple[str, int]]  # (phrase or word, mentions of the sample using it)
    places: list[dict[str, Any]]
    authors: list[dict[str, Any]]
    communities: list[CommunityLine]
    desk: DeskMetrics
    previous_desk: DeskMetrics
    by_network: list[CareRow]
    by_responder: list[CareRow]
    events: Events
    examples: dict[str, list[Example]] = field(default_factory=dict)
    # one row per location (a section of its own), the mentions of no location last
    locations: list[LocationRow] = field(default_factory=list)
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def volume(session: Session, brand_id: int, w: Window) -> Volume:
    """Mentions per day and the sentiment split: the overview's own function."""
    days, split = data.volume_and_split(session, brand_id, w.since, w.until, "day")
    return Volume(sum(row["n"] for row in days), split, days)


def mention_count(session: Session, brand_id: int, w: Window) -> int:
    """The store's own count of the brand's mentions in the window."""
    return int(session.scalar(
        select(func.count()).select_from(MentionBrand).where(
            MentionBrand.brand_id == brand_id, MentionBrand.created_at >= w.since,
            MentionBrand.created_at < w.until)) or 0)


def spikes(session: Session, brand_id: int, w: Window) -> list[SpikeLine]:
    return [SpikeLine(s.id, s.peak, s.series, s.volume, s.expected,
                      top_terms(s.explanation or {}, limit=5))
            for s in data.spikes_in(session, brand_id, w.since, w.until)]


def examples(session: Session, brand_id: int, w: Window, sentiment: str,
             limit: int = 3) -> list[Example]:
    """The most-read posts of one sentiment toward the brand (reach, then engagement)."""
    rows = session.execute(
        select(Mention, MentionBrand.sentiment)
        .join(MentionBrand, MentionBrand.mention_id == Mention.id)
        .where(MentionBrand.brand_id == brand_id, MentionBrand.created_at >= w.since,
               MentionBrand.created_at < w.until, MentionBrand.sentiment == sentiment)
        .order_by(func.coalesce(Mention.reach, 0).desc(),
                  func.coalesce(Mention.engagement, 0).desc(), Mention.id)
        .limit(limit)
    ).unique().all()
    out = []
    for m, label in rows:
        author = (m.author.name or m.author.handle or m.author.external_id) if m.author else ""
        place = (m.place.name or m.place.external_id) if m.place else ""
        out.append(Example(m.id, m.created_at, label or sentiment, m.text, m.url, m.network,
                           author, place, int(m.reach or 0)))
    return out


def _sample(session: Session, brand_id: int, w: Window, per_day: int) -> list[dict[str, Any]]:
    """The first `per_day` mentions of each day: one short index range a day, so a period of a
    million mentions still reads a few thousand texts."""
    stmt = (select(Mention.text, MentionBrand.sentiment, MentionBrand.created_at)
            .join(Mention, Mention.id == MentionBrand.mention_id)
            .where(MentionBrand.brand_id == brand_id,
                   MentionBrand.created_at >= bindparam("a"),
                   MentionBrand.created_at < bindparam("b"))
            .order_by(MentionBrand.created_at).limit(per_day))
    out: list[dict[str, Any]] = []
    day = w.since
    while day < w.until:
        end = min(day + timedelta(days=1), w.until)
        out += [{"text": t, "sentiment": s, "created_at": c}
                for t, s, c in session.execute(stmt, {"a": day, "b": end})]
        day = end
    return out


def top_words(session: Session, brand_id: int, w: Window, names: tuple[str, ...] = (),
              per_day: int = 60) -> list[tuple[str, int]]:
    """What people wrote about more than in the period before: the spike explainer's ranking
    (weighted log-odds) over a sample of each period's texts; the brand's own name (any word
    starting like one of `names`) is not news."""
    during = _sample(session, brand_id, w, per_day)
    if not during:
        return []
    before = _sample(session, brand_id, w.previous, per_day)
    own = {n.lower()[:4] for name in names for n in name.split() if len(n) >= 4}
    terms = top_terms(explain_spike(during, before, top=20, examples=0), limit=16)
    return [(t, n) for t, n in terms if not {x[:4] for x in t.lower().split()} & own][:8]


def _share_at(trend: list[dict[str, Any]], moment: datetime) -> float | None:
    """The community's negative share as of the last trend point at or before `moment`."""
    share = None
    for point in trend:
        try:
            end = datetime.fromisoformat(str(point.get("end")))
        except ValueError:
            continue
        if end.tzinfo is None:
            end = end.replace(tzinfo=UTC)
        if end <= moment and point.get("volume"):
            share = point.get("negative_share")
    return float(share) if isinstance(share, int | float) else None


def communities(session: Session, brand_id: int, w: Window, limit: int = 10
                ) -> list[CommunityLine]:
    """Places and opponent groups, hostile first, with the negative share before and after."""
    rows = session.scalars(
        select(Community).where(Community.brand_id == brand_id)
        .order_by((Community.stance == "unofficial-hostile").desc(), Community.volume.desc())
        .limit(limit))
    out = []
    for c in rows:
        details = c.details or {}
        raw = details.get("trend")
        trend: list[dict[str, Any]] = [p for p in raw if isinstance(p, dict)] \
            if isinstance(raw, list) else []
        name = c.name or c.key
        members = details.get("members")
        if c.kind == "author_group" and isinstance(members, list) and members:
            names = account_names(session, [str(k) for k in members[:3]])
            name = ", ".join(names[str(k)].label for k in members[:3])
            name += f" +{len(members) - 3}" if len(members) > 3 else ""
        out.append(CommunityLine(name, c.kind, c.stance, c.volume,
                                 _share_at(trend, w.since), _share_at(trend, w.until)))
    return out


def collect(session: Session, brand: str | int, w: Window) -> Figures:
    """Every figure of the report; `brand` is its slug or id."""
    b = get_brand(session, brand)
    before = w.previous
    desk, by_network, by_responder = care_figures(session, b.id, w)
    return Figures(
        brand_id=b.id, slug=b.slug, name=b.name, window=w,
        volume=volume(session, b.id, w), previous=volume(session, b.id, before),
        spikes=spikes(session, b.id, w), words=top_words(session, b.id, w, (b.name, b.slug)),
        places=data.top(session, "places", b.id, w.since, w.until),
        authors=data.top(session, "authors", b.id, w.since, w.until),
        communities=communities(session, b.id, w),
        desk=desk, previous_desk=care_figures(session, b.id, before)[0],
        by_network=by_network, by_responder=by_responder,
        events=events_in(session, b.id, w),
        examples={s: examples(session, b.id, w, s) for s in ("negative", "positive")},
        locations=league(session, b.id, w.since, w.until),
    )

