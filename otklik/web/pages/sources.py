"""Sources: health at a glance (last success, error, posts/hour, silent), and the form that adds
or edits one: choose the network, then the kind, then fill in labelled fields built from the
kind's declaration (`KindSpec`), with "check connection" before saving.

Stored credentials are never sent back to the browser: the form shows a mask, and an empty
secret field keeps what is stored. Parameters are checked by the same declaration as
`otklik source add -p`, so a row made here equals the CLI's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.changes import SECRET_MASK, ChangeError, mask_secret, save_source
from otklik.actions.sources import source_health
from otklik.care.failures import failure_of
from otklik.db.models import DeadLetter, Source
from otklik.db.secrets import CannotOpen, open_credentials
from otklik.domain.ids import StoreId
from otklik.sources import oauth
from otklik.sources.base import KindSpec
from otklik.sources.base import Source as Connector
from otklik.sources.errors import SourceError
from otklik.sources.forms import check_connection, clean_params
from otklik.sources.registry import networks, new_client, settings_credentials
from otklik.web.deps import Admin, Reader, SessionDep, get_or_404
from otklik.web.i18n import translator
from otklik.web.pages.common import answer_step, brands, by_id, opt_int
from otklik.web.render import lang_of, render
from otklik.wording.catalogues import say
from otklik.wording.refusals import explain

log = logging.getLogger("otklik.web.sources")
router = APIRouter(include_in_schema=False)
INPUT = {"text": "text", "int": "number", "number": "number", "url": "url", "bool": "checkbox"}


def health(session: Session, sources: list[Source], now: datetime) -> dict[int, Any]:
    """Per source: posts/hour, silence and failure, as the sources module judges them."""
    return {s.id: source_health(session, s.id, now=now) for s in sources}


def kind_label(network: str, kind: str, lang: str) -> str | None:
    """The kind's words from its network's declaration (None for an unknown network)."""
    cls = networks().get(network)
    if cls is None or kind not in cls.kinds:
        return None
    spec = cls.kind_spec(kind)
    return spec.label_en if lang == "en" else spec.label_ru


@router.get("/sources")
def sources_page(
    request: Request,
    _: Reader,
    session: SessionDep,
) -> Response:
    sources = list(session.scalars(select(Source).order_by(Source.name)))
    dead = session.scalars(select(DeadLetter).where(DeadLetter.replayed_at.is_(None))
                           .order_by(DeadLetter.id.desc()).limit(50)).all()
    lang = lang_of(request)
    return render(request, "sources.html", {
        "sources": sources, "health": health(session, sources, datetime.now(UTC)),
        "dead_letters": dead,
        "kind_labels": {s.id: kind_label(s.network, s.kind, lang) for s in sources},
    })


@dataclass(frozen=True, slots=True)
class Field:
    """One input of the form, in the user's language."""

    name: str  # the form's field: p_<param> or c_<credential>
    label: str
    help: str
    input: str  # text, number, url, checkbox, password
    required: bool
    value: Any = ""
    error: str | None = None
    placeholder: str = ""
    step: str | None = None
    advanced: bool = False
    saved: str | None = None  # a stored secret's mask


def _cls(network: str) -> type[Connector]:
    cls = networks().get(network)
    if cls is None:
        raise HTTPException(404, "no such network")
    return cls


def _spec(cls: type[Connector], kind: str) -> KindSpec:
    if cls.kinds and kind not in cls.kinds:
        raise HTTPException(404, "no such kind")
    return cls.kind_spec(kind)


def _credential_names(cls: type[Connector], spec: KindSpec) -> list[str]:
    """The credentials the kind uses, in the order it names them (what reading needs first)."""
    declared = [f.name for f in cls.credential_fields]
    return declared if spec.credentials is None else [n for n in spec.credentials
                                                         if n in declared]


def _fields(request: Request, cls: type[Connector], spec: KindSpec, values: dict[str, Any],
            errors: dict[str, str], masked: dict[str, str], configured: set[str]) -> list[Field]:
    """The kind's parameters, then the credentials it uses, each with words and its value."""
    lang = lang_of(request)
    t = translator(lang)
    en = lang == "en"
    out = []
    for p in spec.params:
        default = p.default
        if p.kind == "bool":
            checked = values.get(p.name, default)
            value: Any = bool(checked) if not isinstance(checked, str) else checked == "true"
            placeholder = ""
        else:
            value = values.get(p.name, "")
            placeholder = t("src_default", value=default) if default is not None else ""
        out.append(Field(
            f"p_{p.name}", p.label_en if en else p.label_ru, p.help_en if en else p.help_ru,
            INPUT.get(p.kind, "text"), p.required, value,
            t(f"src_err_{errors[p.name]}") if p.name in errors else None, placeholder,
            "1" if p.kind == "int" else "any" if p.kind == "number" else None, p.advanced))
    by_name = {f.name: f for f in cls.credential_fields}
    for name in _credential_names(cls, spec):
        f = by_name[name]
        ru, _, english = f.label.partition(" / ")
        saved = masked.get(name) or (t("src_secret_settings") if name in configured else None)
        out.append(Field(
            f"c_{name}", (english or ru) if en else ru, (f.help_en or f.help) if en else f.help,
            "password",
            name in spec.needs and not saved, "",
            t(f"src_err_{errors['c_' + name]}") if "c_" + name in errors else None,
            t("keep_secret") if saved else "", saved=saved))
    return out


def _masked(request: Request, source: Source | None) -> dict[str, str]:
    if source is None:
        return {}
    try:
        stored = open_credentials(source.credentials, request.app.state.settings.secret_key)
    except CannotOpen:  # sealed under an old key: say they are set, show nothing of them
        stored = {k: "" for k in (source.credentials or {})}
    return {k: mask_secret(v) or SECRET_MASK for k, v in stored.items()}


def _form(request: Request, session: Session, source: Source | None, network: str | None,
          kind: str | None, *, values: dict[str, Any] | None = None,
          errors: dict[str, str] | None = None, error: str | None = None,
          form: dict[str, str] | None = None, checked: dict[str, Any] | None = None,
          status_code: int = 200) -> Response:
    """The form at its step: no network yet, no kind yet, or the kind's fields (with a
    check's report when the browser asked without HTMX)."""
    context: dict[str, Any] = {"source": source, "network": network, "kind": kind,
                               "error": error, "brands": brands(session), "form": form or {},
                               "errors": errors or {}, **(checked or {})}
    if network is None:
        context["choices"] = [cls for cls in networks().values() if cls.kinds]
    else:
        cls = _cls(network)
        context["cls"] = cls
        if kind is None:
            context["specs"] = [cls.kind_spec(k) for k in cls.kinds]
        else:
            spec = _spec(cls, kind)
            settings = request.app.state.settings
            context["spec"] = spec
            context["oauth"] = network in oauth.SPECS and bool(spec.credentials is None
                                                               or spec.credentials)
            context["fields"] = _fields(
                request, cls, spec, dict(source.params or {}) if values is None and source
                else values or {}, errors or {}, _masked(request, source),
                set(settings_credentials(settings, cls)))
    return render(request, "source_form.html", context, status_code=status_code)


@router.get("/sources/new")
def new_source(
    request: Request,
    _: Admin,
    session: SessionDep,
    network: str | None = Query(None, max_length=40),
    kind: str | None = Query(None, max_length=40),
) -> Response:
    return _form(request, session, None, network or None, (kind or None) if network else None)


@router.get("/sources/{source_id}/edit")
def edit_source(
    request: Request,
    source_id: StoreId,
    _: Admin,
    session: SessionDep,
) -> Response:
    source = _get(session, source_id)
    return _form(request, session, source, source.network, source.kind)


def _get(session: Session, source_id: int) -> Source:
    return get_or_404(session, by_id(Source, "source"), source_id)


@dataclass(slots=True)
class Entered:
    """What the form sent, checked against the kind's declaration."""

    fields: dict[str, str]
    params: dict[str, Any]
    credentials: dict[str, str]
    errors: dict[str, str]


async def _entered(request: Request, source: Source | None) -> tuple[
        type[Connector], KindSpec, Entered]:
    form = await request.form()
    fields = {str(k): str(v).strip() for k, v in form.items() if isinstance(v, str)}
    network = source.network if source else fields.get("network", "")
    kind = source.kind if source else fields.get("kind", "")
    cls = _cls(network)
    spec = _spec(cls, kind)
    raw: dict[str, Any] = {p.name: fields.get(f"p_{p.name}", "") for p in spec.params
                           if p.kind != "bool"}
    raw |= {p.name: f"p_{p.name}" in fields for p in spec.params if p.kind == "bool"}
    params, errors = clean_params(spec, raw)
    if source is not None:  # what the form does not show (set by connecting, push…) stays
        shown = {p.name for p in spec.params}
        params = {**{k: v for k, v in (source.params or {}).items() if k not in shown},
                  **params}
    names = _credential_names(cls, spec)
    credentials = {n: fields[f"c_{n}"] for n in names if fields.get(f"c_{n}")}
    have = set(credentials) | set(_masked(request, source)) | set(
        settings_credentials(request.app.state.settings, cls))
    errors |= {f"c_{n}": "credential" for n in spec.needs if n in names and n not in have}
    return cls, spec, Entered(fields, params, credentials, errors)


@router.post("/sources/check")
@router.post("/sources/{source_id}/check")
async def check(
    request: Request,
    _: Admin,
    session: SessionDep,
    source_id: StoreId | None = None,
) -> Response:
    """Run the kind's check with the entered values (stored secrets fill empty fields) and
    say in words what it found or what is wrong. Nothing is saved."""
    source = _get(session, source_id) if source_id is not None else None
    cls, spec, entered = await _entered(request, source)

    def report(**found: Any) -> Response:
        if request.headers.get("HX-Request"):
            return render(request, "_source_check.html", {"spec": spec, **found})
        return _form(request, session, source, cls.network, spec.name,
                     values=_shown(entered.fields), form=entered.fields,
                     checked={"checked": True, **found})
    lang = lang_of(request)
    t = translator(lang)
    labels = {f.name: f.label for f in _fields(request, cls, spec, {}, {}, {}, set())}
    if entered.errors:
        names = [labels.get(f"p_{k}", labels.get(k, k)) for k in entered.errors]
        return report(ok=False, lines=[t("src_check_fields", fields=", ".join(
            say("quoted", lang, text=n) for n in names))])
    settings = request.app.state.settings
    try:
        stored = open_credentials(source.credentials, settings.secret_key) if source else {}
    except CannotOpen:
        stored = {}
    credentials = {**settings_credentials(settings, cls), **stored, **entered.credentials}
    client = new_client(max_retries=1)
    try:
        found = await check_connection(cls, settings, client, kind=spec.name,
                                       params=entered.params, credentials=credentials)
    except SourceError as exc:
        why = failure_of(exc, datetime.now(UTC)).text(lang)
        return report(ok=False, lines=[t("src_check_failed", why=why)])
    except (ValueError, KeyError, TypeError) as exc:  # the connector refused the values
        log.info("check of %s/%s refused its values: %s", cls.network, spec.name, exc)
        return report(ok=False, lines=[t("src_check_failed", why=t("src_check_refused"))])
    finally:
        await client.aclose()
    return report(ok=True, found=found)


@router.post("/sources")
@router.post("/sources/{source_id}")
async def save(
    request: Request,
    principal: Admin,
    session: SessionDep,
    source_id: StoreId | None = None,
) -> Response:
    source = _get(session, source_id) if source_id is not None else None
    cls, spec, entered = await _entered(request, source)
    fields = entered.fields
    if not fields.get("name"):
        entered.errors["name"] = "required"
    try:
        interval = int(fields.get("interval_seconds") or 300)
    except ValueError:
        interval = 0
    if interval < 10:
        entered.errors["interval_seconds"] = "interval"
    if entered.errors:
        return _form(request, session, source, cls.network, spec.name, values=_shown(fields),
                     errors=entered.errors, error=translator(lang_of(request))("src_errors"),
                     form=fields, status_code=422)

    def write() -> Source:
        return save_source(
            session, principal.actor, source, name=fields["name"], network=cls.network,
            kind=spec.name, params=entered.params, credentials=entered.credentials,
            interval_seconds=interval, enabled=fields.get("enabled") == "true",
            brand_id=opt_int(fields.get("brand") or None, "brand"),
            secret_key=request.app.state.settings.secret_key)
    return await run_in_threadpool(
        answer_step, session, write, refusals=(ChangeError, ValueError),
        refused=lambda exc: _form(request, session, source, cls.network, spec.name,
                                  values=_shown(fields), error=explain(exc, lang_of(request)),
                                  form=fields,
                                  status_code=422),
        done=lambda _: RedirectResponse("/sources", status_code=303))


def _shown(fields: dict[str, str]) -> dict[str, Any]:
    """The parameters as typed, to show them again (checkboxes as "true"/"false")."""
    return {k[2:]: v for k, v in fields.items() if k.startswith("p_")}
