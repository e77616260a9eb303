"""The sandbox network's own page: a message the brand sent there, in its thread, with the
simulated customers' answers — what a real network's post page would show. Marked as practice."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import or_, select

from otklik.db.models import SandboxMessage
from otklik.web.deps import Reader, SessionDep
from otklik.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/sandbox/{external_id}")
def sandbox_message(
    request: Request,
    external_id: str,
    _: Reader,
    session: SessionDep,
) -> Response:
    message = session.scalar(select(SandboxMessage).where(
        SandboxMessage.external_id == external_id[:200]))
    if message is None:
        raise HTTPException(404, "no such sandbox message")
    related = [message]
    if message.thread_external_id:
        related = list(session.scalars(select(SandboxMessage).where(or_(
            SandboxMessage.thread_external_id == message.thread_external_id,
            SandboxMessage.parent_external_id == message.external_id))
            .order_by(SandboxMessage.due_at, SandboxMessage.id)))
    return render(request, "sandbox.html", {"message": message, "related": related})
