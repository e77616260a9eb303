"""Cases: list, get, transition, reply (drafted from a template or given text, then sent)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from otklik.actions.case_requests import answer_case, move_case_to
from otklik.actions.cases import UnsentAnswer, get_case
from otklik.actions.send import SendRefused
from otklik.db.models import Action, Case
from otklik.domain.cases import IllegalTransition
from otklik.domain.ids import StoreId
from otklik.web.api.common import cursor_id, invalid
from otklik.web.api.schemas import In, encode_cursor
from otklik.web.deps import Reader, Responder, SessionDep, get_or_404
from otklik.web.pages.cases import source_factory

router = APIRouter(prefix="/api/v1/cases", tags=["cases"])


class ActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    status: str
    text: str
    external_id: str | None
    sent_at: datetime | None
    last_error: str | None


class CaseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    brand_id: int
    state: str
    network: str
    root_mention_id: int
    customer_name: str | None
    priority: float
    first_response_due_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    follow_up_due_at: datetime | None
    followed_up_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    created_at: datetime


class CaseDetail(CaseOut):
    mention_ids: list[int] = []
    actions: list[ActionOut] = []


class CaseList(BaseModel):
    items: list[CaseOut]
    next_cursor: str | None = None


class TransitionIn(In):
    target: str = Field(min_length=1, max_length=24)
    reason: str | None = Field(None, max_length=1000)
    outcome: str | None = None
    confirm_unsent: bool = Field(
        False, description="resolve although no answer reached the customer (recorded)")


class ReplyIn(In):
    kind: Literal["public_reply", "private_message", "follow_up"]
    text: str | None = Field(None, max_length=4000, description="omit to use the template")
    send: bool = Field(True, description="send now (unless the brand requires approval)")


def _detail(case: Case) -> CaseDetail:
    out = CaseDetail.model_validate(case)
    out.mention_ids = [m.mention_id for m in case.mentions]
    out.actions = [ActionOut.model_validate(a) for a in case.actions]
    return out


@router.get("", response_model=CaseList)
def list_cases(
    _: Reader,
    session: SessionDep,
    state: str | None = None,
    brand_id: StoreId | None = None,
    limit: int = Query(50, ge=1, le=500),
    cursor: str | None = None,
) -> CaseList:
    """Newest first, paged by cursor."""
    stmt = select(Case).order_by(Case.id.desc()).limit(limit + 1)
    if state:
        stmt = stmt.where(Case.state == state)
    if brand_id is not None:
        stmt = stmt.where(Case.brand_id == brand_id)
    before = cursor_id(cursor)
    if before is not None:
        stmt = stmt.where(Case.id < before)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    return CaseList(items=[CaseOut.model_validate(c) for c in rows],
                    next_cursor=encode_cursor(rows[-1].id) if more and rows else None)


@router.get("/{case_id}", response_model=CaseDetail)
def get_one(case_id: StoreId, _: Reader, session: SessionDep) -> CaseDetail:
    return _detail(get_or_404(session, get_case, case_id))


@router.post("/{case_id}/transition", response_model=CaseDetail)
def move(case_id: StoreId, body: TransitionIn, principal: Responder,
         session: SessionDep) -> CaseDetail:
    """Move the case; a move the state machine forbids is a 409 saying which are allowed."""
    get_or_404(session, get_case, case_id)
    try:
        case = move_case_to(session, case_id, body.target, actor=principal.actor,
                            reason=body.reason, outcome=body.outcome,
                            confirm_unsent=body.confirm_unsent)
    except (IllegalTransition, UnsentAnswer) as exc:
        raise HTTPException(409, str(exc)) from exc
    except ValueError as exc:  # an unknown state or outcome: shaped like any other 422
        raise invalid(("body",), str(exc)) from exc
    return _detail(case)


@router.post("/{case_id}/reply", response_model=ActionOut, status_code=201)
def reply(request: Request, case_id: StoreId, body: ReplyIn, principal: Responder,
          session: SessionDep) -> Action:
    """Draft a reply (template text unless given) and send it through the brand's channel."""
    get_or_404(session, get_case, case_id)
    try:
        return answer_case(session, case_id, body.kind, actor=principal.actor, text=body.text,
                           source_factory=source_factory(request, session) if body.send
                           else None)
    except (ValueError, SendRefused) as exc:
        raise HTTPException(409, str(exc)) from exc
