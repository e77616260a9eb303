"""Overview per brand and period: volume with negative share, spikes, tops, cases."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from otklik.db.models import Spike
from otklik.web import data
from otklik.web.auth import Principal, Require, db
from otklik.web.pages.common import brands, opt_int, period
from otklik.web.render import render

router = APIRouter(include_in_schema=False)


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
    series, split = data.volume_and_split(session, brand, p.since, p.until, p.bucket)
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
        "tops": data.top_places_and_authors(session, brand, p.since, p.until),
        "split": split,
        "cases": data.case_figures(session, brand, p.since, p.until),
    })


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
