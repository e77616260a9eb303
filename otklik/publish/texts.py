"""Texts of posts: incident explanations, announcements, refutations, from sandboxed templates.

The same sandbox as the desk's reply templates (`otklik.care.templates.make_environment`: strict
variables, no attribute escapes, plain-text output). A brand overrides a default by storing a
`Template` row with the publish kind (`incident_post`, `announcement`, …) and language; defaults
ship in `default_templates/<kind>.<lang>.j2`. Replies to customers (`incident_reply`) render
through the desk's `render_text`, so an unknown customer name disappears with its punctuation.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from babel.dates import format_date
from jinja2 import TemplateError, TemplateSyntaxError
from jinja2.sandbox import SecurityError

from otklik.care.templates import (
    MAX_OUTPUT,
    TemplateInvalid,
    make_environment,
)
from otklik.wording import words
from otklik.wording.catalogues import wording

KINDS: tuple[str, ...] = (
    "incident_post", "incident_update", "incident_resolved", "incident_reply",
    "announcement", "announcement_reminder", "announcement_clear", "refutation_post",
    "refutation_reply",
)
DEFAULTS_DIR = Path(__file__).parent / "default_templates"
_ENV = make_environment()
_SPACES = re.compile(r"[ \t]{2,}")


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown publish template kind {kind!r} (one of {', '.join(KINDS)})")
    return kind


def brand_zone(working_hours: dict[str, Any] | None, lang: str) -> tzinfo:
    """The brand's time zone (`working_hours["tz"]`), else its language's usual one."""
    name = (working_hours or {}).get("tz")
    return words.zone(str(name) if name else None, lang)


def fmt_time(value: datetime | None, zone: tzinfo = UTC, lang: str = "ru") -> str:
    """A moment as the brand's customers read it, in the brand's zone: '20 ноября, 15:00 (мск)',
    'Nov 20, 12:00 (UTC)' (the day's CLDR pattern and the zone's short name from the `wording`
    catalogue)."""
    if value is None:
        return ""
    local = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(zone)
    name = getattr(zone, "key", "UTC")
    offset = local.utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset is not None else 0
    catalogue = wording(lang)
    label = catalogue.word("zone_short", name) or (f"UTC{hours:+d}" if hours else "UTC")
    day = format_date(local, catalogue.say("post_day"), locale=catalogue.lang)
    return f"{day}, {local:%H:%M} ({label})"


def default_body(kind: str, lang: str) -> str:
    path = DEFAULTS_DIR / f"{check_kind(kind)}.{lang}.j2"
    if not path.exists():
        path = DEFAULTS_DIR / f"{kind}.ru.j2"
    return path.read_text(encoding="utf-8").strip()


def render_body(body: str, context: dict[str, Any]) -> str:
    """Render a template body in the sandbox; any refusal or empty result is TemplateInvalid."""
    try:
        text = _ENV.from_string(body).render(context)
    except SecurityError as exc:
        raise TemplateInvalid(f"template refused by the sandbox: {exc}") from exc
    except TemplateSyntaxError as exc:
        raise TemplateInvalid(f"template syntax error at line {exc.lineno}: {exc.message}") from exc
    except TemplateError as exc:
        raise TemplateInvalid(f"template error: {exc} (variables: {', '.join(sorted(context))})"
                              ) from exc
    text = _SPACES.sub(" ", text).strip()
    if not text:
        raise TemplateInvalid("template rendered to an empty text")
    if len(text) > MAX_OUTPUT:
        raise TemplateInvalid(f"template rendered {len(text)} characters (max {MAX_OUTPUT})")
    return text
