"""A brand's locations: list, add or change, switch off, the league table, and attribution of
posts (the same contract as `otklik locate`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import select

from otklik.actions.brands import brand_by_id
from otklik.actions.locations import (
    LocationError,
    LocationInput,
    disable_location,
    location_by_id,
    save_one_location,
)
from otklik.db.models import Location, User
from otklik.domain.ids import StoreId
from otklik.figures.locations import league
from otklik.nlp.toponyms import brand_location_index
from otklik.web.api.common import invalid
from otklik.web.api.schemas import StoreDateTime
from otklik.web.deps import Analyst, Reader, SessionDep, get_or_404

router = APIRouter(prefix="/api/v1", tags=["locations"])
Name = Annotated[str, Field(min_length=1, max_length=200)]


class LocationIn(BaseModel):
    name: Name
    address: str = Field("", max_length=500)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    aliases: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list,
                                                                 max_length=50)
    hours: str = Field("", max_length=200)
    team: str = Field("", max_length=200)
    responsible: str = Field("", max_length=200, description="the e-mail of a user")
    places: list[Annotated[str, Field(max_length=300)]] = Field(
        default_factory=list, max_length=50, description="network:id of the location's pages")


class LocationOut(BaseModel):
    id: int
    brand_id: int
    name: str
    address: str
    lat: float | None
    lon: float | None
    aliases: list[str]
    places: list[str]
    hours: str
    team: str
    responsible: str | None
    enabled: bool


class Geo(BaseModel):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class PostIn(BaseModel):
    id: Any
    text: str = Field(max_length=100_000)
    geo: Geo | None = None
    place: str | None = Field(None, max_length=300)


class LocateIn(BaseModel):
    posts: list[PostIn] = Field(max_length=10_000)


class Located(BaseModel):
    id: Any
    location: str | None


def _out(location: Location, email: str | None) -> LocationOut:
    return LocationOut(
        id=location.id, brand_id=location.brand_id, name=location.name,
        address=location.address, lat=location.lat, lon=location.lon,
        aliases=list(location.aliases or []), places=list(location.places or []),
        hours=location.hours, team=location.team, responsible=email, enabled=location.enabled)


@router.get("/brands/{brand_id}/locations", response_model=list[LocationOut])
def list_locations(brand_id: StoreId, _: Reader, session: SessionDep) -> list[LocationOut]:
    get_or_404(session, brand_by_id, brand_id)
    rows = session.execute(
        select(Location, User.email).outerjoin(User, User.id == Location.responsible_id)
        .where(Location.brand_id == brand_id).order_by(Location.id)).all()
    return [_out(location, email) for location, email in rows]


@router.post("/brands/{brand_id}/locations", response_model=LocationOut, status_code=201)
def put_location(brand_id: StoreId, body: LocationIn, principal: Analyst,
                 session: SessionDep) -> LocationOut:
    """Add a location, or change the brand's location of that name."""
    get_or_404(session, brand_by_id, brand_id)
    try:
        location = save_one_location(session, brand_id, LocationInput(**body.model_dump()),
                                     actor=principal.actor)
    except LocationError as exc:
        raise invalid(("body",), str(exc)) from exc
    return _out(location, body.responsible or None)


@router.post("/locations/{location_id}/disable", response_model=LocationOut)
def disable(location_id: StoreId, principal: Analyst, session: SessionDep) -> LocationOut:
    """Stop attributing new mentions to the location (those attributed keep it)."""
    get_or_404(session, location_by_id, location_id)
    location = disable_location(session, location_id, actor=principal.actor)
    user = session.get(User, location.responsible_id) if location.responsible_id else None
    return _out(location, user.email if user else None)


@router.get("/brands/{brand_id}/locations/league")
def location_league(_: Reader, session: SessionDep, brand_id: StoreId,
                    since: StoreDateTime | None = None,
                    until: StoreDateTime | None = None) -> list[dict[str, Any]]:
    """Per location: mentions, negative share, open cases, SLA kept, loop closure, and the
    trend against the period of the same length before (default: the last 30 days). The
    mentions of no location come last, with `id` null."""
    get_or_404(session, brand_by_id, brand_id)
    until = until or datetime.now(UTC)
    try:
        since = since or until - timedelta(days=30)
        since - (until - since)  # the period before must stay in the calendar
    except OverflowError as exc:
        raise invalid(("query", "since"), "too early for a period before it") from exc
    if since >= until:
        raise invalid(("query", "since"), "must be before until")
    return [row.as_dict() for row in league(session, brand_id, since, until)]


@router.post("/brands/{brand_id}/locate", response_model=list[Located])
def locate(brand_id: StoreId, body: LocateIn, _: Reader, session: SessionDep) -> list[Located]:
    """Which of the brand's locations each post is about, in input order."""
    index = brand_location_index(session, get_or_404(session, brand_by_id, brand_id))
    out = []
    for post in body.posts:
        found = index.locate(post.text, post.geo.lat if post.geo else None,
                             post.geo.lon if post.geo else None, post.place)
        out.append(Located(id=post.id, location=found.site.name if found else None))
    return out
