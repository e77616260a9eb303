"""Jinja2 rendering with autoescape, the request's language and safe display of hostile text."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from otklik.web.auth import csrf_token
from otklik.web.i18n import LANGS, translator

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
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(fmt)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES))
    env = templates.env
    env.autoescape = True
    env.filters["clip"] = clip
    env.filters["when"] = when
    env.filters["safe_url"] = safe_url
    return templates


def lang_of(request: Request) -> str:
    principal = getattr(request.state, "principal", None)
    if principal is not None and principal.who.lang in LANGS:
        return str(principal.who.lang)
    lang = request.session.get("lang")
    return lang if lang in LANGS else "ru"


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    """Render a page or fragment with the user, their language and the CSRF token."""
    lang = lang_of(request)
    principal = getattr(request.state, "principal", None)
    ctx: dict[str, Any] = {
        "t": translator(lang),
        "lang": lang,
        "user": principal.who if principal else None,
        "principal": principal,
        "csrf": csrf_token(request),
        "path": request.url.path,
    }
    ctx.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
