"""Read-side queries for the pages and the API: mention lists with filters, overview figures.

Reads only; every change goes through `otklik.actions` (or the web's own `changes` module).
Lists page by id (keyset), so the millionth row costs what the first does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from sqlalchemy import Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import Session

from otklik.db.models import (
    Author,
    CaseMention,
    DuplicateCluster,
    Location,
    Mention,
    MentionBrand,
    Place,
    Spike,
)
from otklik.db.rows import get_row
from otklik.domain.ids import parse_id
from otklik.figures.buckets import buckets, zone_name

SENTIMENTS = ("negative", "neutral", "positive")


@dataclass
class MentionFilter:
    """What the mention stream and the API list may be narrowed by."""

    brand_id: int | None = None
    network: str | None = None
    sentiment: str | None = None
    lang: str | None = None
    place: str | None = None  # place id or a piece of its name
    author: str | None = None  # handle or a piece of the name
    since: datetime | None = None
    until: datetime | None = None
    query: str | None = None  # the brand query language, matched by `otklik.query`
    cluster_id: int | None = None  # unfold one near-duplicate cluster
    fold: bool = True
    location_id: int | None = None  # the brand location the mention is about

    def as_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key in ("brand_id", "network", "sentiment", "lang", "place", "author",
                    "location_id"):
            value = getattr(self, key)
            if value not in (None, ""):
                out[key] = value
        for key in ("since", "until"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value.isoformat()
        return out


@dataclass
class MentionPage:
    mentions: list[Mention]
    folded: dict[int, int] = field(default_factory=dict)  # cluster id → size
    next_cursor: int | None = None  # the last id shown: pass as before_id
    cases: dict[int, int] = field(default_factory=dict)  # mention id → the case it is in
    # mention id → the locations it is about: (location id, name)
    locations: dict[int, list[tuple[int, str]]] = field(default_factory=dict)


def _filtered(stmt: Select[Any], f: MentionFilter) -> Select[Any]:
    m = Mention
    if f.brand_id is not None:
        stmt = stmt.where(
            exists().where(MentionBrand.mention_id == m.id, MentionBrand.brand_id == f.brand_id)
        )
    if f.location_id is not None:
        stmt = stmt.where(exists().where(MentionBrand.mention_id == m.id,
                                         MentionBrand.location_id == f.location_id))
    if f.network:
        stmt = stmt.where(m.network == f.network)
    if f.sentiment:
        stmt = stmt.where(m.sentiment.is_(None) if f.sentiment == "unknown"
                          else m.sentiment == f.sentiment)
    if f.lang:
        stmt = stmt.where(m.lang == f.lang)
    if f.place:
        place_id = parse_id(f.place)
        if place_id is not None:
            stmt = stmt.where(m.place_id == place_id)
        else:
            stmt = stmt.where(m.place_id.in_(
                select(Place.id).where(Place.name.ilike(f"%{_like(f.place)}%", escape="\\"))
            ))
    if f.author:
        handle = f.author.lstrip("@")
        stmt = stmt.where(m.author_id.in_(
            select(Author.id).where(or_(
                Author.handle == handle,
                Author.name.ilike(f"%{_like(f.author)}%", escape="\\"),
            ))
        ))
    if f.since is not None:
        stmt = stmt.where(m.created_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(m.created_at < f.until)
    if f.cluster_id is not None:
        stmt = stmt.where(m.cluster_id == f.cluster_id)
    elif f.fold:
        # keep a clustered mention only if it is its cluster's exemplar
        stmt = stmt.where(or_(
            m.cluster_id.is_(None),
            exists().where(DuplicateCluster.id == m.cluster_id,
                           DuplicateCluster.exemplar_mention_id == m.id),
        ))
    return stmt


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_mentions(
    session: Session,
    f: MentionFilter,
    *,
    limit: int = 50,
    before_id: int | None = None,
    after_id: int | None = None,
) -> MentionPage:
    """Newest first; `before_id` pages back, `after_id` fetches what arrived since."""
    stmt = _filtered(select(Mention), f)
    if before_id is not None:
        stmt = stmt.where(Mention.id < before_id)
    if after_id is not None:
        stmt = stmt.where(Mention.id > after_id)
    stmt = stmt.order_by(Mention.id.desc())
    if f.query:
        from otklik.query.search import filter_by_query

        rows = list(filter_by_query(session, stmt, f.query, limit + 1))
    else:
        rows = list(session.scalars(stmt.limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    clusters = {m.cluster_id for m in rows if m.cluster_id is not None}
    folded: dict[int, int] = {}
    if clusters:
        folded = dict(session.execute(
            select(DuplicateCluster.id, DuplicateCluster.size)
            .where(DuplicateCluster.id.in_(clusters))
        ).all())
    cases = dict(session.execute(
        select(CaseMention.mention_id, func.min(CaseMention.case_id))
        .where(CaseMention.mention_id.in_([m.id for m in rows]))
        .group_by(CaseMention.mention_id)).all()) if rows else {}
    return MentionPage(rows, folded, rows[-1].id if more and rows else None, cases,
                       _locations_of(session, [m.id for m in rows]))


def _locations_of(session: Session, ids: list[int]) -> dict[int, list[tuple[int, str]]]:
    found: dict[int, list[tuple[int, str]]] = {}
    if ids:
        for mention_id, location_id, name in session.execute(
                select(MentionBrand.mention_id, Location.id, Location.name)
                .join(Location, Location.id == MentionBrand.location_id)
                .where(MentionBrand.mention_id.in_(ids))):
            found.setdefault(mention_id, []).append((location_id, name))
    return found


def mention_by_id(session: Session, mention_id: int) -> Mention:
    """The mention, or LookupError (a 404 to the web)."""
    return get_row(session, Mention, mention_id, "mention")


def count_mentions(session: Session, f: MentionFilter) -> int:
    """How many mentions the filter (without a query's text) selects: one indexed count."""
    return int(session.scalar(_filtered(select(func.count(Mention.id)), f)) or 0)


def latest_id(session: Session) -> int:
    return int(session.scalar(select(func.max(Mention.id))) or 0)


def top(session: Session, what: str, brand_id: int | None, since: datetime, until: datetime,
        limit: int = 10) -> list[dict[str, Any]]:
    """Top places or authors (`what`) by mention count in the window."""
    table: Any = Mention if brand_id is None else MentionBrand
    base = select(table.id if brand_id is None else table.mention_id).where(
        *_window(table, brand_id, since, until))
    if what == "places":
        return _top(session, base, table.place_id, Place, limit)
    return _top(session, base, table.author_id, Author, limit)


def _window(table: Any, brand_id: int | None, since: Any, until: Any) -> list[Any]:
    """The window's conditions: on `mentions` for all brands, else on the brand's copies in
    `mention_brands`; either way one range of one covering index (`ix_*_window`)."""
    where = [table.created_at >= since, table.created_at < until]
    if brand_id is not None:
        where.append(table.brand_id == brand_id)
    return where


def _top(session: Session, base: Select[Any], column: Any, model: Any,
         limit: int) -> list[dict[str, Any]]:
    counts = session.execute(
        base.with_only_columns(column, func.count().label("n"))
        .where(column.is_not(None))
        .group_by(column).order_by(func.count().desc()).limit(limit)
    ).all()
    ids = [row[0] for row in counts]
    objects = {o.id: o for o in session.scalars(select(model).where(model.id.in_(ids)))}
    out = []
    for obj_id, n in counts:
        obj = objects.get(obj_id)
        if obj is None:
            continue
        label = getattr(obj, "name", None) or getattr(obj, "handle", None) or obj.external_id
        out.append({"id": obj_id, "label": label, "network": obj.network, "count": int(n)})
    return out


def volume_and_split(session: Session, brand_id: int | None, since: datetime, until: datetime,
                     bucket: str, tz: tzinfo = UTC) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """Mentions and negatives per bucket ('hour' or 'day', cut in `tz`: see `buckets`), and the
    sentiment split.

    For one brand the label is the sentiment toward that brand (`mention_brands.sentiment`,
    which the pipeline fills, falling back to the mention's own, and an analyst's correction
    updates), else the mention's own.
    """
    table: Any = Mention if brand_id is None else MentionBrand
    counts = [func.count(), *(func.count().filter(table.sentiment == s) for s in SENTIMENTS)]
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(zone_name(tz), table.created_at)
        key = func.to_char(func.date_trunc(bucket, local),
                           'YYYY-MM-DD"T"HH24:00' if bucket == "hour" else "YYYY-MM-DD")
        rows: list[Any] = list(session.execute(
            select(key, *counts).where(*_window(table, brand_id, since, until)).group_by(key)
        ))
    else:
        rows = _per_bucket(session, table, brand_id, since, until, bucket, counts, tz)
    series = []
    split = {s: 0 for s in (*SENTIMENTS, "unknown")}
    for t, n, *labelled in rows:
        if not n:
            continue
        series.append({"t": t, "n": int(n), "neg": int(labelled[0])})
        for label, k in zip(SENTIMENTS, labelled, strict=True):
            split[label] += int(k)
        split["unknown"] += int(n) - sum(int(k) for k in labelled)
    return sorted(series, key=lambda row: row["t"]), split


def _per_bucket(session: Session, table: Any, brand_id: int | None, since: datetime,
                until: datetime, bucket: str, counts: list[Any], tz: tzinfo) -> list[Any]:
    """SQLite: one small count over the covering index per bucket, instead of one GROUP BY over
    the window, whose sorter costs ~5× the index scan (30 days of 1M mentions: 37 ms, not 180).
    """
    stmt = select(*counts).where(*_window(table, brand_id, bindparam("a"), bindparam("b")))
    return [(b.key, *session.execute(stmt, {"a": b.start, "b": b.end}).one())
            for b in buckets(since, until, bucket, tz)]


def case_figures(session: Session, brand_id: int | None, since: datetime,
                 until: datetime) -> dict[str, Any]:
    """Open cases now; SLA breaches and loop closure of the cases opened in the window.

    The figures are the care module's (`otklik.care.metrics`), summed over brands for "all".
    """
    from otklik.db.models import Brand, Case
    from otklik.domain.cases import OPEN_STATES
    from otklik.figures.desk_metrics import desk_metrics

    scope = [Case.brand_id == brand_id] if brand_id is not None else []
    open_cases = session.scalar(
        select(func.count()).select_from(Case).where(Case.state.in_(OPEN_STATES), *scope)
    ) or 0
    brand_ids = [brand_id] if brand_id is not None else list(session.scalars(select(Brand.id)))
    complaints = breaches = closed_loops = 0
    for bid in brand_ids:
        m = desk_metrics(session, bid, since, until)
        complaints += m.complaints
        breaches += m.sla_breached
        closed_loops += m.loop_closed
    return {
        "open": int(open_cases),
        "breaches": breaches,
        "complaints": complaints,
        "loop_closed": closed_loops,
        "loop_closure": (closed_loops / complaints) if complaints else None,
    }


def spikes_in(session: Session, brand_id: int | None, since: datetime,
              until: datetime) -> list[Spike]:
    stmt = select(Spike).where(Spike.peak >= since, Spike.peak < until).order_by(Spike.peak)
    if brand_id is not None:
        stmt = stmt.where(Spike.brand_id == brand_id)
    return list(session.scalars(stmt))


def spike_by_id(session: Session, spike_id: int) -> Spike:
    """The spike, or LookupError (a 404 to the web)."""
    return get_row(session, Spike, spike_id, "spike")
