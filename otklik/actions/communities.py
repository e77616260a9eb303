"""Refresh a brand's communities: places with their stance, and groups of opponents.

Reads the brand's mentions from the store, runs `analytics.communities` over them and upserts
`Community` records by (brand, kind, key), so running it again over the same data creates nothing
new and only changes what changed. A new community and a change of stance are audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from otklik.actions.audit import record
from otklik.analytics.communities import (
    CommunityParams,
    OpponentGroup,
    PlaceInfo,
    PlaceStance,
    StancePost,
    Wave,
    opponent_groups,
    place_stances,
)
from otklik.db.models import (
    Attack,
    Author,
    Channel,
    Community,
    Incident,
    Mention,
    MentionBrand,
    Place,
    Spike,
)

ACTOR = "system:communities"


@dataclass
class BrandMention:
    """One of the brand's mentions with what community and attack analytics need."""

    id: int
    network: str
    external_id: str
    text: str
    created_at: datetime
    sentiment: str | None
    author_key: str
    followers: int | None
    author_created_at: datetime | None
    place_id: int | None
    place_key: str | None
    parent_external_id: str | None
    lang: str | None


@dataclass
class CommunityRefresh:
    created: int = 0
    updated: int = 0
    places: list[PlaceStance] = field(default_factory=list)
    groups: list[OpponentGroup] = field(default_factory=list)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def place_key(network: str, external_id: str) -> str:
    return f"{network}:{external_id}"


def load_brand_mentions(
    session: Session, brand_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[BrandMention]:
    """The brand's mentions in [since, until), oldest first, sentiment toward the brand."""
    author, place = aliased(Author), aliased(Place)
    query = (
        select(Mention.id, Mention.network, Mention.external_id, Mention.text, Mention.created_at,
               func.coalesce(MentionBrand.sentiment, Mention.sentiment), author.network,
               author.external_id, author.followers, author.created_at, Mention.place_id,
               place.network, place.external_id, Mention.parent_external_id, Mention.lang)
        .join(MentionBrand, MentionBrand.mention_id == Mention.id)
        .outerjoin(author, author.id == Mention.author_id)
        .outerjoin(place, place.id == Mention.place_id)
        .where(MentionBrand.brand_id == brand_id)
        .order_by(Mention.created_at, Mention.id)
    )
    if since is not None:
        query = query.where(Mention.created_at >= since)
    if until is not None:
        query = query.where(Mention.created_at < until)
    out = []
    for r in session.execute(query):
        out.append(BrandMention(
            id=r[0], network=r[1], external_id=r[2], text=r[3], created_at=_utc(r[4]),
            sentiment=r[5],
            author_key=place_key(r[6], r[7]) if r[6] is not None else f"{r[1]}:?{r[0]}",
            followers=r[8], author_created_at=None if r[9] is None else _utc(r[9]),
            place_id=r[10], place_key=None if r[11] is None else place_key(r[11], r[12]),
            parent_external_id=r[13], lang=r[14],
        ))
    return out


def _places(session: Session, brand_id: int, ids: set[int]) -> dict[int, tuple[str, PlaceInfo]]:
    """Places by id with their info; official = owned by the brand or one of its channels."""
    channels = {
        (c.network, c.external_id)
        for c in session.scalars(select(Channel).where(Channel.brand_id == brand_id))
    }
    out = {}
    for pl in session.scalars(select(Place).where(Place.id.in_(ids))) if ids else []:
        official = pl.official_brand_id == brand_id or (pl.network, pl.external_id) in channels
        out[pl.id] = (
            place_key(pl.network, pl.external_id),
            PlaceInfo(name=pl.name, audience=pl.audience, official=official),
        )
    return out


def stance_posts(mentions: Sequence[BrandMention]) -> list[StancePost]:
    """Mentions as `StancePost`s; a reply knows its parent's author when the parent is known."""
    by_ext = {(m.network, m.external_id): m.author_key for m in mentions}
    return [
        StancePost(
            id=str(m.id), author=m.author_key, created_at=m.created_at, sentiment=m.sentiment,
            place=m.place_key, text=m.text,
            reply_to_author=by_ext.get((m.network, m.parent_external_id or "")),
        )
        for m in mentions
    ]


def _waves(session: Session, brand_id: int, since: datetime, now: datetime) -> list[Wave]:
    """The brand's spikes and incidents as windows of complaints about one thing."""
    out = [(_utc(start), _utc(end or peak)) for start, peak, end in session.execute(
        select(Spike.start, Spike.peak, Spike.end).where(
            Spike.brand_id == brand_id, Spike.peak >= since))]
    out += [(_utc(start), _utc(end) if end else now) for start, end in session.execute(
        select(Incident.started_at, Incident.resolved_at).where(
            Incident.brand_id == brand_id, Incident.started_at <= now,
            (Incident.resolved_at.is_(None)) | (Incident.resolved_at >= since)))]
    return sorted(out)


def _upsert(
    session: Session, brand_id: int, kind: str, key: str, values: dict[str, Any],
    result: CommunityRefresh, now: datetime,
) -> None:
    row = session.scalar(select(Community).where(
        Community.brand_id == brand_id, Community.kind == kind, Community.key == key))
    if row is None:
        row = Community(brand_id=brand_id, kind=kind, key=key, updated_at=now, **values)
        session.add(row)
        session.flush()
        record(session, ACTOR, "community.created", "community", row.id, kind=kind, key=key,
               stance=values["stance"])
        result.created += 1
        return
    changed = {k: v for k, v in values.items() if getattr(row, k) != v}
    if not changed:
        return
    if "stance" in changed:
        record(session, ACTOR, "community.stance_changed", "community", row.id,
               before=row.stance, after=values["stance"])
    for k, v in changed.items():
        setattr(row, k, v)
    row.updated_at = now
    result.updated += 1


def refresh_communities(
    session: Session, brand_id: int, *, now: datetime | None = None,
    history: timedelta = timedelta(days=90), params: CommunityParams | None = None,
) -> CommunityRefresh:
    """Recompute and store the brand's places and opponent groups (idempotent)."""
    p = params or CommunityParams()
    now = _utc(now or datetime.now(UTC))
    mentions = load_brand_mentions(session, brand_id, since=now - history, until=now)
    places = _places(session, brand_id, {m.place_id for m in mentions if m.place_id})
    ids_by_key = {key: pid for pid, (key, _) in places.items()}
    posts = stance_posts(mentions)
    result = CommunityRefresh()
    result.places = place_stances(posts, {k: info for k, info in places.values()}, now, p)
    for s in result.places:
        _upsert(session, brand_id, "place", s.place, {
            "place_id": ids_by_key.get(s.place), "name": s.name or s.place, "stance": s.stance,
            "stance_score": s.stance_score, "volume": s.volume, "growth": s.growth,
            "audience": s.audience, "flagged": s.flagged,
            "details": {"negative": s.negative, "positive": s.positive,
                        "negative_share": s.negative_share, "p_hostile": s.p_hostile,
                        "trend": s.trend, "complaints": s.complaints},
        }, result, now)
    own = frozenset(key for key, info in places.values() if info.official)
    campaigns = frozenset(a for authors in session.scalars(
        select(Attack.authors).where(Attack.brand_id == brand_id)) for a in authors or [])
    result.groups = opponent_groups(posts, p, own_places=own, campaign_authors=campaigns,
                                    waves=_waves(session, brand_id, now - history, now))
    for g in result.groups:
        shown = ", ".join(g.members[:3]) + ("…" if len(g.members) > 3 else "")
        _upsert(session, brand_id, "author_group", g.key, {
            "place_id": None, "name": f"{len(g.members)} opponents: {shown}", "stance": g.stance,
            "stance_score": -g.negative_share, "volume": g.posts, "growth": None,
            "audience": None, "flagged": g.stance != "unofficial-neutral",
            "details": {"members": g.members, "places": g.places,
                        "typical_texts": g.typical_texts, "links": g.links, "days": g.days,
                        "topics": g.topics, "campaign": g.campaign},
        }, result, now)
    session.flush()
    return result
