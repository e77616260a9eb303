"""Geo-listening: sources that listen around each location, and a person's confirmation that an
unbranded post near a location is about the brand ("в кофейне у Арбатской отравился").

The sources are VK `newsfeed.search` with the location's latitude and longitude: VK returns
posts published near the point that have the query's words, whether or not they name the brand.
Those posts are stored like any other; the Точки page lists the ones near a location that name
no brand, and a person who confirms one makes it a mention of the brand at that location (and
the case rules then apply to it)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.cases import open_cases_for_mentions
from otklik.actions.changes import save_source
from otklik.db.models import Brand, Location, Mention, MentionBrand, Source

LISTEN_NETWORK = "vk"  # the network whose search takes coordinates


def listen_around(session: Session, brand: Brand, *, query: str, credentials: dict[str, str],
                  secret_key: str, interval_seconds: int = 900, actor: str) -> list[Source]:
    """One search source per enabled location with coordinates (run again: updated, not
    doubled); a location's source carries its id in `params.location_id`."""
    if not query.strip():
        raise ValueError("geo-listening needs the words to search for (e.g. кофе OR кофейня)")
    existing = {int(s.params.get("location_id") or 0): s for s in session.scalars(
        select(Source).where(Source.brand_id == brand.id, Source.network == LISTEN_NETWORK))
        if (s.params or {}).get("location_id")}
    made = []
    for location in session.scalars(select(Location).where(
            Location.brand_id == brand.id, Location.enabled.is_(True),
            Location.lat.is_not(None)).order_by(Location.id)):
        made.append(save_source(
            session, actor, existing.get(location.id), name=f"Рядом: {location.name}"[:200],
            network=LISTEN_NETWORK, kind="search",
            params={"q": query, "latitude": location.lat, "longitude": location.lon,
                    "location_id": location.id},
            credentials=credentials, interval_seconds=interval_seconds, enabled=True,
            brand_id=brand.id, secret_key=secret_key))
    return made


def confirm_nearby(session: Session, mention_id: int, location_id: int, *, actor: str,
                   now: datetime | None = None) -> MentionBrand:
    """A person says the post near the location is about its brand: it becomes the brand's
    mention at that location, and the case rules decide about it as about any other."""
    mention = session.get(Mention, mention_id)
    location = session.get(Location, location_id)
    if mention is None or location is None:
        raise LookupError(f"no mention {mention_id} or location {location_id}")
    found = session.get(MentionBrand, (mention_id, location.brand_id))
    if found is None:
        found = MentionBrand(mention_id=mention_id, brand_id=location.brand_id, query_ids=[],
                             sentiment=mention.sentiment, created_at=mention.created_at,
                             place_id=mention.place_id, author_id=mention.author_id,
                             location_id=location_id)
        session.add(found)
    else:
        found.location_id = location_id
    session.flush()
    record(session, actor, "location.confirm_nearby", "mention", mention_id,
           brand_id=location.brand_id, location_id=location_id)
    open_cases_for_mentions(session, [mention_id], actor=actor, now=now or datetime.now(UTC))
    return found
