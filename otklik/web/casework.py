"""What the inbox and case pages need from the care module: reading a case, drafting replies,
and the source factory that sends through a brand's owned channel.

Writers are `otklik.actions.cases`; this module only assembles views and the send path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from otklik.actions.cases import get_case
from otklik.actions.delivery import post_url
from otklik.actions.stored_templates import render
from otklik.care.templates import TemplateVars, pick_lang
from otklik.db.models import (
    Action,
    AuditEvent,
    Brand,
    Case,
    Channel,
    Incident,
    Location,
    Mention,
    MentionBrand,
    Place,
)
from otklik.domain import cases as sm
from otklik.settings import Settings
from otklik.sources.outbound import registry_source_factory

PUBLIC_KINDS = ("public_reply", "follow_up", "closing_note")


def default_source_factory(settings: Settings, session: Session) -> Callable[[Channel], Any]:
    """Channel → a connector with its linked source's credentials (the care module's)."""
    return registry_source_factory(session, settings)


def inbox(session: Session, brand_id: int | None, now: datetime,
          limit: int = 200) -> list[dict[str, Any]]:
    """Open cases, most urgent first: priority, then the least SLA time left."""
    stmt = select(Case).where(Case.state.in_(sm.OPEN_STATES))
    if brand_id is not None:
        stmt = stmt.where(Case.brand_id == brand_id)
    cases = list(session.scalars(stmt.limit(2000)))
    roots = {m.id: m for m in session.scalars(
        select(Mention).where(Mention.id.in_([c.root_mention_id for c in cases])))}
    far = float("inf")
    cases.sort(key=lambda c: (-(c.priority or 0.0), _or(sla_left(c, now), far)))
    return [{"case": c, "root": roots.get(c.root_mention_id), "left": sla_left(c, now)}
            for c in cases[:limit]]


def _or(value: float | None, default: float) -> float:
    return default if value is None else value


def sla_left(case: Case, now: datetime) -> float | None:
    """Minutes until the first public answer is due (negative = overdue); None when answered."""
    if case.first_response_at is not None or case.first_response_due_at is None:
        return None
    return (case.first_response_due_at - now).total_seconds() / 60.0


@dataclass
class CaseView:
    case: Case
    brand: Brand
    root: Mention
    thread: list[Mention]
    public_actions: list[Action]
    private_actions: list[Action]
    private_mentions: list[Mention]
    timeline: list[AuditEvent]
    # each conversation in time order: ("mention", Mention) or ("action", Action)
    public_items: list[tuple[str, Any]] = field(default_factory=list)
    private_items: list[tuple[str, Any]] = field(default_factory=list)
    action_urls: dict[int, str] = field(default_factory=dict)  # a sent action's link
    drafts: dict[str, str] = field(default_factory=dict)
    sla_left: float | None = None
    location: Location | None = None  # the brand's café/branch the complaint is about


def case_view(session: Session, case_id: int, agent: str | None) -> CaseView:
    case = get_case(session, case_id)
    brand = session.get(Brand, case.brand_id)
    root = session.get(Mention, case.root_mention_id)
    assert brand is not None and root is not None
    held = {cm.mention_id: cm.role for cm in case.mentions}
    thread_filter: Any = Mention.id.in_(list(held))
    if root.thread_external_id:
        thread_filter = or_(thread_filter, and_(
            Mention.network == root.network,
            Mention.thread_external_id == root.thread_external_id))
    mentions = list(session.scalars(
        select(Mention).where(thread_filter).order_by(Mention.created_at).limit(300)).unique())
    actions = list(case.actions)
    if case.author_id is not None:  # the customer's private answers (a network's DM place)
        mentions += [m for m in session.scalars(select(Mention).join(Mention.place).where(
            Mention.author_id == case.author_id, Mention.network == root.network,
            Place.kind == "private").order_by(Mention.created_at).limit(100)).unique()
            if m not in mentions]
    ours = {a.external_id for a in actions if a.external_id}
    mentions = [m for m in mentions if m.external_id not in ours]  # our own posts, fetched back
    private = [m for m in mentions if held.get(m.id, "").startswith("private")
               or (m.place is not None and m.place.kind == "private")]
    thread = [m for m in mentions if m not in private]
    action_ids = [str(a.id) for a in actions]
    timeline = list(session.scalars(
        select(AuditEvent).where(or_(
            and_(AuditEvent.entity == "case", AuditEvent.entity_id == str(case.id)),
            and_(AuditEvent.entity == "action", AuditEvent.entity_id.in_(action_ids)),
        )).order_by(AuditEvent.at, AuditEvent.id)))
    incident = session.get(Incident, case.incident_id) if case.incident_id else None
    location = session.scalar(select(Location).join(
        MentionBrand, MentionBrand.location_id == Location.id).where(
        MentionBrand.mention_id == root.id, MentionBrand.brand_id == case.brand_id))
    variables = TemplateVars(brand=brand.name, case_number=case.id, name=case.customer_name,
                             incident_link=incident.explanation_url if incident else None,
                             agent=agent)
    lang = pick_lang(case.lang, brand.languages)
    drafts = {kind: render(session, brand.id, kind, lang, variables)[0]
              for kind in ("public_apology", "private_opening", "follow_up")}
    return CaseView(
        case=case, brand=brand, root=root, thread=thread,
        public_actions=[a for a in actions if a.kind in PUBLIC_KINDS],
        private_actions=[a for a in actions if a.kind == "private_message"],
        private_mentions=private, timeline=timeline, drafts=drafts,
        public_items=_in_time(thread, [a for a in actions if a.kind in PUBLIC_KINDS]),
        private_items=_in_time(private, [a for a in actions if a.kind == "private_message"]),
        action_urls=_urls(session, actions),
        sla_left=sla_left(case, datetime.now(UTC)), location=location,
    )


def _in_time(mentions: list[Mention], actions: list[Action]) -> list[tuple[str, Any]]:
    """One conversation, oldest first: what people wrote and what the brand sent (or tried)."""
    def at(item: tuple[str, Any]) -> datetime:
        kind, row = item
        when = row.created_at if kind == "mention" else (row.sent_at or row.created_at)
        return when if when.tzinfo else when.replace(tzinfo=UTC)
    items = [("mention", m) for m in mentions] + [("action", a) for a in actions]
    return sorted(items, key=at)


def _urls(session: Session, actions: list[Action]) -> dict[int, str]:
    urls = {}
    for a in actions:
        channel = session.get(Channel, a.channel_id) if a.channel_id else None
        if a.status == "sent" and a.external_id and channel is not None:
            url = post_url(channel, a.external_id)
            if url:
                urls[a.id] = url
    return urls
