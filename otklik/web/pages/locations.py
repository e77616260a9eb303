"""Точки: the league table and map of a brand's locations, and their settings (add, change,
switch off, load a CSV file). Thin: reads through `otklik.figures.locations`, changes through
`otklik.actions.locations`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.locations import (
    LocationError,
    LocationInput,
    disable_location,
    import_locations,
    parse_location_csv,
    reattribute,
    set_radius,
)
from otklik.actions.locations import save_location as save
from otklik.actions.nearby import confirm_nearby
from otklik.analytics.locations import RADIUS_M
from otklik.db.models import Brand, Location, User
from otklik.domain.ids import StoreId
from otklik.figures.locations import league, nearby
from otklik.web.deps import Analyst, Reader, Responder, SessionDep
from otklik.web.i18n import translator
from otklik.web.pages.common import (
    PERIODS,
    answer_step,
    brand_or_404,
    brands,
    opt_int,
    period,
    step_or_404,
)
from otklik.web.render import lang_of, render

router = APIRouter(include_in_schema=False)
MAX_FILE = 2_000_000  # bytes of a location file: thousands of rows
Done = TypeVar("Done")


def _chosen(session: Session, brand: str | None) -> Brand | None:
    """The brand asked for, else the first with locations, else the first."""
    listed = brands(session)
    wanted = opt_int(brand, "brand")
    if wanted is not None:
        return brand_or_404(session, wanted)
    with_locations = set(session.scalars(select(Location.brand_id)))
    return next((b for b in listed if b.id in with_locations), listed[0] if listed else None)


@router.get("/locations")
def locations_page(
    request: Request,
    _: Reader,
    session: SessionDep,
    brand: str | None = Query(None, max_length=20),
    days: int = Query(7),
) -> Response:
    chosen = _chosen(session, brand)
    span = period(days, None, None)
    t = translator(lang_of(request))
    rows = league(session, chosen.id, span.since, span.until, none_label=t("no_location")) \
        if chosen else []
    points = [r.as_dict() for r in rows if r.id is not None and r.lat is not None]
    settings = request.app.state.settings
    radius = float((chosen.settings or {}).get("location_radius_m") or RADIUS_M) \
        if chosen else RADIUS_M
    heard = nearby(session, chosen.id, span.since, radius_m=radius) if chosen else []
    return render(request, "locations.html", {
        "brands": brands(session), "brand": chosen, "rows": rows, "days": span.days,
        "nearby": heard,
        "periods": PERIODS, "points_json": json.dumps(points, ensure_ascii=False),
        "tiles": settings.map_tiles_url, "tiles_credit": settings.map_tiles_attribution,
    })


def _manage(request: Request, session: Session, chosen: Brand | None, *,
            error: str | None = None, note: str | None = None,
            status_code: int = 200) -> Response:
    listed = list(session.scalars(select(Location).where(Location.brand_id == chosen.id)
                                  .order_by(Location.name))) if chosen else []
    users = dict(session.execute(select(User.id, User.email)).all())
    radius = (chosen.settings or {}).get("location_radius_m") if chosen else None
    return render(request, "location_settings.html", {
        "brands": brands(session), "brand": chosen, "locations": listed, "users": users,
        "radius": int(radius or RADIUS_M), "error": error, "note": note,
    }, status_code=status_code)


@router.get("/settings/locations")
def locations_settings(
    request: Request,
    _: Reader,
    session: SessionDep,
    brand: str | None = Query(None, max_length=20),
) -> Response:
    return _manage(request, session, _chosen(session, brand))


def _step(request: Request, session: Session, chosen: Brand, work: Callable[[], Done],
          done: Callable[[Done], Response] | None = None) -> Response:
    """A change to the brand's locations: `done(what it returned)` (by default back to the
    settings), or the settings again with what is wrong, in the reader's words."""
    return answer_step(
        session, work, refusals=LocationError,
        refused=lambda exc: _manage(request, session, chosen, error=exc.say(lang_of(request)),
                                    status_code=422),
        done=done or (lambda _: RedirectResponse(f"/settings/locations?brand={chosen.id}",
                                                 status_code=303)))


def _number(value: str, field: str) -> float | None:
    value = value.strip().replace(",", ".")
    if not value:
        return None
    try:
        return float(value)
    except ValueError as exc:
        raise LocationError("loc_not_number", field=field, value=value[:40]) from exc


def _words(value: str) -> list[str]:
    return [w.strip() for w in value.replace("|", ",").split(",") if w.strip()]


@router.post("/settings/locations")
def location_save(
    request: Request,
    principal: Analyst,
    session: SessionDep,
    brand_id: StoreId = Form(...),
    name: str = Form(..., max_length=200),
    address: str = Form("", max_length=500),
    lat: str = Form("", max_length=40),
    lon: str = Form("", max_length=40),
    aliases: str = Form("", max_length=2000),
    hours: str = Form("", max_length=200),
    team: str = Form("", max_length=200),
    responsible: str = Form("", max_length=200),
    places: str = Form("", max_length=2000),
) -> Response:
    chosen = brand_or_404(session, brand_id)
    t = translator(lang_of(request))
    return _step(request, session, chosen, lambda: save(
        session, chosen.id,
        LocationInput(name=name, address=address, lat=_number(lat, t("latitude")),
                      lon=_number(lon, t("longitude")), aliases=_words(aliases), hours=hours,
                      team=team, responsible=responsible, places=_words(places)),
        actor=principal.actor))


def _file_text(data: bytes) -> str:
    """The uploaded location file as text, or why it cannot be read."""
    if len(data) > MAX_FILE:
        raise LocationError("loc_file_too_large", n=MAX_FILE // 1_000_000)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LocationError("loc_not_utf8", n=exc.start) from exc


@router.post("/settings/locations/import")
async def location_import(
    request: Request,
    principal: Analyst,
    session: SessionDep,
    brand_id: StoreId = Form(...),
    file: UploadFile = File(...),
) -> Response:
    chosen = brand_or_404(session, brand_id)
    data = await file.read(MAX_FILE + 1)
    t = translator(lang_of(request))
    return _step(request, session, chosen, lambda: import_locations(
        session, chosen.id, parse_location_csv(_file_text(data)), actor=principal.actor),
        lambda done: _manage(request, session, chosen, note=t("imported_n", n=len(done))))


@router.post("/settings/locations/radius")
def location_radius(
    request: Request,
    principal: Analyst,
    session: SessionDep,
    brand_id: StoreId = Form(...),
    radius: str = Form(..., max_length=20),
) -> Response:
    chosen = brand_or_404(session, brand_id)
    field = translator(lang_of(request))("radius")

    def work() -> None:
        metres = _number(radius, field)
        if metres is None:
            raise LocationError("loc_not_number", field=field, value="")
        set_radius(session, chosen, metres, actor=principal.actor)

    return _step(request, session, chosen, work)


@router.post("/settings/locations/reattribute")
def location_reattribute(
    request: Request,
    principal: Analyst,
    session: SessionDep,
    brand_id: StoreId = Form(...),
) -> Response:
    """The brand's mentions of the last 30 days attributed again with its locations as now."""
    chosen = brand_or_404(session, brand_id)
    t = translator(lang_of(request))
    return _step(request, session, chosen, lambda: reattribute(
        session, chosen, datetime.now(UTC) - timedelta(days=30), actor=principal.actor),
        lambda changed: _manage(request, session, chosen, note=t("reattributed_n", n=changed)))


@router.post("/locations/nearby")
def nearby_confirm(
    principal: Responder,
    session: SessionDep,
    mention: StoreId = Form(...),
    location: StoreId = Form(...),
) -> Response:
    """A person confirms that a post heard near a location is about the brand."""
    found = step_or_404(session, lambda: confirm_nearby(session, mention, location,
                                                        actor=principal.actor))
    return RedirectResponse(f"/locations?brand={found.brand_id}#nearby", status_code=303)


@router.post("/settings/locations/{location_id}/off")
def location_off(location_id: StoreId, principal: Analyst, session: SessionDep) -> Response:
    location = step_or_404(session, lambda: disable_location(session, location_id,
                                                             actor=principal.actor))
    return RedirectResponse(f"/settings/locations?brand={location.brand_id}", status_code=303)
