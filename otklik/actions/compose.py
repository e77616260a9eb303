"""What a case's message says and where it goes, before anything is written or sent (read-only).

`compose` picks the template in force for the case's brand and language, fills it (customer name,
brand, case number, incident link), and aims it: public messages answer the case's root mention
in its thread, private ones go to the mention's author, through the brand's channel on that
network. The writer (`otklik.actions.cases.draft_case_action`) stores the result as an Action.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions.stored_templates import render
from otklik.care.templates import TemplateVars, pick_lang
from otklik.db.models import Brand, Case, Channel, Incident, Mention

TEMPLATE_OF = {"public_reply": "public_apology", "private_message": "private_opening",
               "follow_up": "follow_up", "closing_note": "closing_note"}


@dataclass(frozen=True, slots=True)
class Draft:
    text: str
    target: dict[str, Any]
    channel_id: int | None
    template_id: int | None
    needs_approval: bool


def mention_summary(mention: Mention) -> str:
    """One line for alerts: who, where, what (shortened)."""
    who = (mention.author.name or mention.author.handle) if mention.author else "someone"
    text = " ".join(mention.text.split())
    return f"{who} ({mention.network}): {text[:160]}{'…' if len(text) > 160 else ''}"


def brand_channel(session: Session, brand_id: int, network: str) -> Channel | None:
    return session.scalars(select(Channel).where(
        Channel.brand_id == brand_id, Channel.network == network).order_by(Channel.id)).first()


def template_vars(session: Session, case: Case, brand: Brand) -> TemplateVars:
    incident = session.get(Incident, case.incident_id) if case.incident_id else None
    return TemplateVars(brand=brand.name, case_number=case.id, name=case.customer_name,
                        incident_link=incident.explanation_url if incident else None)


def mention_target(mention: Mention) -> dict[str, Any]:
    return {"external_id": mention.external_id, "mention_id": mention.id,
            "parent_external_id": mention.parent_external_id,
            "thread_external_id": mention.thread_external_id,
            "place_external_id": mention.place.external_id if mention.place else None}


def compose(
    session: Session, case: Case, brand: Brand, kind: str, *, text: str | None = None,
    needs_approval: bool | None = None,
) -> Draft:
    """The text (template unless given), target, channel and approval need of one message."""
    if kind not in TEMPLATE_OF:
        raise ValueError(f"a case cannot send a {kind!r} (one of {', '.join(TEMPLATE_OF)})")
    root = session.get(Mention, case.root_mention_id)
    if root is None:
        raise LookupError(f"case {case.id}: its mention {case.root_mention_id} is missing")
    template_id = None
    if text is None:
        lang = pick_lang(case.lang, brand.languages)
        text, stored = render(session, brand.id, TEMPLATE_OF[kind], lang,
                              template_vars(session, case, brand))
        template_id = stored.id if stored else None
    if kind == "private_message":
        if root.author is None:
            raise ValueError(f"case {case.id}: the mention has no known author to write to")
        target: dict[str, Any] = {"external_id": root.author.external_id,
                                  "author_id": root.author_id}
    else:
        target = mention_target(root)
    channel = brand_channel(session, brand.id, case.network)
    approval = bool((brand.settings or {}).get("require_approval", False)) \
        if needs_approval is None else needs_approval
    return Draft(text=text, target=target, channel_id=channel.id if channel else None,
                 template_id=template_id, needs_approval=approval)
