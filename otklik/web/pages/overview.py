"""Overview per brand and period: volume with negative share, spikes, tops, cases."""

from __future__ import annotations

import json
import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from otklik.db.models import Spike
from otklik.web import data
from otklik.web.auth import Principal, Require, db
from otklik.web.pages.common import Period, brands, opt_int, period
from otklik.web.pages.threats import threat_counts
from otklik.web.render import render

router = APIRouter(include_in_schema=False)
OVERVIEW_TTL = 60.0


@router.get("/")
def home(_: Principal = Depends(Require("read"))) -> Response:
    return RedirectResponse("/overview", status_code=303)


@router.get("/overview")
def overview(
    request: Request,
    brand_param: str | None = Query(None, alias="brand"),
    days: int | None = Query(7),
    since: str | None = None,
    until: str | None = None,
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    p = period(days, since, until)
    brand = opt_int(brand_param, "brand")
    series, split, tops = _figures(request, session, brand, p)
    spikes = data.spikes_in(session, brand, p.since, p.until)
    chart = {
        "bucket": p.bucket,
        "t": [row["t"] for row in series],
        "n": [row["n"] for row in series],
        "neg": [round(100.0 * row["neg"] / row["n"], 1) if row["n"] else 0 for row in series],
        "spikes": [
            {"id": s.id, "t": s.peak.strftime("%Y-%m-%dT%H:00" if p.bucket == "hour"
                                             else "%Y-%m-%d"),
             "volume": s.volume, "severity": round(s.severity, 2)}
            for s in spikes
        ],
    }
    return render(request, "overview.html", {
        "brands": brands(session),
        "brand_id": brand,
        "period": p,
        "days": days,
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "spikes": spikes,
        "tops": tops,
        "split": split,
        "cases": data.case_figures(session, brand, p.since, p.until),
        "threats": threat_counts(session, brand),
    })


def _figures(request: Request, session: Session, brand: int | None, p: Period) -> Any:
    """Volume, split and tops: scans over the window, kept for `overview_ttl` seconds.

    Many people watch the same overview; its numbers may lag by up to the TTL (60 s by
    default), while the mention stream stays live. Set `app.state.overview_ttl = 0` to disable.
    """
    ttl = float(getattr(request.app.state, "overview_ttl", OVERVIEW_TTL))
    key = (brand, p.since.replace(second=0, microsecond=0),
           p.until.replace(second=0, microsecond=0), p.bucket)
    cache: dict[Any, tuple[float, Any]] = request.app.state.overview_cache
    now = time.monotonic()
    hit = cache.get(key)
    if ttl > 0 and hit is not None and now - hit[0] < ttl:
        return hit[1]
    series, split = data.volume_and_split(session, brand, p.since, p.until, p.bucket)
    value = (series, split, data.top_places_and_authors(session, brand, p.since, p.until))
    if ttl > 0:
        if len(cache) >= 256:
            cache.clear()
        cache[key] = (now, value)
    return value


@router.get("/spikes/{spike_id}")
def spike_detail(
    request: Request,
    spike_id: int,
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    """The explanation of one spike: a fragment for the overview, or a page of its own."""
    spike = session.get(Spike, spike_id)
    if spike is None:
        raise HTTPException(404, "no such spike")
    explanation = spike.explanation or {}
    name = "_spike.html" if request.headers.get("hx-request") else "spike.html"
    return render(request, name, {"spike": spike, "ex": explanation})
