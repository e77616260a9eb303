"""Community discovery: places named after the brand, found by the network's own community
search (VK `groups.search`), join the registry before anyone has mentioned the brand there.

A discovered place is stored with no stance evidence ("unofficial-neutral", volume 0) unless it is
one of the brand's own channels; `refresh_communities` judges it once mentions arrive.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.brands import brand_by_id
from otklik.actions.communities import place_key
from otklik.db.models import Channel, Community
from otklik.db.models import Place as PlaceRow
from otklik.domain.posts import Place
from otklik.sources.vk import VKSource


def store_place(session: Session, network: str, place: Place, *,
                official_brand_id: int | None = None) -> PlaceRow:
    """The stored row of a place, added (as the brand's own, when `official_brand_id` says so)
    if it is not known yet; a known one is left as it is."""
    row = session.scalar(select(PlaceRow).where(
        PlaceRow.network == network, PlaceRow.external_id == place.external_id))
    if row is None:
        row = PlaceRow(network=network, external_id=place.external_id, name=place.name,
                       kind=place.kind, audience=place.audience, url=place.url,
                       official_brand_id=official_brand_id)
        session.add(row)
        session.flush()
    return row


def register_places(
    session: Session, brand_id: int, network: str, places: Sequence[Place], *,
    how: str, actor: str = "system", now: datetime | None = None,
) -> list[Community]:
    """Store found places and their registry rows; known ones are left as they are."""
    now = now or datetime.now(UTC)
    owned = set(session.scalars(select(Channel.external_id).where(
        Channel.brand_id == brand_id, Channel.network == network)))
    added: list[Community] = []
    for place in places:
        row = store_place(session, network, place,
                          official_brand_id=brand_id if place.external_id in owned else None)
        key = place_key(network, place.external_id)
        if session.scalar(select(Community.id).where(
                Community.brand_id == brand_id, Community.kind == "place",
                Community.key == key)) is not None:
            continue
        stance = "official" if place.external_id in owned else "unofficial-neutral"
        community = Community(brand_id=brand_id, kind="place", key=key, place_id=row.id,
                              name=place.name or key, stance=stance, volume=0,
                              audience=place.audience, updated_at=now,
                              details={"discovered_by": how})
        session.add(community)
        session.flush()
        record(session, actor, "community.discovered", "community", community.id, key=key,
               how=how)
        added.append(community)
    return added


async def discover_vk(session: Session, brand_id: int, vk: VKSource, *,
                      actor: str = "system") -> list[Community]:
    """Search VK communities by the brand's name and aliases; register what is new."""
    brand = brand_by_id(session, brand_id)
    names = [brand.name, *((brand.settings or {}).get("aliases") or [])]
    found: dict[str, Place] = {}
    for name in names:
        for place in await vk.search_groups(name):
            found.setdefault(place.external_id, place)
    return register_places(session, brand_id, "vk", list(found.values()),
                           how="vk groups.search", actor=actor)
