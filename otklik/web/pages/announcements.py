"""One scheduled warning: every text it will post (warning, reminder, "all clear") previewed per
channel in the brand's words and zone; edit, reschedule or cancel it before it goes out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.db.models import Action, Brand
from otklik.domain.ids import StoreId
from otklik.publish import announcements as rules
from otklik.web.auth import Principal, Require, db
from otklik.web.pages.common import run_step
from otklik.web.pages.publishing import in_zone
from otklik.web.render import render

router = APIRouter(include_in_schema=False)


@router.get("/announcements/{announcement_id}")
def announcement_page(
    request: Request,
    announcement_id: StoreId,
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    from otklik.actions.announcement_edits import get_announcement, preview

    try:
        ann = get_announcement(session, announcement_id)
        texts = preview(session, announcement_id)
    except LookupError as exc:
        raise HTTPException(404, str(exc)) from exc
    posted = list(session.scalars(select(Action).where(Action.announcement_id == ann.id)
                                  .order_by(Action.id)))
    own = {k: v for k, v in (ann.texts or {}).items() if ":" not in k}
    return render(request, "announcement.html", {
        "ann": ann, "previews": texts, "posted": posted, "brand": session.get(Brand, ann.brand_id),
        "editable": ann.status in rules.EDITABLE, "cancellable": ann.status in rules.CANCELLABLE,
        "own_text": next(iter(own.values()), ""), "error": request.query_params.get("error"),
    })


@router.post("/announcements/{announcement_id}/edit")
def edit_announcement(
    request: Request,
    announcement_id: StoreId,
    title: str = Form(..., max_length=300),
    publish_at: str = Form(...),
    remind_at: str = Form(""),
    event_start: str = Form(""),
    event_end: str = Form(""),
    text: str = Form("", max_length=4000),
    principal: Principal = Depends(Require("respond")),
    session: Session = Depends(db),
) -> Response:
    from otklik.actions.announcement_edits import edit

    def work() -> None:
        when = in_zone(request, publish_at, "publish_at")
        if when is None:
            raise ValueError("укажите время публикации")
        edit(session, announcement_id, actor=principal.actor, title=title, publish_at=when,
             remind_at=in_zone(request, remind_at, "remind_at"),
             event_start=in_zone(request, event_start, "event_start"),
             event_end=in_zone(request, event_end, "event_end"), text=text)

    return run_step(session, f"/announcements/{announcement_id}", work)


@router.post("/announcements/{announcement_id}/cancel")
def cancel_announcement(
    announcement_id: StoreId,
    reason: str = Form("", max_length=1000),
    principal: Principal = Depends(Require("respond")),
    session: Session = Depends(db),
) -> Response:
    from otklik.actions.announcement_edits import cancel

    return run_step(session, f"/announcements/{announcement_id}", lambda: cancel(
        session, announcement_id, actor=principal.actor, reason=reason))
