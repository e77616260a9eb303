"""Settings: brands (SLA, follow-up delay), queries (validated live), owned channels,
templates (preview with a sample mention), alert channels and users."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import APIRouter, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import changes
from otklik.actions import users as user_actions
from otklik.actions.alert_dispatch import held_by_channel
from otklik.actions.brands import BrandError, add_query, create_brand
from otklik.actions.channels import ConnectError, connect_account, connect_oauth
from otklik.care.templates import KINDS as TEMPLATE_KINDS
from otklik.db.models import AlertChannel, AlertOutbox, Source, Template, User
from otklik.db.models.accounts import ROLES
from otklik.db.secrets import CannotOpen, open_credentials, seal_credentials
from otklik.domain.ids import StoreId
from otklik.domain.posts import NETWORKS
from otklik.sources import oauth
from otklik.sources.errors import SourceError
from otklik.sources.mastodon import instance_url
from otklik.sources.registry import networks, new_client
from otklik.web.auth import Principal
from otklik.web.deps import Admin, Analyst, Reader, SessionDep, get_or_404
from otklik.web.pages.common import answer_step, brand_or_404, brands, opt_int
from otklik.web.preview import preview
from otklik.web.query_problems import problem_of
from otklik.web.render import lang_of, render
from otklik.wording.catalogues import say
from otklik.wording.refusals import explain

router = APIRouter(prefix="/settings", include_in_schema=False)
ALERT_LOG = 15  # the newest alerts shown: who was told what, and what still waits


def _page(request: Request, session: Session, principal: Principal, error: str | None = None,
          status_code: int = 200) -> Response:
    return render(request, "settings.html", {
        "brands": brands(session), "networks": NETWORKS, "roles": ROLES,
        "templates": list(session.scalars(select(Template).order_by(Template.kind, Template.lang))),
        "alerts": list(session.scalars(select(AlertChannel).order_by(AlertChannel.id))),
        "waiting": held_by_channel(session),
        "alert_log": list(session.scalars(select(AlertOutbox).order_by(AlertOutbox.id.desc())
                                          .limit(ALERT_LOG))),
        "users": list(session.scalars(select(User).order_by(User.email)))
        if principal.can("admin") else [],
        "alert_kinds": changes.ALERT_KINDS, "error": error, "template_kinds": TEMPLATE_KINDS,
        "sandbox_sources": set(session.scalars(
            select(Source.id).where(Source.network == "sandbox"))),
        "connectable": [cls for cls in networks().values()
                        if cls.credential_fields and not cls.sandbox],
        "oauth_ready": {n for n, spec in oauth.SPECS.items() if spec.per_instance or (
            request.app.state.settings.oauth_clients.get(n) or {}).get("client_id")},
    }, status_code=status_code)


def _step(request: Request, session: Session, principal: Principal, anchor: str,
          refusals: type[Exception] | tuple[type[Exception], ...],
          work: Callable[[], object]) -> Response:
    """A settings form's change: back to its place on the page, or the page with the reason."""
    return answer_step(
        session, work, refusals=refusals,
        refused=lambda exc: _page(request, session, principal, explain(exc, lang_of(request)),
                                  status_code=422),
        done=lambda _: RedirectResponse(f"/settings#{anchor}", status_code=303))


@router.get("")
def settings_page(request: Request, principal: Reader, session: SessionDep) -> Response:
    return _page(request, session, principal)


@router.post("/brands")
def brand_create(
    request: Request,
    principal: Admin,
    session: SessionDep,
    name: str = Form(..., max_length=200),
    slug: str = Form("", max_length=64),
) -> Response:
    return _step(request, session, principal, "brands", (BrandError, ValueError),
                 lambda: create_brand(session, name, slug=slug or None, actor=principal.actor))


@router.post("/brands/{brand_id}")
def brand_update(
    request: Request,
    brand_id: StoreId,
    principal: Admin,
    session: SessionDep,
    name: str = Form(..., max_length=200),
    sla_minutes: int = Form(...),
    follow_up_days: float = Form(...),
) -> Response:
    brand = brand_or_404(session, brand_id)
    return _step(request, session, principal, f"brand-{brand_id}", changes.ChangeError,
                 lambda: changes.update_brand(session, principal.actor, brand, name=name,
                                              sla_minutes=sla_minutes,
                                              follow_up_days=follow_up_days))


@router.get("/queries/validate")
def query_validate(
    request: Request,
    _: Reader,
    text: str = Query("", max_length=5000),
) -> Response:
    """Live validation as the analyst types: ok, or the error at its position."""
    problem = problem_of(text) if text.strip() else None
    return render(request, "_query_check.html", {"problem": problem, "text": text})


@router.post("/brands/{brand_id}/queries")
def query_add(
    request: Request,
    brand_id: StoreId,
    principal: Analyst,
    session: SessionDep,
    text: str = Form(..., max_length=5000),
    name: str = Form("", max_length=200),
) -> Response:
    brand = brand_or_404(session, brand_id)
    return _step(request, session, principal, f"brand-{brand_id}", ValueError,
                 lambda: add_query(session, brand, text, name=name, actor=principal.actor))


@router.post("/brands/{brand_id}/channels")
def channel_add(
    request: Request,
    brand_id: StoreId,
    principal: Admin,
    session: SessionDep,
    network: str = Form(...),
    external_id: str = Form(..., max_length=200),
    name: str = Form("", max_length=200),
) -> Response:
    brand = brand_or_404(session, brand_id)
    return _step(request, session, principal, f"brand-{brand_id}", changes.ChangeError,
                 lambda: changes.add_channel(session, principal.actor, brand, network=network,
                                             external_id=external_id, name=name))


@router.post("/brands/{brand_id}/connect")
async def channel_connect(
    request: Request,
    brand_id: StoreId,
    principal: Admin,
    session: SessionDep,
) -> Response:
    """Connect an account: the form's `cred_*` fields are credentials, `param_*` plain params
    (built from the network's declarations); verified at the network before anything is kept."""
    brand_or_404(session, brand_id)
    form = await request.form()
    fields = {str(k): str(v).strip() for k, v in form.items() if isinstance(v, str)}
    credentials = {k[5:]: v for k, v in fields.items() if k.startswith("cred_") and v}
    params = {k[6:]: v for k, v in fields.items() if k.startswith("param_") and v}
    return await run_in_threadpool(
        _step, request, session, principal, f"brand-{brand_id}", ConnectError,
        lambda: connect_account(
            session, request.app.state.settings, brand_id=brand_id,
            network=fields.get("network", ""), credentials=credentials, params=params,
            actor=principal.actor))


OAUTH_KEPT = 5  # sign-ins a browser may have started and not finished


@router.post("/brands/{brand_id}/oauth/{network}")
async def oauth_start(
    request: Request,
    brand_id: StoreId,
    network: str,
    principal: Admin,
    session: SessionDep,
) -> Response:
    """Sign in with the network: to its authorize page with a fresh `state` (and PKCE), kept
    in this browser's signed session for the callback to find again (the PKCE verifier and a
    registered Mastodon client sealed there with the secret key)."""
    brand_or_404(session, brand_id)
    settings = request.app.state.settings
    form = await request.form()
    params = {str(k)[6:]: str(v).strip() for k, v in form.items()
              if str(k).startswith("param_") and isinstance(v, str) and v.strip()}
    back = str(request.url_for("oauth_callback", network=network))
    try:
        spec = oauth.spec_of(network)
        app = dict(settings.oauth_clients.get(network) or {})
        if spec.per_instance:  # Mastodon: register otklik on the brand's server first
            params["instance"] = instance_url(params.get("instance"))
            http = new_client(max_retries=1)
            try:
                app = await oauth.register_app(http, params["instance"], back)
            finally:
                await http.aclose()
        begun = oauth.start(spec, settings, app, back, params)
    except ValueError as exc:
        return _page(request, session, principal, explain(exc, lang_of(request)),
                     status_code=422)
    except SourceError as exc:
        return _page(request, session, principal, f"{network}: {exc}", status_code=502)
    pending = dict(request.session.get("oauth") or {})
    secret = {"verifier": begun.verifier or "", **(app if spec.per_instance else {})}
    pending[begun.state] = {"network": network, "brand_id": brand_id, "params": params,
                            "sealed": seal_credentials(secret, settings.secret_key)}
    request.session["oauth"] = dict(list(pending.items())[-OAUTH_KEPT:])
    return RedirectResponse(begun.url, status_code=303)


@router.get("/oauth/{network}/callback", name="oauth_callback")
async def oauth_callback(
    request: Request,
    network: str,
    principal: Admin,
    session: SessionDep,
    code: str = Query("", max_length=2000),
    state: str = Query("", max_length=200),
    error: str = Query("", max_length=200),
) -> Response:
    """The network sends the browser back: only a `state` this browser was given is accepted
    (and only once), then the code is exchanged and the account connected."""
    pending = dict(request.session.get("oauth") or {})
    begun = pending.pop(state, None) if state else None
    request.session["oauth"] = pending
    if begun is None or begun.get("network") != network:
        return _page(request, session, principal,
                     say("refused_oauth_not_begun", lang_of(request)), status_code=400)
    if error or not code:
        why = error or say("refused_oauth_no_code", lang_of(request))
        return _page(request, session, principal,
                     say("refused_oauth_cancelled", lang_of(request), network=network, why=why),
                     status_code=400)
    brand_id = int(begun["brand_id"])
    settings = request.app.state.settings
    try:
        kept = open_credentials(begun.get("sealed"), settings.secret_key)
    except CannotOpen:
        kept = {}
    app = {k: v for k, v in kept.items() if k in ("client_id", "client_secret")} or None
    redirect_uri = str(request.url_for("oauth_callback", network=network))
    return await run_in_threadpool(
        _step, request, session, principal, f"brand-{brand_id}", ConnectError,
        lambda: connect_oauth(
            session, settings, brand_id=brand_id, network=network, code=code,
            verifier=kept.get("verifier") or None, app=app, redirect_uri=redirect_uri,
            params=dict(begun.get("params") or {}), actor=principal.actor))


@router.post("/templates")
def template_save(
    request: Request,
    principal: Admin,
    session: SessionDep,
    kind: str = Form(..., max_length=40),
    lang: str = Form("ru"),
    name: str = Form("default", max_length=100),
    body: str = Form(..., max_length=20000),
    brand: str | None = Form(None),
) -> Response:
    return _step(request, session, principal, "templates", ValueError,
                 lambda: changes.save_template(
                     session, principal.actor, brand_id=opt_int(brand, "brand"), kind=kind,
                     lang=lang, name=name, body=body))


@router.post("/templates/preview")
def template_preview(
    request: Request,
    _: Reader,
    body: str = Form("", max_length=20000),
) -> Response:
    try:
        text, error = preview(body), None
    except ValueError as exc:
        text, error = "", explain(exc, lang_of(request))
    return render(request, "_preview.html", {"text": text, "error": error})


def _config(text: str) -> dict[str, object]:
    """An alert channel's settings as typed (JSON), or the line and reason it is not an object."""
    try:
        parsed = json.loads(text or "{}")
    except json.JSONDecodeError as exc:
        raise changes.ChangeError(f"config: line {exc.lineno}: {exc.msg}") from exc
    if not isinstance(parsed, dict):
        raise changes.ChangeError("config: a JSON object is needed")
    return parsed


@router.post("/alerts")
def alert_add(
    request: Request,
    principal: Admin,
    session: SessionDep,
    kind: str = Form(...),
    config: str = Form("{}"),
    events: str = Form(""),
    brand: str | None = Form(None),
) -> Response:
    return _step(request, session, principal, "alerts", changes.ChangeError,
                 lambda: changes.add_alert_channel(
                     session, principal.actor, brand_id=opt_int(brand, "brand"), kind=kind,
                     config=_config(config),
                     events=[e.strip() for e in events.split(",") if e.strip()]))


@router.post("/users")
def user_add(
    request: Request,
    principal: Admin,
    session: SessionDep,
    email: str = Form(..., max_length=200),
    password: str = Form(..., max_length=1000),
    role: str = Form("viewer"),
) -> Response:
    return _step(request, session, principal, "users", user_actions.UserError,
                 lambda: user_actions.create_user(session, email, password, role,
                                                  actor=principal.actor))


@router.post("/users/{user_id}")
def user_update(
    request: Request,
    user_id: StoreId,
    principal: Admin,
    session: SessionDep,
    role: str = Form(...),
    active: bool = Form(False),
    password: str = Form("", max_length=1000),
) -> Response:
    user = get_or_404(session, user_actions.get_user, user_id)
    return _step(request, session, principal, "users", user_actions.UserError,
                 lambda: user_actions.update_user(session, user, role=role, active=active,
                                                  password=password, by=principal.who.id,
                                                  actor=principal.actor))
