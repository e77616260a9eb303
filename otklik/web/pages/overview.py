"""Overview per brand and period: volume with negative share, spikes, tops, cases."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import tzinfo
from typing import Any, Literal, TypeVar, cast

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from otklik.db.models import Source, Spike
from otklik.domain.ids import StoreId
from otklik.figures import overview as data
from otklik.figures.buckets import key_of, zone_name
from otklik.figures.people import top_people
from otklik.web.charts import volume_chart
from otklik.web.deps import Reader, SessionDep, get_or_404
from otklik.web.pages.common import Period, brands, by_id, opt_int, period, qs
from otklik.web.pages.threats import threat_counts
from otklik.web.render import installation_zone, lang_of, render, zone_of
from otklik.web.spike_view import spike_context
from otklik.wording import words
from otklik.wording.spike_story import tell

router = APIRouter(include_in_schema=False)
OVERVIEW_TTL = 60.0
T = TypeVar("T")


@router.get("/")
def home(_: Reader) -> Response:
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
    *,
    window: tuple[int | None, Period] = Depends(_brand_and_period),
    _: Reader,
    session: SessionDep,
) -> Response:
    """The page with its volume chart and figures; the top places and authors (two more scans
    of the window) arrive as fragments right after, so the page does not wait for them."""
    brand, p = window
    lang, tz = lang_of(request), zone_of(request)
    series, split = _kept(request, ("volume " + zone_name(tz), brand, p),
                          lambda: data.volume_and_split(session, brand, p.since, p.until,
                                                        p.bucket, tz))
    all_brands = brands(session)
    spikes = _headlined(data.spikes_in(session, brand, p.since, p.until),
                        {b.id: b.name for b in all_brands}, lang, tz)
    chart = volume_chart(series, p.bucket, lang)
    chart["spikes"] = [{"id": s.id, "mark": mark, "t": key_of(s.peak, p.bucket, tz),
                        "headline": headline} for s, mark, headline in spikes]
    fragment_qs = qs(brand=brand, since=p.since.isoformat(timespec="seconds"),
                     until=p.until.isoformat(timespec="seconds"))
    return render(request, "overview.html", {
        "brands": all_brands,
        "brand_id": brand,
        "period": p,
        "chart_json": json.dumps(chart, ensure_ascii=False),
        "chart_empty": not series,
        "spikes": spikes,
        "fragment_qs": fragment_qs,
        "split": split,
        "cases": data.case_figures(session, brand, p.since, p.until),
        "threats": threat_counts(session, brand),
        "no_sources": session.scalar(select(Source.id).limit(1)) is None,
    })


def _headlined(spikes: list[Spike], names: dict[int, str], lang: str,
               tz: tzinfo) -> list[tuple[Spike, int, str]]:
    """Each spike with its number on the chart and its headline (the sentence its page opens
    with, from `otklik.wording.spike_story`)."""
    return [(s, n, tell(s, s.explanation or {}, brand=names.get(s.brand_id, ""), lang=lang,
                        tz=tz).headline) for n, s in enumerate(spikes, start=1)]


@router.get("/overview/top/{what}")
def overview_top(
    request: Request,
    what: Literal["places", "authors"],
    *,
    window: tuple[int | None, Period] = Depends(_brand_and_period),
    _: Reader,
    session: SessionDep,
) -> Response:
    """Top places or authors of the overview's window: a fragment the page loads after itself."""
    brand, p = window
    if what == "places":
        rows = _kept(request, (what, brand, p),
                     lambda: data.top(session, what, brand, p.since, p.until))
    else:
        rows = _kept(request, (what, brand, p),
                     lambda: top_people(session, brand, p.since, p.until))
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
    _: Reader,
    session: SessionDep,
) -> Response:
    """The explanation of one spike: a fragment for the overview, or a page of its own."""
    spike = get_or_404(session, by_id(Spike, "spike"), spike_id)
    name = "_spike.html" if request.headers.get("hx-request") else "spike.html"
    lang = lang_of(request)
    return render(request, name, spike_context(
        session, spike, lang, words.zone(installation_zone(request), lang)))
