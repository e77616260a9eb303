"""Mentions: list (filters, cursor), search with the query language, get, correct sentiment."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from fastapi import APIRouter, Query, Request

from otklik.actions.brands import brand_by_id
from otklik.actions.changes import store_correction
from otklik.domain.ids import StoreId
from otklik.figures import overview as data
from otklik.web.api.common import check_query, cursor_id, invalid, mention_out
from otklik.web.api.schemas import (
    CorrectionIn,
    MentionList,
    MentionOut,
    StoreDateTime,
    encode_cursor,
)
from otklik.web.deps import Analyst, Reader, SessionDep, get_or_404
from otklik.web.render import zone_of

router = APIRouter(prefix="/api/v1/mentions", tags=["mentions"])


DAY_IN_ZONE = ("a date (2026-11-28) is that day in the desk's time zone, as on the mentions "
               "page (`until`'s day included); a time with an offset keeps its meaning, one "
               "without is UTC")


def _desk_day(request: Request, name: str, parsed: datetime | None) -> datetime | None:
    """A plain date as the mentions page reads it: the day in the desk's zone, so the API and
    the page give the same mentions for the same dates."""
    raw = (request.query_params.get(name) or "").strip()
    if parsed is None or len(raw) != 10:
        return parsed
    try:
        day = parsed.date() + timedelta(days=1 if name == "until" else 0)
        return datetime.combine(day, time(0), tzinfo=zone_of(request)).astimezone(UTC)
    except OverflowError as exc:
        raise invalid(("query", name), "date out of range once moved to UTC") from exc


@router.get("", response_model=MentionList)
def list_mentions(
    request: Request,
    _: Reader,
    session: SessionDep,
    q: str | None = Query(None, description="brand query language", max_length=5000),
    brand_id: StoreId | None = None,
    network: str | None = None,
    sentiment: str | None = Query(None, pattern="^(negative|neutral|positive|unknown)$"),
    lang: str | None = None,
    place: str | None = None,
    author: str | None = None,
    since: StoreDateTime | None = Query(None, description=DAY_IN_ZONE),
    until: StoreDateTime | None = Query(None, description=DAY_IN_ZONE),
    fold: bool = Query(False, description="hide near-duplicates behind their cluster's first"),
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
) -> MentionList:
    """Newest first, paged by an opaque cursor. `since` and `until` as plain dates are days in
    the desk's time zone, as on the mentions page (`until`'s day included); a full ISO time with
    an offset keeps its meaning."""
    f = data.MentionFilter(brand_id=brand_id, network=network, sentiment=sentiment, lang=lang,
                           place=place, author=author, since=_desk_day(request, "since", since),
                           until=_desk_day(request, "until", until), fold=fold)
    if q:
        check_query(q, ("query", "q"))
        f.query = q
    page = data.list_mentions(session, f, limit=limit, before_id=cursor_id(cursor))
    return MentionList(items=[mention_out(m) for m in page.mentions],
                       next_cursor=encode_cursor(page.next_cursor))


@router.get("/search", response_model=MentionList)
def search_mentions(
    request: Request,
    principal: Reader,
    session: SessionDep,
    q: str = Query(..., min_length=1, max_length=5000, description="brand query language"),
    brand_id: StoreId | None = None,
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
) -> MentionList:
    """Mentions the query matches; a syntax error is a 422 naming its position."""
    return list_mentions(request, principal, session, q=q, brand_id=brand_id, network=None,
                         sentiment=None, lang=None, place=None, author=None, since=None,
                         until=None, fold=False, limit=limit, cursor=cursor)


@router.get("/{mention_id}", response_model=MentionOut)
def get_mention(mention_id: StoreId, _: Reader, session: SessionDep) -> MentionOut:
    return mention_out(get_or_404(session, data.mention_by_id, mention_id))


@router.post("/{mention_id}/sentiment", response_model=MentionOut)
def correct(mention_id: StoreId, body: CorrectionIn, principal: Analyst,
            session: SessionDep) -> MentionOut:
    """Store an analyst's label (kept for retraining); the mention shows it from now on."""
    mention = get_or_404(session, data.mention_by_id, mention_id)
    if body.brand_id is not None:
        try:
            brand_by_id(session, body.brand_id)
        except LookupError as exc:
            raise invalid(("body", "brand_id"), str(exc)) from exc
    store_correction(session, mention, body.label, principal.user, body.brand_id)
    return mention_out(mention)
