"""A brand's locations: added, changed, imported and switched off only here.

Coordinates come from the person or the imported file: nothing is geocoded. Mentions stored
before a change keep the location they were given; new ones are attributed with the change.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from otklik.actions.audit import record
from otklik.actions.brands import BrandError, get_brand
from otklik.db.models import Brand, Case, Location, Mention, MentionBrand, Place, User
from otklik.db.rows import get_row
from otklik.domain import cases as sm
from otklik.domain.enrichment import ENRICH_CHARS
from otklik.nlp.toponyms import brand_location_index
from otklik.wording import catalogues

# the columns a location file may have (a header row names them; only `name` is required)
COLUMNS = ("name", "address", "lat", "lon", "aliases", "hours", "team", "responsible",
           "places", "brand")


class LocationError(ValueError):
    """A location cannot be stored as given: a key of the `wording` catalogue and its values,
    so the desk says it in the reader's language; str() is the English."""

    def __init__(self, key: str, line: int | None = None, **values: object) -> None:
        self.key, self.line, self.values = key, line, values
        super().__init__(self.say("en"))

    def at(self, line: int) -> LocationError:
        return LocationError(self.key, line, **self.values)

    def say(self, lang: str) -> str:
        text = catalogues.say(self.key, lang, **self.values)
        if self.line is None:
            return text
        return catalogues.say("at_line", lang, line=self.line, text=text)


@dataclass
class LocationInput:
    """What a person gives for a location (the form, the CLI options or one file row)."""

    name: str
    address: str = ""
    lat: float | None = None
    lon: float | None = None
    aliases: list[str] = field(default_factory=list)
    hours: str = ""
    team: str = ""
    responsible: str = ""  # the e-mail of the user who answers for it
    places: list[str] = field(default_factory=list)
    brand: str = ""  # a file row's brand (slug or id), when the import names none
    line: int | None = None  # the file's line, for errors

    def check(self) -> None:
        if not self.name.strip():
            raise LocationError("loc_needs_name")
        if (self.lat is None) != (self.lon is None):
            raise LocationError("loc_both_coordinates", name=self.name)
        if self.lat is not None and not -90 <= self.lat <= 90:
            raise LocationError("loc_latitude_range", name=self.name, value=self.lat)
        if self.lon is not None and not -180 <= self.lon <= 180:
            raise LocationError("loc_longitude_range", name=self.name, value=self.lon)
        for place in self.places:
            if ":" not in place:
                raise LocationError("loc_bad_page", name=self.name, value=place)


def _responsible_id(session: Session, email: str) -> int | None:
    if not email.strip():
        return None
    user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    if user_id is None:
        raise LocationError("loc_no_user", value=email)
    return user_id


def save_location(session: Session, brand_id: int, given: LocationInput, *,
                  actor: str) -> Location:
    """Add the location, or change the brand's location of that name (an import run twice
    changes nothing)."""
    given.check()
    location = session.scalar(select(Location).where(
        Location.brand_id == brand_id, Location.name == given.name.strip()))
    created = location is None
    if location is None:
        location = Location(brand_id=brand_id, name=given.name.strip())
        session.add(location)
    location.address = given.address.strip()
    location.lat, location.lon = given.lat, given.lon
    location.aliases = [a.strip() for a in given.aliases if a.strip()]
    location.places = [p.strip() for p in given.places if p.strip()]
    location.hours, location.team = given.hours.strip(), given.team.strip()
    before = location.responsible_id
    location.responsible_id = _responsible_id(session, given.responsible)
    location.enabled = True
    session.flush()
    record(session, actor, "location.create" if created else "location.update", "location",
           location.id, brand_id=brand_id, name=location.name, address=location.address,
           lat=location.lat, lon=location.lon, aliases=location.aliases)
    if not created and before != location.responsible_id:
        _hand_over(session, location, before, actor)
    return location


def _hand_over(session: Session, location: Location, before: int | None, actor: str) -> None:
    """A location's new responsible person takes its open cases that were routed to the old
    one (or to no one); cases a person took or was given by hand stay with them."""
    open_cases = session.scalars(
        select(Case).join(MentionBrand, (MentionBrand.mention_id == Case.root_mention_id)
                          & (MentionBrand.brand_id == Case.brand_id))
        .where(MentionBrand.location_id == location.id, Case.state.in_(sm.OPEN_STATES),
               Case.assignee_id.is_(None) if before is None else Case.assignee_id == before))
    for case in open_cases:
        case.assignee_id = location.responsible_id
        record(session, actor, "case.assign", "case", case.id, before=before,
               after=location.responsible_id, reason=f"location {location.id} handed over")


def save_one_location(session: Session, brand_id: int, given: LocationInput, *,
                      actor: str) -> Location:
    """`save_location` for one request, committed (an import saves its rows in one)."""
    location = save_location(session, brand_id, given, actor=actor)
    session.commit()
    return location


def location_by_id(session: Session, location_id: int) -> Location:
    """The location, or LookupError (a 404 to the web)."""
    return get_row(session, Location, location_id, "location")


def disable_location(session: Session, location_id: int, *, actor: str) -> Location:
    """Stop attributing new mentions to a location (what was attributed stays); committed."""
    location = location_by_id(session, location_id)
    location.enabled = False
    record(session, actor, "location.disable", "location", location.id, name=location.name)
    session.commit()
    return location


def _number(value: str, what: str, line: int) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise LocationError("loc_not_number", line, field=what, value=value) from None


def _list(value: str) -> list[str]:
    return [v.strip() for v in value.replace(";", "|").split("|") if v.strip()]


def parse_location_csv(text: str) -> list[LocationInput]:
    """Rows of a location file (comma-separated, a header row; aliases and places separated by
    `|` or `;`), or LocationError naming the line."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in reader.fieldnames or []]
    if "name" not in header:
        raise LocationError("loc_header", 1, value=", ".join(COLUMNS))
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise LocationError("loc_unknown_columns", 1, value=", ".join(unknown))
    reader.fieldnames = header
    rows: list[LocationInput] = []
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k}
        given = LocationInput(
            name=cells.get("name", ""), address=cells.get("address", ""),
            lat=_number(cells.get("lat", ""), "lat", line),
            lon=_number(cells.get("lon", ""), "lon", line),
            aliases=_list(cells.get("aliases", "")), hours=cells.get("hours", ""),
            team=cells.get("team", ""), responsible=cells.get("responsible", ""),
            places=_list(cells.get("places", "")), brand=cells.get("brand", ""), line=line)
        try:
            given.check()
        except LocationError as exc:
            raise exc.at(line) from None
        rows.append(given)
    return rows


def import_locations(session: Session, brand_id: int | None, rows: Iterable[LocationInput], *,
                     actor: str) -> list[Location]:
    """Save every row (all or nothing: the caller commits), to `brand_id`, else to the brand
    each row names in its `brand` column."""
    saved = []
    for row in rows:
        target = brand_id
        if target is None:
            if not row.brand:
                raise LocationError("loc_no_brand", row.line)
            try:
                target = get_brand(session, row.brand).id
            except BrandError:
                raise LocationError("loc_unknown_brand", row.line, value=row.brand) from None
        saved.append(save_location(session, target, row, actor=actor))
    return saved


def route_case(session: Session, case: Case, mention_id: int) -> None:
    """A new case about a location goes to the location's people: its responsible user is
    assigned (unless someone already is) and the case is tagged with the location's name and
    team, so the inbox and the case list filter by them."""
    location = session.scalar(
        select(Location).join(MentionBrand, MentionBrand.location_id == Location.id)
        .where(MentionBrand.mention_id == mention_id, MentionBrand.brand_id == case.brand_id))
    if location is None:
        return
    tags = [t for t in (location.name, location.team) if t and t not in case.tags]
    case.tags = [*case.tags, *tags]
    if case.assignee_id is None and location.responsible_id is not None:
        case.assignee_id = location.responsible_id
    record(session, "system", "case.route", "case", case.id, location_id=location.id,
           assignee=case.assignee_id, tags=tags)


def set_radius(session: Session, brand: Brand, metres: float, *, actor: str) -> None:
    """How far from a location a post's coordinates still count as being there."""
    if not 10 <= metres <= 10_000:
        raise LocationError("loc_radius_range", value=metres)
    before = (brand.settings or {}).get("location_radius_m")
    brand.settings = {**(brand.settings or {}), "location_radius_m": float(metres)}
    record(session, actor, "brand.location_radius", "brand", brand.id, before=before,
           after=float(metres))


def reattribute(session: Session, brand: Brand, since: datetime, *, actor: str) -> int:
    """Attribute the brand's mentions stored since `since` again, with its locations as they
    are now (after adding or changing them); returns how many changed location. Mentions
    confirmed by a person near a location (no query matched) keep theirs."""
    index = brand_location_index(session, brand)
    rows = session.execute(
        select(MentionBrand.mention_id, MentionBrand.location_id, MentionBrand.query_ids,
               Mention.text, Mention.lat, Mention.lon, Mention.network, Place.external_id)
        .join(Mention, Mention.id == MentionBrand.mention_id)
        .outerjoin(Place, Place.id == Mention.place_id)
        .where(MentionBrand.brand_id == brand.id, MentionBrand.created_at >= since)).all()
    changed = 0
    for mention_id, current, query_ids, text, lat, lon, network, place in rows:
        if not query_ids and current is not None:
            continue
        found = index.locate((text or "")[:ENRICH_CHARS], lat, lon,
                             f"{network}:{place}" if place else None)
        location_id = found.site.id if found else None
        if location_id != current:
            session.execute(update(MentionBrand).where(
                MentionBrand.mention_id == mention_id, MentionBrand.brand_id == brand.id)
                .values(location_id=location_id))
            changed += 1
    record(session, actor, "location.reattribute", "brand", brand.id,
           since=since.isoformat(), mentions=len(rows), changed=changed)
    return changed
