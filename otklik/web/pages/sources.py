"""Sources: health at a glance (last success, error, posts/hour, silent) and their settings.

Stored credentials are never sent back to the browser: the page shows a mask, and an empty
field on the edit form keeps what is stored.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.changes import SECRET_MASK, ChangeError, mask_secret, save_source
from otklik.db.models import DeadLetter, Source
from otklik.domain.ids import StoreId
from otklik.domain.posts import NETWORKS
from otklik.secrets import CannotOpen, open_credentials
from otklik.web.auth import Principal, Require, db
from otklik.web.pages.common import brands, opt_int
from otklik.web.render import render

router = APIRouter(include_in_schema=False)


def health(session: Session, sources: list[Source], now: datetime) -> dict[int, Any]:
    """Per source: posts/hour, silence and failure, as the sources module judges them."""
    from otklik.actions.sources import source_health

    return {s.id: source_health(session, s.id, now=now) for s in sources}


@router.get("/sources")
def sources_page(
    request: Request,
    _: Principal = Depends(Require("read")),
    session: Session = Depends(db),
) -> Response:
    sources = list(session.scalars(select(Source).order_by(Source.name)))
    dead = session.scalars(select(DeadLetter).where(DeadLetter.replayed_at.is_(None))
                           .order_by(DeadLetter.id.desc()).limit(50)).all()
    return render(request, "sources.html", {
        "sources": sources, "health": health(session, sources, datetime.now(UTC)),
        "dead_letters": dead,
    })


@router.get("/sources/new")
def new_source(
    request: Request,
    _: Principal = Depends(Require("admin")),
    session: Session = Depends(db),
) -> Response:
    return _form(request, session, None, None)


@router.get("/sources/{source_id}/edit")
def edit_source(
    request: Request,
    source_id: StoreId,
    _: Principal = Depends(Require("admin")),
    session: Session = Depends(db),
) -> Response:
    return _form(request, session, _get(session, source_id), None)


def _get(session: Session, source_id: int) -> Source:
    source = session.get(Source, source_id)
    if source is None:
        raise HTTPException(404, "no such source")
    return source


def _form(request: Request, session: Session, source: Source | None, error: str | None,
          status_code: int = 200) -> Response:
    secret = request.app.state.settings.secret_key
    try:
        stored = open_credentials(source.credentials, secret) if source else {}
    except CannotOpen:  # sealed under an old key: say they are set, show nothing of them
        stored = {k: "" for k in (source.credentials or {})} if source else {}
    masked = {k: mask_secret(v) or SECRET_MASK for k, v in stored.items()}
    return render(request, "source_form.html", {
        "source": source, "masked": masked, "networks": NETWORKS, "brands": brands(session),
        "params_json": json.dumps(source.params if source else {}, ensure_ascii=False, indent=1),
        "error": error,
    }, status_code=status_code)


def _credentials(text: str) -> dict[str, str]:
    """`key=value` per line; a line without '=' is an error naming it."""
    out: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if "=" not in line:
            raise ChangeError(f"credentials line {number}: expected key=value")
        key, value = line.split("=", 1)
        out[key.strip()] = value.strip()
    return out


@router.post("/sources")
@router.post("/sources/{source_id}")
def save(
    request: Request,
    source_id: StoreId | None = None,
    name: str = Form(...),
    network: str = Form(...),
    kind: str = Form("search"),
    params: str = Form("{}"),
    credentials: str = Form(""),
    interval_seconds: int = Form(300),
    enabled: bool = Form(False),
    brand: str | None = Form(None),
    principal: Principal = Depends(Require("admin")),
    session: Session = Depends(db),
) -> Response:
    source = _get(session, source_id) if source_id is not None else None
    try:
        try:
            parsed = json.loads(params or "{}")
        except json.JSONDecodeError as exc:
            raise ChangeError(f"params: line {exc.lineno}: {exc.msg}") from exc
        if not isinstance(parsed, dict):
            raise ChangeError("params: a JSON object is needed")
        source = save_source(
            session, principal.actor, source, name=name, network=network, kind=kind,
            params=parsed, credentials=_credentials(credentials),
            interval_seconds=interval_seconds, enabled=enabled,
            brand_id=opt_int(brand, "brand"), secret_key=request.app.state.settings.secret_key,
        )
    except ChangeError as exc:
        session.rollback()
        return _form(request, session, source, str(exc), status_code=422)
    session.commit()
    return RedirectResponse("/sources", status_code=303)
