"""`otklik location add/list/import/off` and `otklik locate`: a brand's locations, over
actions.locations, and which location each post of a file is about.

`otklik locate --brand BRAND [FILE|-]`: input lines `{"id", "text", "geo"?: {"lat", "lon"},
"place"?: "network:id"}`, output lines `{"id", "location": NAME or null}` in input order. The
whole input is read and checked first: a bad line exits with code 2 naming it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlalchemy import select

from otklik.actions.brands import get_brand
from otklik.actions.locations import (
    LocationInput,
    disable_location,
    import_locations,
    parse_location_csv,
    reattribute,
    save_location,
    set_radius,
)
from otklik.actions.nearby import listen_around
from otklik.cli._common import (
    DEFAULT_ACTOR,
    ActorOpt,
    fail,
    read_lines,
    settings_of,
    store_session,
)
from otklik.cli.sources import credentials_from_env
from otklik.db.models import Location, User
from otklik.nlp.toponyms import brand_location_index

location_app = typer.Typer(help="The brand's locations (cafés, branches, stores).",
                           no_args_is_help=True)


def _shown(location: Location, responsible: str | None) -> dict[str, Any]:
    return {"id": location.id, "brand_id": location.brand_id, "name": location.name,
            "address": location.address, "lat": location.lat, "lon": location.lon,
            "aliases": list(location.aliases or []), "places": list(location.places or []),
            "hours": location.hours, "team": location.team, "responsible": responsible,
            "enabled": location.enabled}


@location_app.command("add")
def location_add(
    ctx: typer.Context, brand: str, name: str,
    address: Annotated[str, typer.Option(help="Town first: 'Москва, ул. Арбат, 10'")] = "",
    lat: Annotated[float | None, typer.Option(help="Latitude, e.g. 55.7508")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude, e.g. 37.5936")] = None,
    alias: Annotated[list[str] | None, typer.Option(
        help="A word customers use for it, in the nominative (street, metro, mall); repeat")
    ] = None,
    hours: Annotated[str, typer.Option(help="Opening hours, e.g. 'пн–вс 8:00–22:00'")] = "",
    team: Annotated[str, typer.Option(help="The team that answers for it")] = "",
    responsible: Annotated[str, typer.Option(help="E-mail of the user who answers for it")] = "",
    place: Annotated[list[str] | None, typer.Option(
        help="network:id of a page that belongs to it (vk:-123); repeat")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Add a location to the brand, or change the one of that name (prints JSON)."""
    with store_session(ctx) as s:
        given = LocationInput(name=name, address=address, lat=lat, lon=lon,
                              aliases=list(alias or []), hours=hours, team=team,
                              responsible=responsible, places=list(place or []))
        location = save_location(s, get_brand(s, brand).id, given, actor=actor)
        typer.echo(json.dumps(_shown(location, responsible or None), ensure_ascii=False))


@location_app.command("list")
def location_list(ctx: typer.Context,
                  brand: Annotated[str | None, typer.Argument()] = None) -> None:
    """The locations (JSON lines), of one brand when given."""
    with store_session(ctx) as s:
        query = select(Location, User.email).outerjoin(
            User, User.id == Location.responsible_id).order_by(Location.brand_id, Location.id)
        if brand:
            query = query.where(Location.brand_id == get_brand(s, brand).id)
        for location, email in s.execute(query):
            typer.echo(json.dumps(_shown(location, email), ensure_ascii=False))


@location_app.command("import")
def location_import(
    ctx: typer.Context, file: Path,
    brand: Annotated[str | None, typer.Option(
        help="The brand the locations belong to (else each row's brand column)")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Add or change locations from a CSV file with a header: name,address,lat,lon,aliases,
    hours,team,responsible,places,brand (aliases and places separated by |). All or nothing."""
    if not file.exists():
        fail(f"{file}: no such file")
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    with store_session(ctx) as s:
        rows = parse_location_csv(text)
        done = import_locations(s, get_brand(s, brand).id if brand else None, rows,
                                actor=actor)
        typer.echo(json.dumps({"imported": len(done)}))


@location_app.command("off")
def location_off(ctx: typer.Context, location_id: int, actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Stop attributing new mentions to a location (those attributed keep it)."""
    with store_session(ctx) as s:
        disable_location(s, location_id, actor=actor)


@location_app.command("radius")
def location_radius(ctx: typer.Context, brand: str, metres: float,
                    actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """How far (metres) from a location a post's coordinates count as being there (300)."""
    with store_session(ctx) as s:
        set_radius(s, get_brand(s, brand), metres, actor=actor)


@location_app.command("reattribute")
def location_reattribute(
    ctx: typer.Context, brand: str,
    days: Annotated[int, typer.Option(help="How many days back")] = 30,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Attribute the brand's recent mentions again, with its locations as they are now."""
    since = datetime.now(UTC) - timedelta(days=days)
    with store_session(ctx) as s:
        changed = reattribute(s, get_brand(s, brand), since, actor=actor)
        typer.echo(json.dumps({"changed": changed}))


@location_app.command("listen")
def location_listen(
    ctx: typer.Context, brand: str,
    query: Annotated[str, typer.Option(help="Words to search near each location: кофе OR кофейня")],
    credential_env: Annotated[list[str] | None, typer.Option(
        "--credential-env", help="access_token=ENV_VAR: the VK token, from the environment")
    ] = None,
    interval: Annotated[int, typer.Option(help="Seconds between polls")] = 900,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Listen around every location with coordinates: one VK search source each (JSON lines).
    Posts near a location that name no brand wait on the Точки page for a person to confirm."""
    credentials = credentials_from_env(credential_env)
    with store_session(ctx) as s:
        made = listen_around(s, get_brand(s, brand), query=query, credentials=credentials,
                             secret_key=settings_of(ctx).secret_key, interval_seconds=interval,
                             actor=actor)
        for source in made:
            typer.echo(json.dumps({"source_id": source.id, "name": source.name,
                                   "location_id": source.params.get("location_id")},
                                  ensure_ascii=False))


def _post(number: int, line: str) -> tuple[Any, str, float | None, float | None, str | None]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        fail(f"line {number}: not JSON ({exc.msg} at column {exc.colno})")
    if not isinstance(item, dict) or "id" not in item or not isinstance(item.get("text"), str):
        fail(f"line {number}: expected an object with id and text")
    geo, lat, lon = item.get("geo"), None, None
    if geo is not None:
        try:
            lat, lon = float(geo["lat"]), float(geo["lon"])
        except (TypeError, KeyError, ValueError):
            fail(f"line {number}: geo must be {{\"lat\": number, \"lon\": number}}")
    place = item.get("place")
    return item["id"], item["text"], lat, lon, place if isinstance(place, str) else None


def locate(
    ctx: typer.Context,
    brand: Annotated[str, typer.Option(help="The brand whose locations to attribute to")],
    file: Annotated[str | None, typer.Argument(help="JSON Lines file, or - for stdin")] = None,
) -> None:
    """Which of the brand's locations each post is about (JSON lines: id, location)."""
    posts = [_post(n, line) for n, line in read_lines(file) if line.strip()]
    with store_session(ctx) as s:
        index = brand_location_index(s, get_brand(s, brand))
    for post_id, text, lat, lon, place in posts:
        found = index.locate(text, lat, lon, place)
        typer.echo(json.dumps({"id": post_id, "location": found.site.name if found else None},
                              ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.add_typer(location_app, name="location")
    app.command("locate")(locate)
