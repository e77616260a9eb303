"""The mention stream: filters, query-language search, live updates, one-click correction."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy import select

from otklik.actions.changes import ChangeError, correct_sentiment
from otklik.actions.unit import commit_step
from otklik.db.models import Mention, Source
from otklik.domain.ids import IdPosition, StoreId
from otklik.domain.posts import NETWORKS
from otklik.figures import overview as data
from otklik.figures.locations import all_locations
from otklik.figures.volume import filter_volume
from otklik.web.charts import volume_chart
from otklik.web.deps import Analyst, Reader, SessionDep, get_or_404
from otklik.web.i18n import translator
from otklik.web.mention_csv import csv_chunks
from otklik.web.pages.common import brands, by_id, opt_int, parse_when, qs
from otklik.web.query_problems import QueryProblem, problem_of
from otklik.web.render import lang_of, render, zone_of

router = APIRouter(include_in_schema=False)
PAGE = 50
MAX_QUERY = 5000  # a longer query is abuse, not a search


def _filter(
    request: Request,
    brand: str | None = None,
    network: str | None = Query(None, max_length=200),
    sentiment: str | None = Query(None, max_length=200),
    lang: str | None = Query(None, max_length=200),
    place: str | None = Query(None, max_length=200),
    author: str | None = Query(None, max_length=200),
    since: str | None = Query(None, max_length=200),
    until: str | None = Query(None, max_length=200),
    cluster: str | None = None,
    location: str | None = Query(None, max_length=20),
) -> data.MentionFilter:
    return data.MentionFilter(
        brand_id=opt_int(brand, "brand"), network=network or None, sentiment=sentiment or None,
        lang=lang or None, place=place or None, author=author or None,
        since=_local(since, "since", request), until=_local(until, "until", request, end=True),
        cluster_id=opt_int(cluster, "cluster"), location_id=opt_int(location, "location"),
    )


def _local(value: str | None, field: str, request: Request, *, end: bool = False
           ) -> datetime | None:
    """A date from the filter's date field is a day in the desk's zone (Moscow's 28 November
    starts at 00:00 Moscow time); a full time keeps its own zone (UTC if it names none)."""
    if value and len(value.strip()) == 10:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass  # parse_when names the field in its 422
        else:
            return datetime.combine(day + timedelta(days=1) if end else day, time(0),
                                    tzinfo=zone_of(request))
    return parse_when(value, field, end=end)


def _apply_query(f: data.MentionFilter, q: str) -> QueryProblem | None:
    q = q.strip()
    if not q:
        return None
    problem = problem_of(q)
    if problem is None:
        f.query = q
    return problem


def _params(f: data.MentionFilter, q: str) -> dict[str, object]:
    params = f.as_params()
    if "brand_id" in params:
        params["brand"] = params.pop("brand_id")
    if "location_id" in params:
        params["location"] = params.pop("location_id")
    if f.cluster_id is not None:
        params["cluster"] = f.cluster_id
    if q:
        params["q"] = q
    return params


@router.get("/mentions")
def mentions_page(
    request: Request,
    *,
    q: str = Query("", max_length=MAX_QUERY),
    f: data.MentionFilter = Depends(_filter),
    _: Reader,
    session: SessionDep,
) -> Response:
    problem = _apply_query(f, q)
    page = data.MentionPage([]) if problem else data.list_mentions(session, f, limit=PAGE)
    params = _params(f, q)
    # the filter's total and chart; with a query's text the store cannot count without reading
    # every row, so neither is shown
    countable = not (problem or f.query)
    volume = filter_volume(session, f, zone_of(request)) if countable else None
    return render(request, "mentions.html", {
        "brands": brands(session), "networks": NETWORKS, "f": f, "q": q, "problem": problem,
        "locations": all_locations(session),
        "until_value": request.query_params.get("until", "")[:32],
        "page": page, "params": params, "qs": qs(**params),
        "newest": page.mentions[0].id if page.mentions else data.latest_id(session),
        "total": data.count_mentions(session, f) if countable else None,
        "volume": volume,
        "no_sources": not page.mentions and session.scalar(select(Source.id).limit(1)) is None,
        "chart_json": json.dumps(volume_chart(volume.series, volume.bucket, lang_of(request)),
                                 ensure_ascii=False) if volume else "",
        "status_code": 422 if problem else 200,
    }, status_code=422 if problem else 200)


@router.get("/mentions/export.csv")
def export_csv(
    request: Request,
    *,
    q: str = Query("", max_length=MAX_QUERY),
    f: data.MentionFilter = Depends(_filter),
    _: Reader,
) -> Response:
    """Every mention the filter selects, as a CSV file streamed page by page (see
    `otklik.web.mention_csv`); a bad query is a 422 before anything is sent."""
    problem = _apply_query(f, q)
    if problem:
        raise HTTPException(422, problem.message)
    lang, tz = lang_of(request), zone_of(request)
    name = f"otklik-mentions-{datetime.now(tz):%Y-%m-%d-%H%M}.csv"
    return StreamingResponse(
        csv_chunks(request.app.state.sessions, f, translator(lang), lang, tz),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/mentions/rows")
def mention_rows(
    request: Request,
    *,
    q: str = Query("", max_length=MAX_QUERY),
    before_id: IdPosition | None = None,
    after_id: IdPosition | None = None,
    f: data.MentionFilter = Depends(_filter),
    _: Reader,
    session: SessionDep,
) -> Response:
    """A fragment: older rows (`before_id`) or what arrived since (`after_id`, the live poll)."""
    problem = _apply_query(f, q)
    if problem:
        raise HTTPException(422, problem.message)
    page = data.list_mentions(session, f, limit=PAGE, before_id=before_id, after_id=after_id)
    params = _params(f, q)
    newest = after_id
    if after_id is not None and page.mentions:
        newest = page.mentions[0].id
    return render(request, "_mention_rows.html", {
        "page": page, "qs": qs(**params), "live": after_id is not None, "newest": newest,
    })


@router.post("/mentions/{mention_id}/sentiment")
def correct(
    request: Request,
    mention_id: StoreId,
    principal: Analyst,
    session: SessionDep,
    label: str = Form(...),
    brand: str | None = Form(None),
) -> Response:
    mention = get_or_404(session, by_id(Mention, "mention"), mention_id)
    brand_id = opt_int(brand, "brand")
    try:
        commit_step(session, lambda: correct_sentiment(session, mention, label, principal.user,
                                                       brand_id))
    except ChangeError as exc:
        raise HTTPException(422, str(exc)) from exc
    return render(request, "_mention.html", {"m": mention, "folded": {}})
