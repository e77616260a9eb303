"""Threats: the brand's communities, detected information attacks and their refutation plans.

Thin routes: rows are read as stored by `otklik.actions.communities` / `attacks`, every change
goes through `otklik.actions.refutations`. A refused step comes back as a message on the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from otklik.actions.refutations import (
    approve_official,
    build_plan,
    edit_official,
    get_refutation,
    publish_official,
    send_replies,
    set_placement,
)
from otklik.actions.refutations import status as plan_status
from otklik.db.models import Action, Attack, Brand, Community, Mention, Refutation
from otklik.domain.ids import StoreId
from otklik.figures.names import account_names, place_names
from otklik.figures.stance_trend import stance_trends
from otklik.publish.refutation import PLACEMENT_STATUSES
from otklik.web import attack_story
from otklik.web.deps import Reader, Responder, SessionDep, get_or_404
from otklik.web.pages.common import answer_step, back, brands, opt_int, run_step, send_step
from otklik.web.render import lang_of, render, zone_of

router = APIRouter(include_in_schema=False)
HOSTILE = "unofficial-hostile"
TRENDS = 100  # places charted week by week (the first of the list: hostile and busy first)


def threat_counts(session: Session, brand_id: int | None) -> dict[str, int]:
    """For the overview card: attacks nobody answered yet, and flagged hostile places."""
    attacks = _of_brand(select(func.count(Attack.id)).where(
        Attack.status == "open", Attack.responded_at.is_(None)), Attack.brand_id, brand_id)
    hostile = _of_brand(select(func.count(Community.id)).where(
        Community.kind == "place", Community.stance == HOSTILE, Community.flagged.is_(True)),
        Community.brand_id, brand_id)
    return {"attacks": int(session.scalar(attacks) or 0),
            "hostile": int(session.scalar(hostile) or 0)}


def _of_brand(stmt: Select[Any], column: Any, brand_id: int | None) -> Select[Any]:
    """`stmt` for one brand, or for all when none is chosen."""
    return stmt if brand_id is None else stmt.where(column == brand_id)


def _brand_names(session: Session) -> dict[int, str]:
    return {b.id: b.name for b in session.scalars(select(Brand))}


@router.get("/communities")
def communities_page(
    request: Request,
    _: Reader,
    session: SessionDep,
    brand_param: str | None = Query(None, alias="brand"),
) -> Response:
    """Places by stance (flagged hostile first), then the opponent groups."""
    brand = opt_int(brand_param, "brand")
    stmt = _of_brand(select(Community), Community.brand_id, brand)
    hostile_first = case((Community.flagged.is_(True) & (Community.stance == HOSTILE), 0),
                         (Community.stance == HOSTILE, 1), else_=2)
    places = list(session.scalars(stmt.where(Community.kind == "place").order_by(
        hostile_first, Community.volume.desc(), Community.id).limit(500)))
    groups = list(session.scalars(stmt.where(Community.kind == "author_group").order_by(
        Community.volume.desc(), Community.id).limit(100)))
    keys = [str(m) for g in groups for m in ((g.details or {}).get("members") or [])[:30]]
    charted = [(c.brand_id, c.place_id) for c in places[:TRENDS] if c.place_id is not None]
    return render(request, "communities.html", {
        "places": places, "groups": groups, "brands": brands(session), "brand_id": brand,
        "trends": stance_trends(session, charted, zone_of(request)),
        "brand_names": _brand_names(session), "accounts": account_names(session, keys),
        "place_names": place_names(session, [
            str(k) for g in groups for k in ((g.details or {}).get("places") or [])[:10]]),
    })


@router.get("/attacks")
def attacks_page(
    request: Request,
    _: Reader,
    session: SessionDep,
    brand_param: str | None = Query(None, alias="brand"),
) -> Response:
    brand = opt_int(brand_param, "brand")
    stmt = _of_brand(select(Attack), Attack.brand_id, brand).order_by(
        Attack.start.desc(), Attack.id.desc()).limit(200)
    attacks = list(session.scalars(stmt))
    plans = {r.attack_id: r.id for r in session.scalars(select(Refutation).where(
        Refutation.attack_id.in_([a.id for a in attacks])))} if attacks else {}
    lang, tz = lang_of(request), zone_of(request)
    stories = {a.id: attack_story.story(a.signals, lang, tz) for a in attacks}
    told = {a.id: {"summary": attack_story.summary(a, lang, tz),
                   "signals": attack_story.signals(a.signals, lang),
                   "story": stories[a.id]} for a in attacks}
    keys = [k for a in attacks for k in (a.authors or [])[:100]]
    return render(request, "attacks.html", {
        "texts": _attack_texts(session, attacks[:50]),
        "seed_posts": _seed_posts(session, [s.post for st in stories.values()
                                            for s in st.seeds if s.post]),
        "attacks": attacks, "plans": plans, "brands": brands(session), "brand_id": brand,
        "brand_names": _brand_names(session), "error": request.query_params.get("error"),
        "told": told, "accounts": account_names(session, keys),
    })


def _seed_posts(session: Session, ids: list[str]) -> dict[str, Mention]:
    """The first post of each copied story, to link to it."""
    wanted = {int(i) for i in ids if i.isdigit()}
    if not wanted:
        return {}
    return {str(m.id): m for m in session.scalars(select(Mention).where(Mention.id.in_(wanted)))}


def _attack_texts(session: Session, attacks: list[Attack], per: int = 3) -> dict[int, list[Any]]:
    """A few of each attack's posts, distinct texts, to read what the campaign says."""
    wanted = {int(i) for a in attacks for i in (a.mention_ids or [])[:40]
              if str(i).isdigit()}
    if not wanted:
        return {}
    found = {m.id: m for m in session.scalars(select(Mention).where(Mention.id.in_(wanted)))}
    out: dict[int, list[Any]] = {}
    for a in attacks:
        seen: set[str] = set()
        for i in (a.mention_ids or [])[:40]:
            m = found.get(int(i)) if str(i).isdigit() else None
            if m is None or m.text in seen:
                continue
            seen.add(m.text)
            out.setdefault(a.id, []).append(m)
            if len(out[a.id]) >= per:
                break
    return out


@router.post("/attacks/{attack_id}/refutation")
def plan_refutation(
    request: Request,
    attack_id: StoreId,
    principal: Responder,
    session: SessionDep,
    claim: str = Form("", max_length=2000),
    facts: str = Form("", max_length=4000),
    proof: str = Form("", max_length=1000),
) -> Response:
    """Build (or refresh) the three-track plan from the false claim and the brand's facts (with
    a link to proof), and open it: the official post is then edited, approved, published."""
    given = " ".join(part for part in (facts.strip(), proof.strip()) if part)
    return answer_step(
        session, lambda: build_plan(session, actor=principal.actor, attack_id=attack_id,
                                    claim=claim, facts=given),
        refusals=ValueError, refused=lambda exc: back("/attacks", exc, lang_of(request)),
        done=lambda ref: RedirectResponse(f"/refutations/{ref.id}", status_code=303))


@router.get("/refutations/{refutation_id}")
def refutation_page(
    request: Request,
    refutation_id: StoreId,
    _: Reader,
    session: SessionDep,
) -> Response:
    ref = get_or_404(session, get_refutation, refutation_id)
    progress = plan_status(session, refutation_id)
    attack = session.get(Attack, ref.attack_id) if ref.attack_id else None
    first_reply = next((r.get("action_id") for r in ref.replies or [] if r.get("action_id")),
                       None)
    reply = session.get(Action, first_reply) if first_reply else None
    return render(request, "refutation.html", {
        "reply_text": reply.text if reply is not None else "",
        "stages": ("draft", "approved", "published", "done"),
        "ref": ref, "st": progress, "attack": attack, "statuses": PLACEMENT_STATUSES,
        "notes": {p.get("community_id"): p.get("note", "") for p in ref.placements or []},
        "error": request.query_params.get("error"),
    })


def _run(request: Request, session: Session, refutation_id: int,
         work: Callable[[], object]) -> Response:
    return run_step(session, f"/refutations/{refutation_id}", work, lang=lang_of(request))


def _send(request: Request, session: Session, refutation_id: int,
          work: Callable[[Any], object]) -> Response:
    """A step that posts through the brand's channels: `work(connector factory)`, the plan
    looked up first (a 404 costs nothing, a factory may)."""
    get_or_404(session, get_refutation, refutation_id)
    return send_step(request, session, f"/refutations/{refutation_id}", work)


@router.post("/refutations/{refutation_id}/official")
def edit(
    request: Request,
    refutation_id: StoreId,
    principal: Responder,
    session: SessionDep,
    text: str = Form(..., max_length=4000),
) -> Response:
    """Edit the official post while it waits for approval."""
    return _run(request, session, refutation_id, lambda: edit_official(
        session, refutation_id, text, actor=principal.actor))


@router.post("/refutations/{refutation_id}/approve")
def approve(request: Request, refutation_id: StoreId, principal: Responder,
            session: SessionDep) -> Response:
    return _run(request, session, refutation_id, lambda: approve_official(
        session, refutation_id, actor=principal.actor, user_id=principal.who.id))


@router.post("/refutations/{refutation_id}/publish")
def publish(
    request: Request,
    refutation_id: StoreId,
    principal: Responder,
    session: SessionDep,
) -> Response:
    return _send(request, session, refutation_id, lambda factory: publish_official(
        session, refutation_id, source_factory=factory, actor=principal.actor))


@router.post("/refutations/{refutation_id}/replies")
def send(
    request: Request,
    refutation_id: StoreId,
    principal: Responder,
    session: SessionDep,
    limit: str | None = Form(None),
) -> Response:
    """Send the drafted targeted replies, largest reach first (paced; a rate limit pauses)."""
    return _send(request, session, refutation_id, lambda factory: send_replies(
        session, refutation_id, source_factory=factory, actor=principal.actor,
        limit=opt_int(limit, "limit")))


@router.post("/refutations/{refutation_id}/placements/{community_id}")
def placement(
    request: Request,
    refutation_id: StoreId,
    community_id: StoreId,
    principal: Responder,
    session: SessionDep,
    status: str = Form(...),
    note: str = Form("", max_length=1000),
) -> Response:
    """Tick off a native placement: todo → contacted → published (or declined)."""
    return _run(request, session, refutation_id, lambda: set_placement(
        session, refutation_id, community_id, status, actor=principal.actor, note=note))
