"""Inbox and case page: the responder's desk. There is no delete anywhere: cases only move."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from otklik.actions.bulk import bulk_cases
from otklik.actions.case_answers import (
    answer_and_move_to_private,
    draft_case_action,
    retry_case_action,
    send_case_actions,
)
from otklik.actions.cases import get_case, move_follow_up, transition
from otklik.actions.cases import resolve as resolve_case
from otklik.actions.send import approve_action
from otklik.db.models import Case
from otklik.domain import cases as sm
from otklik.domain.ids import StoreId
from otklik.web import casework, inbox
from otklik.web.deps import Reader, Responder, SessionDep, get_or_404
from otklik.web.pages.common import (
    back,
    brands,
    opt_int,
    qs,
    run_step,
    send_step,
    source_factory,
)
from otklik.web.render import lang_of, render, zone_of
from otklik.wording.refusals import refusal

router = APIRouter(include_in_schema=False)


@router.get("/inbox")
def inbox_page(
    request: Request,
    principal: Reader,
    session: SessionDep,
    brand_param: str | None = Query(None, alias="brand"),
    state: str | None = Query(None, max_length=40),
    overdue: bool = False,
    network: str | None = Query(None, max_length=32),
    level: str | None = Query(None, max_length=12),
    assignee: str | None = Query(None, max_length=20),
    tag: str | None = Query(None, max_length=100),
    incident: str | None = Query(None, max_length=20),
    location: str | None = Query(None, max_length=20),
    sort: str = Query("urgent", max_length=12),
    page_param: str | None = Query(None, alias="page"),
) -> Response:
    """Open cases 50 a page under the chosen filters and order, with counts per state."""
    who = str(principal.who.id) if assignee == "me" else assignee
    f = inbox.InboxFilter(
        brand_id=opt_int(brand_param, "brand"),
        state=state if state in sm.OPEN_STATES else None, overdue=overdue,
        network=network or None, level=level if level in inbox.LEVELS else None,
        assignee=who if who == "none" or opt_int(who, "assignee") is not None else None,
        tag=(tag or "").strip() or None,
        incident=incident if incident in ("any", "none") or opt_int(incident, "incident")
        is not None else None,
        location=opt_int(location, "location"),
        sort=sort if sort in inbox.SORTS else "urgent")
    page = inbox.read_page(session, datetime.now(UTC), f, page=opt_int(page_param, "page") or 1)
    keep = f.query()
    return render(request, "inbox.html", {
        "p": page, "rows": page.rows, "brands": brands(session), "f": f, "keep": keep,
        "qs": qs, "states": [s for s in sm.STATES if s in sm.OPEN_STATES],
        "links": inbox.page_links(page.page, page.pages), "menu": inbox.choices(session),
        "me": principal.who.id, "can_respond": principal.can("respond"),
        "here": "/inbox?" + qs(**keep, page=page.page if page.page > 1 else None),
        "error": request.query_params.get("error"),
        "done": request.query_params.get("done"),
    })


@router.post("/inbox/bulk")
def inbox_bulk(
    request: Request,
    principal: Responder,
    session: SessionDep,
    case_ids: list[StoreId] = Form(default_factory=list, alias="case"),
    operation: str = Form(..., max_length=20),
    assignee: str = Form("", max_length=20),
    tag_name: str = Form("", max_length=100, alias="tag"),
    back_to: str = Form("/inbox", max_length=2000, alias="back"),
) -> Response:
    """One step over the cases ticked in the inbox; each case succeeds or fails on its own."""
    url = back_to if back_to.startswith("/inbox") else "/inbox"
    who = principal.who.id if assignee == "me" else opt_int(assignee, "assignee")
    try:
        out = bulk_cases(session, case_ids, operation, actor=principal.actor, assignee_id=who,
                         tag_name=tag_name, source_factory=source_factory(request, session))
    except ValueError as exc:
        return back(url, exc, lang_of(request))
    joint = "&" if "?" in url else "?"
    url += f"{joint}{qs(done=len(out.done))}"
    if out.failed:
        lines = "; ".join(f"#{cid}: {why}" for cid, why in list(out.failed.items())[:5])
        return back(url, refusal(ValueError, "refused_bulk_failed", count=len(out.failed),
                                 lines=lines), lang_of(request))
    return back(url)


@router.get("/cases/{case_id}")
def case_page(
    request: Request,
    case_id: StoreId,
    principal: Reader,
    session: SessionDep,
) -> Response:
    view = get_or_404(session, lambda s, i: casework.case_view(s, i, principal.who.name or None),
                      case_id)
    return render(request, "case.html", {
        "v": view, "targets": sorted(sm.TRANSITIONS.get(view.case.state, ())),
        "outcomes": sm.OUTCOMES, "error": request.query_params.get("error"),
    })


def _run(request: Request, session: Session, case_id: int, work: Callable[[], Any]) -> Response:
    """Run one case action; a refused move or send comes back as a message on the page."""
    return run_step(session, f"/cases/{case_id}", work, lang=lang_of(request))


def _send(request: Request, session: Session, case_id: int,
          work: Callable[[Any], object]) -> Response:
    """A case step that sends through the brand's channels: `work(connector factory)`."""
    return send_step(request, session, f"/cases/{case_id}", work)


def _draft_and_send(session: Session, case: Case, kind: str, factory: Any, actor: str,
                    **draft: Any) -> None:
    """One more message in a case, drafted and sent with whatever else is ready."""
    draft_case_action(session, case, kind, actor=actor, **draft)
    send_case_actions(session, case.id, source_factory=factory, actor=actor)


@router.post("/cases/{case_id}/answer")
def answer(
    request: Request,
    case_id: StoreId,
    principal: Responder,
    session: SessionDep,
    public_text: str = Form(..., max_length=4000),
    private_text: str = Form(..., max_length=4000),
) -> Response:
    """Answer publicly and move to private: the private message first, then the public reply."""
    return _send(request, session, case_id, lambda factory: answer_and_move_to_private(
        session, case_id, actor=principal.actor, source_factory=factory,
        public_text=public_text.strip() or None, private_text=private_text.strip() or None))


@router.post("/cases/{case_id}/private")
def send_private(
    request: Request,
    case_id: StoreId,
    principal: Responder,
    session: SessionDep,
    text: str = Form(..., min_length=1, max_length=4000),
) -> Response:
    """One more private message in the conversation."""
    return _send(request, session, case_id, lambda factory: _draft_and_send(
        session, get_case(session, case_id), "private_message", factory, principal.actor,
        text=text))


@router.post("/cases/{case_id}/resolve")
def resolve(
    request: Request,
    case_id: StoreId,
    principal: Responder,
    session: SessionDep,
    reason: str = Form("", max_length=1000),
    confirm_unsent: bool = Form(False),
) -> Response:
    return _run(request, session, case_id, lambda: resolve_case(
        session, case_id, actor=principal.actor, reason=reason or None,
        confirm_unsent=confirm_unsent))


@router.post("/cases/{case_id}/follow-up-due")
def follow_up_due(
    request: Request,
    case_id: StoreId,
    principal: Responder,
    session: SessionDep,
    due: str = Form(..., max_length=40),
) -> Response:
    """Move the follow-up: `due` is a datetime-local value in the desk's time zone."""
    def work() -> None:
        try:
            local = datetime.fromisoformat(due)
        except ValueError:
            raise refusal(ValueError, "refused_date_time") from None
        at = local if local.tzinfo else local.replace(tzinfo=zone_of(request))
        move_follow_up(session, case_id, at.astimezone(UTC), actor=principal.actor)

    return _run(request, session, case_id, work)


@router.post("/cases/{case_id}/follow-up")
def follow_up_now(
    request: Request,
    case_id: StoreId,
    principal: Responder,
    session: SessionDep,
    text: str = Form("", max_length=4000),
) -> Response:
    """Ask the customer now (instead of waiting for the follow-up delay)."""
    def work(factory: Any) -> None:
        case = get_case(session, case_id)
        if case.state != sm.RESOLVED:
            raise sm.IllegalTransition(case.state, sm.FOLLOWED_UP)
        _draft_and_send(session, case, "follow_up", factory, principal.actor,
                        text=text.strip() or None, idempotency_key=f"follow_up:case:{case.id}")

    return _send(request, session, case_id, work)


@router.post("/cases/{case_id}/transition")
def move(
    request: Request,
    case_id: StoreId,
    principal: Responder,
    session: SessionDep,
    target: str = Form(...),
    reason: str = Form("", max_length=1000),
    outcome: str = Form(""),
) -> Response:
    return _run(request, session, case_id, lambda: transition(
        session, case_id, target, actor=principal.actor, reason=reason or None,
        outcome=outcome or None))


@router.post("/cases/{case_id}/actions/{action_id}/retry")
def retry(
    request: Request,
    case_id: StoreId,
    action_id: StoreId,
    principal: Responder,
    session: SessionDep,
) -> Response:
    """Send a failed message again (the same idempotency key: a repeat is dropped by VK)."""
    return _send(request, session, case_id, lambda factory: retry_case_action(
        session, case_id, action_id, source_factory=factory, actor=principal.actor))


@router.post("/cases/{case_id}/actions/{action_id}/approve")
def approve(
    request: Request,
    case_id: StoreId,
    action_id: StoreId,
    principal: Responder,
    session: SessionDep,
) -> Response:
    """Approve a drafted message and send what is ready."""
    def work(factory: Any) -> None:
        action = approve_action(session, action_id, actor=principal.actor,
                                user_id=principal.who.id)
        if action.case_id != case_id:
            raise LookupError(f"action {action_id} is not in case {case_id}")
        send_case_actions(session, case_id, source_factory=factory, actor=principal.actor)

    return _send(request, session, case_id, work)
