"""Точки: the league table and map of a brand's locations, and their settings (add, change,
switch off, load a CSV file). Thin: reads through `otklik.figures.locations`, changes through
`otklik.actions.locations`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
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
from otklik.web.auth import Principal, Require, db
from otklik.web.i18n import translator
from otklik.web.pages.common import PERIODS, brands, opt_int, period
from otklik.web.render import lang_of, render

router = APIRouter(include_in_schema=False)
MAX_FILE = 2_000_000  # bytes of a location file: thousands of rows


def _chosen(session: Session, brand: str | None) -> Brand | None:
    """The brand asked for, else the first with locations, else the first."""
    listed = brands(session)
    wanted = opt_int(brand, "brand")
    if wanted is not None:
        found = session.get(Brand, wanted)
        if found is None:
            raise HTTPException(404, f"no brand {wanted}")
        return found
    with_locations = set(session.scalars(select(Location.brand_id)))
    return next((b for b in listed if b.id in with_locations), listed[0] if listed else None)


@router.get("/locations")
def locations_page(
    request: Request,
    brand: str | None = Query(None, max_length=20),
    days: int = Query(7),
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
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
    brand: str | None = Query(None, max_length=20),
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    return _manage(request, session, _chosen(session, brand))


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
    principal: Principal = Depends(Require("analyze")),
    session: Session = Depends(db),
) -> Response:
    chosen = _chosen(session, str(brand_id))
    assert chosen is not None  # _chosen raised 404 otherwise
    t = translator(lang_of(request))
    try:
        given = LocationInput(name=name, address=address, lat=_number(lat, t("latitude")),
                              lon=_number(lon, t("longitude")), aliases=_words(aliases),
                              hours=hours, team=team, responsible=responsible,
                              places=_words(places))
        save(session, chosen.id, given, actor=principal.actor)
    except LocationError as exc:
        session.rollback()
        return _manage(request, session, chosen, error=exc.say(lang_of(request)),
                       status_code=422)
    session.commit()
    return RedirectResponse(f"/settings/locations?brand={chosen.id}", status_code=303)


@router.post("/settings/locations/import")
async def location_import(
    request: Request,
    brand_id: StoreId = Form(...),
    file: UploadFile = File(...),
    principal: Principal = Depends(Require("analyze")),
    session: Session = Depends(db),
) -> Response:
    chosen = _chosen(session, str(brand_id))
    assert chosen is not None
    data = await file.read(MAX_FILE + 1)
    t = translator(lang_of(request))
    try:
        if len(data) > MAX_FILE:
            raise LocationError("loc_file_too_large", n=MAX_FILE // 1_000_000)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise LocationError("loc_not_utf8", n=exc.start) from exc
        done = import_locations(session, chosen.id, parse_location_csv(text),
                                actor=principal.actor)
    except LocationError as exc:
        session.rollback()
        return _manage(request, session, chosen, error=exc.say(lang_of(request)),
                       status_code=422)
    session.commit()
    return _manage(request, session, chosen, note=t("imported_n", n=len(done)))


@router.post("/settings/locations/radius")
def location_radius(
    request: Request,
    brand_id: StoreId = Form(...),
    radius: str = Form(..., max_length=20),
    principal: Principal = Depends(Require("analyze")),
    session: Session = Depends(db),
) -> Response:
    chosen = _chosen(session, str(brand_id))
    assert chosen is not None
    t = translator(lang_of(request))
    try:
        metres = _number(radius, t("radius"))
        if metres is None:
            raise LocationError("loc_not_number", field=t("radius"), value="")
        set_radius(session, chosen, metres, actor=principal.actor)
    except LocationError as exc:
        session.rollback()
        return _manage(request, session, chosen, error=exc.say(lang_of(request)),
                       status_code=422)
    session.commit()
    return RedirectResponse(f"/settings/locations?brand={chosen.id}", status_code=303)


@router.post("/settings/locations/reattribute")
def location_reattribute(
    request: Request,
    brand_id: StoreId = Form(...),
    principal: Principal = Depends(Require("analyze")),
    session: Session = Depends(db),
) -> Response:
    """The brand's mentions of the last 30 days attributed again with its locations as now."""
    chosen = _chosen(session, str(brand_id))
    assert chosen is not None
    changed = reattribute(session, chosen, datetime.now(UTC) - timedelta(days=30),
                          actor=principal.actor)
    session.commit()
    return _manage(request, session, chosen,
                   note=translator(lang_of(request))("reattributed_n", n=changed))


@router.post("/locations/nearby")
def nearby_confirm(
    mention: StoreId = Form(...),
    location: StoreId = Form(...),
    principal: Principal = Depends(Require("respond")),
    session: Session = Depends(db),
) -> Response:
    """A person confirms that a post heard near a location is about the brand."""
    try:
        found = confirm_nearby(session, mention, location, actor=principal.actor)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/locations?brand={found.brand_id}#nearby", status_code=303)


@router.post("/settings/locations/{location_id}/off")
def location_off(
    location_id: StoreId,
    principal: Principal = Depends(Require("analyze")),
    session: Session = Depends(db),
) -> Response:
    try:
        location = disable_location(session, location_id, actor=principal.actor)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    session.commit()
    return RedirectResponse(f"/settings/locations?brand={location.brand_id}", status_code=303)
