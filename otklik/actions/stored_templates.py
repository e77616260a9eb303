"""The text in force for a template kind: the brand's stored template, else a global stored one,
else the default shipped with otklik. The store is read here, so that `care.templates` and
`publish.texts` stay pure rules over texts (the sandbox, the defaults, the checks)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.care import templates as desk
from otklik.db.models import Template
from otklik.publish import texts as posts


def find_template(
    session: Session, brand_id: int | None, kind: str, lang: str, name: str = "default"
) -> Template | None:
    """The stored template that overrides the default: the brand's first, then a global one."""
    for owner in ([brand_id, None] if brand_id is not None else [None]):
        found = session.scalars(select(Template).where(
            Template.kind == kind, Template.lang == lang, Template.name == name,
            Template.brand_id.is_(None) if owner is None else Template.brand_id == owner,
        )).first()
        if found is not None:
            return found
    return None


def render(
    session: Session, brand_id: int | None, kind: str, lang: str, variables: desk.TemplateVars
) -> tuple[str, Template | None]:
    """A desk message (apology, private message, follow-up…) for (brand, kind, lang), and the
    stored row used, if any."""
    stored = find_template(session, brand_id, desk.check_kind(kind), lang)
    body = stored.body if stored is not None else desk.default_body(kind, lang)
    return desk.render_text(body, variables), stored


def render_post(
    session: Session, brand_id: int, kind: str, lang: str, context: dict[str, Any]
) -> tuple[str, int | None]:
    """A published text (incident post, announcement, refutation…) and the id of the stored
    template used, if any."""
    stored = find_template(session, brand_id, posts.check_kind(kind), lang)
    body = stored.body if stored is not None else posts.default_body(kind, lang)
    return posts.render_body(body, context), stored.id if stored is not None else None


def render_incident_reply(
    session: Session, brand_id: int, lang: str, variables: desk.TemplateVars
) -> tuple[str, int | None]:
    """A reply to a customer about an incident (desk variables: name, brand, incident_link…)."""
    stored = find_template(session, brand_id, posts.check_kind("incident_reply"), lang)
    body = stored.body if stored is not None else posts.default_body("incident_reply", lang)
    return desk.render_text(body, variables), stored.id if stored is not None else None
