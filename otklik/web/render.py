"""Jinja2 rendering with autoescape, the request's language and safe display of hostile text."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import select

from otklik.db.models import Brand
from otklik.web.auth import csrf_token
from otklik.web.i18n import LANGS, translator
from otklik.wording import words
from otklik.wording.codes import word
from otklik.wording.spike_story import ratio_words

TEMPLATES = Path(__file__).parent / "templates"
DISPLAY_LIMIT = 2000
# Bidi embeddings/overrides/isolates: shown as visible marks so they cannot reorder what follows.
BIDI_RE = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def clip(value: object, limit: int = DISPLAY_LIMIT) -> str:
    """Text for display: bidi controls made visible, megabyte strings cut with a marker."""
    text = "" if value is None else str(value)
    cut = len(text) > limit
    text = text[:limit]
    text = BIDI_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)
    return text + (" …" if cut else "")


def safe_url(value: object) -> str:
    """Only http(s) links leave the page: a `javascript:` URL in a post is data, not a link."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) and len(text) < 4000 else ""


def when(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A fixed machine-like format in UTC: for CSV files and logs, not for pages."""
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(fmt)


def _lang(ctx: Context) -> str:
    return str(ctx.get("lang") or "ru")


def _tz(ctx: Context) -> tzinfo:
    tz = ctx.get("tz")
    return tz if isinstance(tz, tzinfo) else words.zone(None, _lang(ctx))


@pass_context
def local_when(ctx: Context, value: datetime | None, fmt: str | None = None) -> str:
    """A time on a page: local to the installation's zone, for the reader's locale ("3 дек.,
    14:05"); `when("%H:%M")` gives the time of day alone."""
    if value is None:
        return "—"
    if fmt == "%H:%M":
        return words.clock(value, _lang(ctx), _tz(ctx))
    return words.when(value, _lang(ctx), _tz(ctx), seconds=bool(fmt and "%S" in fmt))


@pass_context
def local_day(ctx: Context, value: datetime | None) -> str:
    return words.day(value, _lang(ctx), _tz(ctx))


@pass_context
def ago(ctx: Context, value: datetime | None) -> str:
    return words.ago(value, _lang(ctx))


@pass_context
def duration(ctx: Context, minutes: float | None) -> str:
    return words.duration(minutes, _lang(ctx))


@pass_context
def sla(ctx: Context, minutes: float | None) -> str:
    return words.sla(minutes, _lang(ctx))


@pass_context
def num(ctx: Context, value: float | None, digits: int = 0) -> str:
    return words.number(value, _lang(ctx), digits)


@pass_context
def pct(ctx: Context, share: float | None) -> str:
    return words.percent(share, _lang(ctx))


@pass_context
def bilingual(ctx: Context, text: object) -> str:
    """A declaration's "Русский / English" label (a network's credential) in the page's
    language."""
    ru, _, en = str(text or "").partition(" / ")
    return en if _lang(ctx) == "en" and en else ru


@pass_context
def code(ctx: Context, value: object, domain: str) -> str:
    """`{{ c.state|code("state") }}`: the words for an internal code, never the code."""
    return word(domain, value, _lang(ctx))


@pass_context
def ratio(ctx: Context, volume: int, expected: float) -> str:
    """ "в 7 раз больше обычного": a spike's size against what was expected."""
    return ratio_words(int(volume or 0), float(expected or 0.0), _lang(ctx))


ZONE_TTL = 60.0


def installation_zone(request: Request) -> str | None:
    """The zone times are shown in: the first brand's working-hours zone, if one names it.

    Read at most once a minute (a brand setting rarely changes); None means the language's
    default (Europe/Moscow for Russian)."""
    state = request.app.state
    kept = getattr(state, "display_zone", None)
    now = time.monotonic()
    if kept is not None and now - kept[0] < ZONE_TTL:
        return kept[1]  # type: ignore[no-any-return]
    name: str | None = None
    sessions = getattr(state, "sessions", None)
    if sessions is not None:
        with sessions() as session:
            for hours in session.scalars(select(Brand.working_hours).order_by(Brand.id)):
                if isinstance(hours, dict) and hours.get("tz"):
                    name = str(hours["tz"])
                    break
    state.display_zone = (now, name)
    return name


@pass_context
def local_input(ctx: Context, value: datetime | None) -> str:
    """A time as a `datetime-local` input's value, in the page's zone."""
    return words.local(value, _tz(ctx)).strftime("%Y-%m-%dT%H:%M") if value else ""


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.autoescape = True
    env.filters["clip"] = clip
    env.filters["when"] = local_when
    env.filters["day"] = local_day
    env.filters["utc"] = when
    env.filters["ago"] = ago
    env.filters["duration"] = duration
    env.filters["sla"] = sla
    env.filters["num"] = num
    env.filters["pct"] = pct
    env.filters["code"] = code
    env.filters["bilingual"] = bilingual
    env.globals["ratio"] = ratio
    env.filters["safe_url"] = safe_url
    env.filters["local_input"] = local_input
    return templates


def lang_of(request: Request) -> str:
    principal = getattr(request.state, "principal", None)
    if principal is not None and principal.who.lang in LANGS:
        return str(principal.who.lang)
    lang = request.session.get("lang")
    return lang if lang in LANGS else "ru"


def zone_of(request: Request) -> tzinfo:
    """The zone this request's pages show times in."""
    return words.zone(installation_zone(request), lang_of(request))


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page or fragment with the user, their language and the CSRF token."""
    lang = lang_of(request)
    principal = getattr(request.state, "principal", None)
    tz = words.zone(installation_zone(request), lang)
    ctx: dict[str, Any] = {
        "t": translator(lang),
        "lang": lang,
        "tz": tz,
        "zone_label": words.zone_label(tz, lang),
        "user": principal.who if principal else None,
        "principal": principal,
        "csrf": csrf_token(request),
        "path": request.url.path,
    }
    ctx.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
