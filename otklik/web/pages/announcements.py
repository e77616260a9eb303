"""One scheduled warning: every text it will post (warning, reminder, "all clear") previewed per
channel in the brand's words and zone; edit, reschedule or cancel it before it goes out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from otklik.actions.announcement_edits import cancel, edit, get_announcement, preview
from otklik.db.models import Action, Brand
from otklik.domain.ids import StoreId
from otklik.publish import announcements as rules
from otklik.web.deps import Reader, Responder, SessionDep, get_or_404
from otklik.web.pages.common import run_step
from otklik.web.pages.publishing import in_zone
from otklik.web.render import lang_of, render
from otklik.wording.refusals import refusal

router = APIRouter(include_in_schema=False)


@router.get("/announcements/{announcement_id}")
def announcement_page(
    request: Request,
    announcement_id: StoreId,
    _: Reader,
    session: SessionDep,
) -> Response:
    ann = get_or_404(session, get_announcement, announcement_id)
    texts = preview(session, announcement_id)
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
    principal: Responder,
    session: SessionDep,
    title: str = Form(..., max_length=300),
    publish_at: str = Form(...),
    remind_at: str = Form(""),
    event_start: str = Form(""),
    event_end: str = Form(""),
    text: str = Form("", max_length=4000),
) -> Response:
    def work() -> None:
        when = in_zone(request, publish_at, "publish_at")
        if when is None:
            raise refusal(ValueError, "refused_publish_at_missing")
        edit(session, announcement_id, actor=principal.actor, title=title, publish_at=when,
             remind_at=in_zone(request, remind_at, "remind_at"),
             event_start=in_zone(request, event_start, "event_start"),
             event_end=in_zone(request, event_end, "event_end"), text=text)

    return run_step(session, f"/announcements/{announcement_id}", work, lang=lang_of(request))


@router.post("/announcements/{announcement_id}/cancel")
def cancel_announcement(
    request: Request,
    announcement_id: StoreId,
    principal: Responder,
    session: SessionDep,
    reason: str = Form("", max_length=1000),
) -> Response:
    return run_step(session, f"/announcements/{announcement_id}", lambda: cancel(
        session, announcement_id, actor=principal.actor, reason=reason), lang=lang_of(request))
