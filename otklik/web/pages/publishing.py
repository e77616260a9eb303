"""Incidents and the announcements calendar: what the brand says publicly, before and during.

Thin routes over `otklik.actions.incidents` and `otklik.actions.announcements`; an incident's
keywords are checked with the brand query language first, and a bad query is shown with its
position the way the mentions search shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import incidents as actions
from otklik.actions.announcements import add_announcement as add
from otklik.actions.announcements import list_announcements
from otklik.actions.incident_replies import answer_linked as answer_all
from otklik.actions.incident_replies import retry_post as retry
from otklik.actions.incident_replies import suggested_replies
from otklik.actions.unit import commit_step
from otklik.db.models import Action, Brand, Case, Channel, Spike
from otklik.domain.ids import StoreId
from otklik.publish.incidents import STATUSES, spike_keywords
from otklik.web.deps import Reader, Responder, SessionDep, get_or_404
from otklik.web.pages.common import answer_step, brands, opt_int, parse_when, run_step, send_step
from otklik.web.query_problems import QueryProblem, problem_of
from otklik.web.render import lang_of, render, zone_of
from otklik.wording.catalogues import say
from otklik.wording.refusals import explain

router = APIRouter(include_in_schema=False)
ANNOUNCEMENT_KINDS = ("maintenance", "outage", "payments", "release", "other")


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _page(request: Request, session: Session, brand: int | None, *,
          error: str | None = None, problem: QueryProblem | None = None,
          form: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    now = datetime.now(UTC)
    announcements = list_announcements(session, brand)
    channels = list(session.scalars(select(Channel).order_by(Channel.brand_id, Channel.id)))
    return render(request, "incidents.html", {
        "incidents": actions.list_incidents(session, brand),
        "upcoming": [a for a in announcements if (_aware(a.publish_at) or now) >= now],
        "past": [a for a in announcements if (_aware(a.publish_at) or now) < now][::-1],
        "brands": brands(session), "brand_id": brand, "channels": channels,
        "brand_names": {b.id: b.name for b in session.scalars(select(Brand))},
        "kinds": ANNOUNCEMENT_KINDS, "error": error or request.query_params.get("error"),
        "problem": problem, "form": form or {},
    }, status_code=status_code)



def in_zone(request: Request, value: str | None, field: str) -> datetime | None:
    """A time typed in a form (datetime-local, no offset) means the desk's zone, the one every
    time on the page is shown in; an explicit offset is kept."""
    parsed = parse_when(value, field)
    if parsed is None or not value or datetime.fromisoformat(value).tzinfo is not None:
        return parsed
    return parsed.replace(tzinfo=zone_of(request))


@router.get("/incidents")
def incidents_page(
    request: Request,
    _: Reader,
    session: SessionDep,
    brand_param: str | None = Query(None, alias="brand"),
    spike_param: str | None = Query(None, alias="spike"),
) -> Response:
    """The incidents and announcements; `?spike=N` prefills the form from that spike (its
    brand, its top terms as keywords, its channels) so the incident explains it."""
    spike_id = opt_int(spike_param, "spike")
    spike = session.get(Spike, spike_id) if spike_id is not None else None
    if spike is None:
        return _page(request, session, opt_int(brand_param, "brand"))
    channels = session.scalars(select(Channel.id).where(Channel.brand_id == spike.brand_id))
    form = {"brand": spike.brand_id, "spike": spike.id,
            "keywords": spike_keywords(spike.explanation),
            "title": "", "channels": list(channels)}
    return _page(request, session, spike.brand_id, form=form)


def _ids(values: list[str]) -> list[int]:
    return [i for i in (opt_int(v, "channel") for v in values) if i is not None]


def _refused(request: Request, session: Session, form: dict[str, Any] | None = None
             ) -> Callable[[Exception], Response]:
    """The incidents page again with why a new incident or announcement was refused."""
    return lambda exc: _page(request, session, None, error=explain(exc, lang_of(request)),
                             form=form, status_code=422)


@router.post("/incidents")
def open_incident(
    request: Request,
    principal: Responder,
    session: SessionDep,
    brand: str = Form(...),
    title: str = Form(..., max_length=300),
    description: str = Form("", max_length=4000),
    keywords: str = Form("", max_length=2000),
    next_update: str = Form(""),
    channel: list[str] = Form([]),
    publish_now: bool = Form(False),
    spike: str = Form(""),
) -> Response:
    """Open an incident (optionally publishing its explanation), then link the complaints."""
    brand_id = opt_int(brand, "brand")
    channel_ids = _ids(channel)
    form: dict[str, Any] = {"brand": brand_id, "title": title, "description": description,
                            "keywords": keywords, "next_update": next_update,
                            "channels": channel_ids, "spike": opt_int(spike, "spike")}
    if brand_id is None:
        return _page(request, session, None, error=say("refused_brand_missing", lang_of(request)),
                     form=form,
                     status_code=422)
    problem = problem_of(keywords) if keywords.strip() else None
    if problem is not None:
        return _page(request, session, None, problem=problem, form=form, status_code=422)
    return answer_step(
        session, lambda: actions.open_incident(
            session, brand_id, title, actor=principal.actor, description=description,
            keywords=keywords.strip() or None, channel_ids=channel_ids,
            spike_id=form["spike"], next_update_at=in_zone(request, next_update, "next_update")
        ).id, refusals=(LookupError, ValueError), refused=_refused(request, session, form),
        done=lambda incident_id: _linked(request, session, incident_id, principal.actor,
                                         publish_now=publish_now))


def _linked(request: Request, session: Session, incident_id: int, actor: str, *,
            publish_now: bool) -> Response:
    """A new incident's next step: its explanation published (if asked) and complaints linked."""
    if publish_now:
        return send_step(request, session, f"/incidents/{incident_id}",
                         lambda factory: _publish_and_link(session, incident_id, factory, actor))
    commit_step(session, lambda: actions.link_complaints(session, incident_id, actor=actor))
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


def _publish_and_link(session: Session, incident_id: int, factory: Any, actor: str) -> None:
    actions.publish_explanation(session, incident_id, source_factory=factory, actor=actor)
    actions.link_complaints(session, incident_id, actor=actor)


def _run(request: Request, session: Session, incident_id: int,
         work: Callable[[], Any]) -> Response:
    return run_step(session, f"/incidents/{incident_id}", work, lang=lang_of(request))


@router.get("/incidents/{incident_id}")
def incident_page(
    request: Request,
    incident_id: StoreId,
    _: Reader,
    session: SessionDep,
) -> Response:
    incident = get_or_404(session, actions.get_incident, incident_id)
    return render(request, "incident.html", {
        "suggested": len(suggested_replies(session, incident.id)),
        "incident": incident,
        "brand": session.get(Brand, incident.brand_id),
        "posts": list(session.scalars(select(Action).where(
            Action.incident_id == incident.id, Action.kind == "post").order_by(Action.id))),
        "cases": list(session.scalars(select(Case).where(
            Case.incident_id == incident.id).order_by(Case.id))),
        "channels": [session.get(Channel, c) for c in incident.channel_ids or []],
        "statuses": [s for s in STATUSES if s != "resolved"],
        "error": request.query_params.get("error"),
    })


def _send(request: Request, session: Session, incident_id: int,
          work: Callable[[Any], object]) -> Response:
    """A step that posts through the brand's channels: `work(connector factory)`, the incident
    looked up first (a 404 costs nothing, a factory may)."""
    get_or_404(session, actions.get_incident, incident_id)
    return send_step(request, session, f"/incidents/{incident_id}", work)


@router.post("/incidents/{incident_id}/publish")
def publish(
    request: Request,
    incident_id: StoreId,
    principal: Responder,
    session: SessionDep,
) -> Response:
    return _send(request, session, incident_id, lambda factory: _publish_and_link(
        session, incident_id, factory, principal.actor))


@router.post("/incidents/{incident_id}/answer-linked")
def answer_linked(
    request: Request,
    incident_id: StoreId,
    principal: Responder,
    session: SessionDep,
) -> Response:
    """Answer every linked complaint with the link to the explanation."""
    return _send(request, session, incident_id, lambda factory: answer_all(
        session, incident_id, source_factory=factory, actor=principal.actor,
        user_id=principal.who.id))


@router.post("/incidents/{incident_id}/posts/{action_id}/retry")
def retry_post(
    request: Request,
    incident_id: StoreId,
    action_id: StoreId,
    principal: Responder,
    session: SessionDep,
) -> Response:
    return send_step(request, session, f"/incidents/{incident_id}", lambda factory: retry(
        session, incident_id, action_id, source_factory=factory, actor=principal.actor))


@router.post("/incidents/{incident_id}/update")
def update(
    request: Request,
    incident_id: StoreId,
    principal: Responder,
    session: SessionDep,
    text: str = Form(..., max_length=4000),
    status: str = Form(""),
    next_update: str = Form(""),
) -> Response:
    return _send(request, session, incident_id, lambda factory: actions.update_incident(
        session, incident_id, text, source_factory=factory, actor=principal.actor,
        status=status or None, next_update_at=in_zone(request, next_update, "next_update")))


@router.post("/incidents/{incident_id}/close")
def close(
    request: Request,
    incident_id: StoreId,
    principal: Responder,
    session: SessionDep,
    text: str = Form(..., max_length=4000),
) -> Response:
    return _send(request, session, incident_id, lambda factory: actions.close_incident(
        session, incident_id, text, source_factory=factory, actor=principal.actor))


@router.post("/announcements")
def add_announcement(
    request: Request,
    principal: Responder,
    session: SessionDep,
    brand: str = Form(...),
    title: str = Form(..., max_length=300),
    publish_at: str = Form(...),
    remind_at: str = Form(""),
    event_start: str = Form(""),
    event_end: str = Form(""),
    kind: str = Form("maintenance"),
    text: str = Form("", max_length=4000),
    channel: list[str] = Form([]),
) -> Response:
    """Schedule a warning; one optional text (a template) for every chosen channel."""
    brand_id = opt_int(brand, "brand")
    ids = _ids(channel)
    when = in_zone(request, publish_at, "publish_at")
    if brand_id is None or when is None:
        return _page(request, session, None,
                     error=say("refused_brand_and_time_missing", lang_of(request)),
                     status_code=422)
    return answer_step(
        session, lambda: add(
            session, brand_id, title, publish_at=when, channel_ids=ids, actor=principal.actor,
            texts_by_channel={str(i): text for i in ids} if text.strip() else None,
            remind_at=in_zone(request, remind_at, "remind_at"),
            event_start=in_zone(request, event_start, "event_start"),
            event_end=in_zone(request, event_end, "event_end"), kind=kind),
        refusals=(LookupError, ValueError), refused=_refused(request, session),
        done=lambda _: RedirectResponse("/incidents#announcements", status_code=303))
