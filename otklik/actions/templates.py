"""Reply templates stored: a brand's (or a global) template replaces the shipped default; the
rules it must pass (a known kind, rendering in the sandbox) are `otklik.care.templates`'s."""

from __future__ import annotations

from sqlalchemy.orm import Session

from otklik.actions.stored_templates import find_template
from otklik.care.templates import check_kind, validate
from otklik.db.models import Template


def save_template(
    session: Session, brand_id: int | None, kind: str, lang: str, body: str,
    name: str = "default",
) -> Template:
    """Store (or replace) a template after checking it renders in the sandbox."""
    check_kind(kind)
    validate(body)
    row = find_template(session, brand_id, kind, lang, name)
    if row is not None and row.brand_id == brand_id:
        row.body = body
    else:
        row = Template(brand_id=brand_id, kind=kind, lang=lang, name=name, body=body)
        session.add(row)
    session.flush()
    return row
