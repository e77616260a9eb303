"""Overview per brand and period: volume with negative share, spikes, tops, cases."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from otklik.db.models import Spike
from otklik.domain.ids import StoreId
from otklik.figures import overview as data
from otklik.web.auth import Principal, Require, db
from otklik.web.pages.common import Period, brands, opt_int, period, qs
from otklik.web.pages.threats import threat_counts
from otklik.web.render import installation_zone, lang_of, render
from otklik.web.spike_view import spike_context
from otklik.wording import words

router = APIRouter(include_in_schema=False)
OVERVIEW_TTL = 60.0
T = TypeVar("T")


@router.get("/")
def home(_: Principal = Depends(Require("read"))) -> Response:
    return RedirectResponse("/overview", status_code=303)


def _brand_and_period(
    brand: str | None = None,
    days: int | None = Query(7),
    since: str | None = None,
    until: str | None = None,
) -> tuple[int | None, Period]:
    """The brand ("" = all) and period the overview and its fragments are about."""
    return opt_int(brand, "brand"), period(days, since, until)


@router.get("/overview")
def overview(
    request: Request,
    window: tuple[int | None, Period] = Depends(_brand_and_period),
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    """The page with its volume chart and figures; the top places and authors (two more scans
    of the window) arrive as fragments right after, so the page does not wait for them."""
    brand, p = window
    series, split = _kept(request, ("volume", brand, p),
                          lambda: data.volume_and_split(session, brand, p.since, p.until,
                                                        p.bucket))
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
    fragment_qs = qs(brand=brand, since=p.since.isoformat(timespec="seconds"),
                     until=p.until.isoformat(timespec="seconds"))
    return render(request, "overview.html", {
        "brands": brands(session),
        "brand_id": brand,
        "period": p,
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "spikes": spikes,
        "fragment_qs": fragment_qs,
        "split": split,
        "cases": data.case_figures(session, brand, p.since, p.until),
        "threats": threat_counts(session, brand),
    })


@router.get("/overview/top/{what}")
def overview_top(
    request: Request,
    what: Literal["places", "authors"],
    window: tuple[int | None, Period] = Depends(_brand_and_period),
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    """Top places or authors of the overview's window: a fragment the page loads after itself."""
    brand, p = window
    rows = _kept(request, (what, brand, p),
                 lambda: data.top(session, what, brand, p.since, p.until))
    return render(request, "_top.html", {"what": what, "rows": rows})


def _kept(request: Request, key: tuple[str, int | None, Period], compute: Callable[[], T]) -> T:
    """Window figures kept for `overview_ttl` seconds per (figure, brand, window to the minute).

    Many people watch the same overview; its numbers may lag by up to the TTL (60 s by
    default), while the mention stream stays live. Set `app.state.overview_ttl = 0` to disable.
    """
    ttl = float(getattr(request.app.state, "overview_ttl", OVERVIEW_TTL))
    name, brand, p = key
    cache_key = (name, brand, p.since.replace(second=0, microsecond=0),
                 p.until.replace(second=0, microsecond=0), p.bucket)
    cache: dict[Any, tuple[float, Any]] = request.app.state.overview_cache
    now = time.monotonic()
    hit = cache.get(cache_key)
    if ttl > 0 and hit is not None and now - hit[0] < ttl:
        return cast(T, hit[1])
    value = compute()
    if ttl > 0:
        if len(cache) >= 256:
            cache.clear()
        cache[cache_key] = (now, value)
    return value


@router.get("/spikes/{spike_id}")
def spike_detail(
    request: Request,
    spike_id: StoreId,
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    """The explanation of one spike: a fragment for the overview, or a page of its own."""
    spike = session.get(Spike, spike_id)
    if spike is None:
        raise HTTPException(404, "no such spike")
    name = "_spike.html" if request.headers.get("hx-request") else "spike.html"
    lang = lang_of(request)
    return render(request, name, spike_context(
        session, spike, lang, words.zone(installation_zone(request), lang)))
