"""The mention stream: filters, query-language search, live updates, one-click correction."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from otklik.actions.changes import ChangeError, correct_sentiment
from otklik.db.models import Mention
from otklik.domain.ids import IdPosition, StoreId
from otklik.domain.posts import NETWORKS
from otklik.figures import overview as data
from otklik.figures.locations import all_locations
from otklik.web.auth import Principal, Require, db
from otklik.web.pages.common import brands, opt_int, parse_when, qs
from otklik.web.render import render
from otklik.web.search import QueryProblem, problem_of

router = APIRouter(include_in_schema=False)
PAGE = 50
MAX_QUERY = 5000  # a longer query is abuse, not a search


def _filter(
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
        since=parse_when(since, "since"), until=parse_when(until, "until", end=True),
        cluster_id=opt_int(cluster, "cluster"), location_id=opt_int(location, "location"),
    )


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
    q: str = Query("", max_length=MAX_QUERY),
    f: data.MentionFilter = Depends(_filter),
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    problem = _apply_query(f, q)
    page = data.MentionPage([]) if problem else data.list_mentions(session, f, limit=PAGE)
    params = _params(f, q)
    return render(request, "mentions.html", {
        "brands": brands(session), "networks": NETWORKS, "f": f, "q": q, "problem": problem,
        "locations": all_locations(session),
        "until_value": request.query_params.get("until", "")[:32],
        "page": page, "params": params, "qs": qs(**params),
        "newest": page.mentions[0].id if page.mentions else data.latest_id(session),
        # the filter's total; with a query's text the store cannot count without reading all
        "total": None if problem or f.query else data.count_mentions(session, f),
        "status_code": 422 if problem else 200,
    }, status_code=422 if problem else 200)


@router.get("/mentions/rows")
def mention_rows(
    request: Request,
    q: str = Query("", max_length=MAX_QUERY),
    before_id: IdPosition | None = None,
    after_id: IdPosition | None = None,
    f: data.MentionFilter = Depends(_filter),
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
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
    label: str = Form(...),
    brand: str | None = Form(None),
    principal: Principal = Depends(Require("analyze")),
    session: Session = Depends(db),
) -> Response:
    mention = session.get(Mention, mention_id)
    if mention is None:
        raise HTTPException(404, "no such mention")
    try:
        correct_sentiment(session, mention, label, principal.user, opt_int(brand, "brand"))
    except ChangeError as exc:
        raise HTTPException(422, str(exc)) from exc
    session.commit()
    return render(request, "_mention.html", {"m": mention, "folded": {}})
