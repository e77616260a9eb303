"""The writers for incidents: open, publish the explanation, update, link complaints, close.

Posts go out as `Action`s of kind `post` (one per chosen channel, linked by `incident_id`) through
`otklik.actions.delivery.publish_action`, so none is ever sent twice. While an incident is open,
`link_complaints` links the brand's open cases that it explains (`Case.incident_id`) and drafts,
for each, a suggested public reply linking the explanation, waiting for a person's approval.
Closing posts the resolution and resolves the linked cases that were answered, which schedules
their follow-ups (the desk's `resolve`). Every change is audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import case_answers as answers
from otklik.actions import cases as desk
from otklik.actions.audit import record
from otklik.actions.brands import brand_by_id
from otklik.actions.delivery import draft_post, post_url, publish_action
from otklik.actions.send import SourceFactory
from otklik.actions.stored_templates import render_incident_reply, render_post
from otklik.care.templates import TemplateVars, pick_lang
from otklik.db.models import Action, Brand, Case, Channel, Incident, Mention, Spike
from otklik.db.rows import get_row
from otklik.domain import cases as sm
from otklik.publish import incidents as rules
from otklik.publish import texts
from otklik.query.search import mention_mapping


@dataclass
class Linked:
    cases: list[int] = field(default_factory=list)  # newly linked
    drafts: list[int] = field(default_factory=list)  # suggested replies (action ids)


@dataclass
class Closed:
    actions: list[Action] = field(default_factory=list)
    resolved: list[int] = field(default_factory=list)  # cases resolved, follow-ups scheduled
    unanswered: list[int] = field(default_factory=list)  # linked cases nobody answered yet


def get_incident(session: Session, incident_id: int) -> Incident:
    return get_row(session, Incident, incident_id, "incident")


def _channels(session: Session, incident: Incident) -> list[Channel]:
    rows = [session.get(Channel, cid) for cid in incident.channel_ids or []]
    return [c for c in rows if c is not None]


def open_incident(
    session: Session, brand_id: int, title: str, *, actor: str, description: str = "",
    started_at: datetime | None = None, next_update_at: datetime | None = None,
    keywords: str | None = None, spike_id: int | None = None,
    channel_ids: Sequence[int] = (), now: datetime | None = None,
) -> Incident:
    """Record an incident; the keywords must be a valid brand query, channels the brand's own.
    Commits (the incident stays even if publishing its explanation fails)."""
    brand_by_id(session, brand_id)
    if not title.strip():
        raise ValueError("an incident needs a title (what happened)")
    rules.keywords_query(keywords)  # QuerySyntaxError (a ValueError) names the position
    for cid in channel_ids:
        channel = session.get(Channel, cid)
        if channel is None or channel.brand_id != brand_id:
            raise ValueError(f"channel {cid} is not one of the brand's channels")
    if spike_id is not None:
        spike = session.get(Spike, spike_id)
        if spike is None or spike.brand_id != brand_id:
            raise ValueError(f"spike {spike_id} is not one of the brand's spikes")
    now = now or datetime.now(UTC)
    incident = Incident(
        brand_id=brand_id, title=title.strip(), description=description.strip(),
        keywords=keywords.strip() if keywords else None, status="open",
        started_at=started_at or now, next_update_at=next_update_at, spike_id=spike_id,
        channel_ids=list(channel_ids), created_at=now)
    session.add(incident)
    session.flush()
    record(session, actor, "incident.open", "incident", incident.id, brand_id=brand_id,
           title=incident.title, keywords=incident.keywords, channels=list(channel_ids))
    session.commit()
    return incident


def _lang(brand: Brand) -> str:
    return pick_lang(None, brand.languages)


def _zone(brand: Brand) -> tzinfo:
    return texts.brand_zone(brand.working_hours, _lang(brand))


def _responded(incident: Incident):  # type: ignore[no-untyped-def]
    """on_sent: the first sent post explaining a spike is the brand's response to it."""

    def on_sent(session: Session, action: Action, actor: str) -> None:
        channel = session.get(Channel, action.channel_id) if action.channel_id else None
        if channel is not None and action.external_id and not incident.explanation_url:
            incident.explanation_url = post_url(channel, action.external_id)
        if incident.spike_id is not None:
            spike = session.get(Spike, incident.spike_id)
            if spike is not None and spike.responded_at is None:
                spike.responded_at = action.sent_at or datetime.now(UTC)
                record(session, actor, "spike.responded", "spike", spike.id,
                       via=f"incident {incident.id}")

    return on_sent


def _post_everywhere(
    session: Session, incident: Incident, phase: str, text: str, template_id: int | None, *,
    source_factory: SourceFactory | None, actor: str,
) -> list[Action]:
    channels = _channels(session, incident)
    if not channels:
        raise ValueError(f"incident {incident.id} has no channels to publish to")
    drafted = [draft_post(session, brand_id=incident.brand_id, channel=c, text=text,
                          key=f"incident:{incident.id}:{phase}:channel:{c.id}", actor=actor,
                          template_id=template_id, links={"incident_id": incident.id})
               for c in channels]
    record(session, actor, f"incident.{phase.split(':')[0]}", "incident", incident.id,
           actions=[a.id for a in drafted])
    session.commit()
    if source_factory is not None:
        for action in drafted:
            publish_action(session, action.id, source_factory=source_factory, actor=actor,
                           on_sent=_responded(incident))
    return drafted


def publish_explanation(
    session: Session, incident_id: int, *, source_factory: SourceFactory | None, actor: str,
    text: str | None = None,
) -> list[Action]:
    """Post what happened, since when, the status and the next update to every chosen channel."""
    incident = get_incident(session, incident_id)
    brand = brand_by_id(session, incident.brand_id)
    template_id = None
    if text is None:
        lang = _lang(brand)
        text, template_id = render_post(session, brand.id, "incident_post", lang, {
            "brand": brand.name, "title": incident.title, "description": incident.description,
            "since": texts.fmt_time(incident.started_at, _zone(brand), lang),
            "status_text": rules.status_text(incident.status, lang),
            "next_update": texts.fmt_time(incident.next_update_at, _zone(brand), lang)})
    return _post_everywhere(session, incident, "explanation", text, template_id,
                            source_factory=source_factory, actor=actor)


def update_incident(
    session: Session, incident_id: int, text: str, *, source_factory: SourceFactory | None,
    actor: str, status: str | None = None, next_update_at: datetime | None = None,
) -> list[Action]:
    """Post an update under the incident (and change its status or next update time)."""
    incident = get_incident(session, incident_id)
    if incident.status not in rules.OPEN:
        raise ValueError(f"incident {incident_id} is {incident.status}; it cannot be updated")
    if not text.strip():
        raise ValueError("an update needs a text")
    if status is not None:
        if rules.check_status(status) == "resolved":
            raise ValueError("use close to resolve an incident (it posts the resolution)")
        incident.status = status
    if next_update_at is not None:
        incident.next_update_at = next_update_at
    brand = brand_by_id(session, incident.brand_id)
    body, template_id = render_post(session, brand.id, "incident_update", _lang(brand), {
        "brand": brand.name, "title": incident.title, "text": text.strip(),
        "next_update": texts.fmt_time(incident.next_update_at, _zone(brand), _lang(brand))})
    done = session.scalars(select(Action.idempotency_key).where(
        Action.incident_id == incident.id,
        Action.idempotency_key.like(f"incident:{incident.id}:update:%"))).all()
    number = len({k.split(":")[3] for k in done if k}) + 1
    return _post_everywhere(session, incident, f"update:{number}", body, template_id,
                            source_factory=source_factory, actor=actor)


def _has_live_reply(case: Case) -> bool:
    return any(a.kind == "public_reply" and a.status != "failed" for a in case.actions)


def link_complaints(
    session: Session, incident_id: int, *, actor: str = "system", now: datetime | None = None,
) -> Linked:
    """Link the open cases the incident explains; suggest a reply linking the explanation."""
    now = now or datetime.now(UTC)
    incident = get_incident(session, incident_id)
    out = Linked()
    if incident.status not in rules.OPEN:
        return out
    spike = session.get(Spike, incident.spike_id) if incident.spike_id else None
    scope = rules.IncidentScope(
        started_at=incident.started_at, query=rules.keywords_query(incident.keywords),
        spike_start=spike.start if spike else None, spike_end=spike.end if spike else None)
    candidates = session.scalars(select(Case).where(
        Case.brand_id == incident.brand_id, Case.state.in_(sorted(sm.OPEN_STATES)),
        (Case.incident_id.is_(None)) | (Case.incident_id == incident.id),
    ).order_by(Case.id)).all()
    brand = brand_by_id(session, incident.brand_id)
    for case in candidates:
        if case.incident_id is None:
            root = session.get(Mention, case.root_mention_id)
            if root is None or not scope.explains(mention_mapping(root), root.created_at, now):
                continue
            case.incident_id = incident.id
            record(session, actor, "case.incident", "case", case.id, incident_id=incident.id)
            out.cases.append(case.id)
        key = f"incident:{incident.id}:reply:case:{case.id}"
        if incident.explanation_url and case.state in (sm.NEW, sm.ESCALATED) \
                and not _has_live_reply(case) and session.scalar(
                    select(Action.id).where(Action.idempotency_key == key)) is None:
            text, template_id = render_incident_reply(
                session, brand.id, pick_lang(case.lang, brand.languages),
                TemplateVars(brand=brand.name, case_number=case.id, name=case.customer_name,
                             incident_link=incident.explanation_url))
            action = answers.draft_case_action(
                session, case, "public_reply", actor=actor, text=text, needs_approval=True,
                idempotency_key=key)
            action.incident_id, action.template_id = incident.id, template_id
            out.drafts.append(action.id)
    session.flush()
    return out


def close_incident(
    session: Session, incident_id: int, text: str, *, source_factory: SourceFactory | None,
    actor: str, now: datetime | None = None,
) -> Closed:
    """Post the resolution, mark the incident resolved, resolve the answered linked cases."""
    now = now or datetime.now(UTC)
    incident = get_incident(session, incident_id)
    if incident.status == "resolved":
        raise ValueError(f"incident {incident_id} is already resolved")
    if not text.strip():
        raise ValueError("closing needs a text saying what was done")
    brand = brand_by_id(session, incident.brand_id)
    body, template_id = render_post(session, brand.id, "incident_resolved", _lang(brand), {
        "brand": brand.name, "title": incident.title, "text": text.strip()})
    incident.status, incident.resolved_at, incident.next_update_at = "resolved", now, None
    record(session, actor, "incident.close", "incident", incident.id)
    out = Closed()
    for case in session.scalars(select(Case).where(Case.incident_id == incident.id)
                                .order_by(Case.id)):
        if sm.can_transition(case.state, sm.RESOLVED):
            desk.resolve(session, case.id, actor=actor, now=now,  # the incident post answers
                         reason=f"incident {incident.id} resolved", confirm_unsent=True)
            out.resolved.append(case.id)
        elif case.state in (sm.NEW,):
            out.unanswered.append(case.id)
    out.actions = _post_everywhere(session, incident, "resolved", body, template_id,
                                   source_factory=source_factory, actor=actor)
    return out


def list_incidents(session: Session, brand_id: int | None = None,
                   status: str | None = None) -> list[Incident]:
    stmt = select(Incident).order_by(Incident.started_at.desc(), Incident.id.desc())
    if brand_id is not None:
        stmt = stmt.where(Incident.brand_id == brand_id)
    if status is not None:
        stmt = stmt.where(Incident.status == rules.check_status(status))
    return list(session.scalars(stmt))


def link_open_incidents(session: Session, *, actor: str = "system",
                        now: datetime | None = None) -> Linked:
    """For the tick: link new complaints to every open incident."""
    out = Linked()
    for incident in session.scalars(select(Incident).where(
            Incident.status.in_(sorted(rules.OPEN))).order_by(Incident.id)):
        one = link_complaints(session, incident.id, actor=actor, now=now)
        out.cases += one.cases
        out.drafts += one.drafts
    return out
