"""`otklik incident …`, `otklik announce …`, `otklik refute …`: speaking first, from the CLI.

Thin: every command calls `otklik.actions.incidents` / `announcements` / `refutations`. Output is
JSON (one object per line) so that scripts can read it. Bad input (an unknown brand, a keywords
query that does not parse, a schedule in the wrong order) exits with code 2 and a message on
stderr, never a traceback.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from otklik.actions import announcements as ann_actions
from otklik.actions import incidents as inc_actions
from otklik.actions import refutations as ref_actions
from otklik.actions.brands import get_brand
from otklik.cli._common import (
    DEFAULT_ACTOR,
    ActorOpt,
    fail,
    iso,
    parse_when,
    settings_of,
    store_session,
)
from otklik.db.models import Action, Announcement, Case, Channel, Incident
from otklik.sources.outbound import registry_source_factory

incident_app = typer.Typer(help="Incidents explained publicly.", no_args_is_help=True)
announce_app = typer.Typer(help="Scheduled advance warnings.", no_args_is_help=True)
refute_app = typer.Typer(help="Refutation plans for attacks and spikes.", no_args_is_help=True)
Channels = Annotated[list[str], typer.Option("--channel", help="Channel id or network (repeat)")]


def _out(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


def _channels(session: Session, brand_id: int, given: list[str]) -> list[int]:
    ids = []
    for item in given:
        if item.isdigit():
            ids.append(int(item))
            continue
        found = session.scalars(select(Channel.id).where(
            Channel.brand_id == brand_id, Channel.network == item).order_by(Channel.id)).first()
        if found is None:
            fail(f"--channel {item!r}: the brand has no such channel")
        ids.append(found)
    return ids


def _actions(actions: list[Action]) -> list[dict[str, Any]]:
    return [{"id": a.id, "network": a.network, "status": a.status,
             "external_id": a.external_id, "error": a.last_error} for a in actions]


def _incident(i: Incident) -> dict[str, Any]:
    return {"id": i.id, "brand_id": i.brand_id, "title": i.title, "status": i.status,
            "started_at": iso(i.started_at), "next_update_at": iso(i.next_update_at),
            "keywords": i.keywords, "explanation_url": i.explanation_url,
            "resolved_at": iso(i.resolved_at)}


@incident_app.command("open")
def incident_open(
    ctx: typer.Context, brand: str, title: str, channel: Channels,
    description: str = "", keywords: Annotated[str | None, typer.Option(
        help="Brand query matching its complaints")] = None,
    since: Annotated[str | None, typer.Option(help="When it began (ISO)")] = None,
    next_update: Annotated[str | None, typer.Option(help="Next update due (ISO)")] = None,
    spike: Annotated[int | None, typer.Option(help="Id of the spike it explains")] = None,
    publish: Annotated[bool, typer.Option(help="Publish the explanation now")] = True,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Open an incident and publish its explanation to the chosen channels."""
    with store_session(ctx) as s:
        b = get_brand(s, brand)
        incident = inc_actions.open_incident(
            s, b.id, title, description=description, keywords=keywords,
            started_at=parse_when(since, "since"),
            next_update_at=parse_when(next_update, "next-update"),
            spike_id=spike, channel_ids=_channels(s, b.id, channel), actor=actor)
        posts = inc_actions.publish_explanation(
            s, incident.id, actor=actor,
            source_factory=registry_source_factory(s, settings_of(ctx)) if publish else None)
        linked = inc_actions.link_complaints(s, incident.id, actor=actor)
        _out({**_incident(incident), "posts": _actions(posts), "linked_cases": linked.cases,
              "suggested_replies": linked.drafts})


@incident_app.command("update")
def incident_update(
    ctx: typer.Context, incident_id: int, text: str,
    status: Annotated[str | None, typer.Option(help="open or monitoring")] = None,
    next_update: Annotated[str | None, typer.Option(help="Next update due (ISO)")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Post an update to the incident's channels."""
    with store_session(ctx) as s:
        posts = inc_actions.update_incident(
            s, incident_id, text, status=status,
            next_update_at=parse_when(next_update, "next-update"),
            source_factory=registry_source_factory(s, settings_of(ctx)), actor=actor)
        _out({**_incident(inc_actions.get_incident(s, incident_id)), "posts": _actions(posts)})


@incident_app.command("close")
def incident_close(ctx: typer.Context, incident_id: int, text: str,
                   actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Post the resolution; resolve the linked answered cases (their follow-ups get scheduled)."""
    with store_session(ctx) as s:
        closed = inc_actions.close_incident(
            s, incident_id, text, source_factory=registry_source_factory(s, settings_of(ctx)),
            actor=actor)
        _out({**_incident(inc_actions.get_incident(s, incident_id)),
              "posts": _actions(closed.actions), "resolved_cases": closed.resolved,
              "unanswered_cases": closed.unanswered})


@incident_app.command("list")
def incident_list(ctx: typer.Context, brand: Annotated[str | None, typer.Option()] = None,
                  status: Annotated[str | None, typer.Option()] = None) -> None:
    """Incidents, newest first (one JSON object per line)."""
    with store_session(ctx) as s:
        brand_id = get_brand(s, brand).id if brand else None
        for incident in inc_actions.list_incidents(s, brand_id, status):
            posts = s.scalars(select(Action).where(Action.incident_id == incident.id,
                                                   Action.kind == "post").order_by(Action.id))
            linked = s.scalars(select(Case.id).where(Case.incident_id == incident.id)
                               .order_by(Case.id))
            _out({**_incident(incident), "posts": _actions(list(posts)),
                  "linked_cases": list(linked)})


def _announcement(a: Announcement) -> dict[str, Any]:
    return {"id": a.id, "brand_id": a.brand_id, "title": a.title, "kind": a.kind,
            "status": a.status, "publish_at": iso(a.publish_at), "remind_at": iso(a.remind_at),
            "event_start": iso(a.event_start), "event_end": iso(a.event_end),
            "channels": a.channel_ids}


@announce_app.command("add")
def announce_add(
    ctx: typer.Context, brand: str, title: str, channel: Channels,
    publish_at: Annotated[str, typer.Option(help="When to publish (ISO)")],
    remind_at: Annotated[str | None, typer.Option(help="Reminder (ISO)")] = None,
    event_start: Annotated[str | None, typer.Option(help="The event begins (ISO)")] = None,
    event_end: Annotated[str | None, typer.Option(help="The event ends (ISO)")] = None,
    kind: str = "maintenance",
    text: Annotated[list[str] | None, typer.Option(
        help="CHANNEL=TEMPLATE text for one channel (repeat); default template otherwise")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Schedule an advance warning."""
    with store_session(ctx) as s:
        b = get_brand(s, brand)
        ids = _channels(s, b.id, channel)
        bodies: dict[str, str] = {}
        for item in text or []:
            key, sep, body = item.partition("=")
            if not sep:
                fail(f"--text {item!r}: expected CHANNEL=TEMPLATE")
            bodies[str(_channels(s, b.id, [key])[0])] = body
        published = parse_when(publish_at, "publish-at")
        assert published is not None
        ann = ann_actions.add_announcement(
            s, b.id, title, publish_at=published, channel_ids=ids, actor=actor,
            texts_by_channel=bodies, remind_at=parse_when(remind_at, "remind-at"),
            event_start=parse_when(event_start, "event-start"),
            event_end=parse_when(event_end, "event-end"), kind=kind)
        _out(_announcement(ann))


@announce_app.command("list")
def announce_list(ctx: typer.Context, brand: Annotated[str | None, typer.Option()] = None
                  ) -> None:
    """The calendar, by publish time."""
    with store_session(ctx) as s:
        brand_id = get_brand(s, brand).id if brand else None
        for ann in ann_actions.list_announcements(s, brand_id):
            _out(_announcement(ann))


@announce_app.command("publish-due")
def announce_publish_due(ctx: typer.Context, now: Annotated[str | None, typer.Option(
        help="Pretend it is this time (ISO)")] = None) -> None:
    """Publish what is due now (what the scheduler does every minute)."""
    with store_session(ctx) as s:
        report = ann_actions.publish_due_announcements(
            s, parse_when(now, "now") or datetime.now(UTC),
            registry_source_factory(s, settings_of(ctx)))
        _out(report.__dict__)


@refute_app.command("plan")
def refute_plan(
    ctx: typer.Context, attack: Annotated[int | None, typer.Option()] = None,
    spike: Annotated[int | None, typer.Option()] = None, claim: str = "", facts: str = "",
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Build (or refresh) the three-track plan for an attack or a spike."""
    with store_session(ctx) as s:
        ref = ref_actions.build_plan(s, actor=actor, attack_id=attack, spike_id=spike,
                                     claim=claim, facts=facts)
        _out(ref_actions.status(s, ref.id))


@refute_app.command("approve")
def refute_approve(ctx: typer.Context, refutation_id: int, actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Approve the official post."""
    with store_session(ctx) as s:
        ref_actions.approve_official(s, refutation_id, actor=actor)
        _out(ref_actions.status(s, refutation_id))


@refute_app.command("send")
def refute_send(
    ctx: typer.Context, refutation_id: int,
    limit: Annotated[int | None, typer.Option(help="Send at most this many replies")] = None,
    actor: ActorOpt = DEFAULT_ACTOR,
) -> None:
    """Publish the approved official post, then the targeted replies one by one."""
    with store_session(ctx) as s:
        factory = registry_source_factory(s, settings_of(ctx))
        ref_actions.publish_official(s, refutation_id, source_factory=factory, actor=actor)
        report = ref_actions.send_replies(s, refutation_id, source_factory=factory,
                                          actor=actor, limit=limit)
        _out({**ref_actions.status(s, refutation_id), "sent_now": report.sent,
              "failed_now": report.failed, "paused": report.paused})


@refute_app.command("status")
def refute_status(ctx: typer.Context, refutation_id: int,
                  placement: Annotated[list[str] | None, typer.Option(
                      help="COMMUNITY_ID=STATUS to tick off a placement (repeat)")] = None,
                  actor: ActorOpt = DEFAULT_ACTOR) -> None:
    """Progress of the three tracks (coverage = share of the campaign's reach answered)."""
    with store_session(ctx) as s:
        for item in placement or []:
            cid, sep, state = item.partition("=")
            if not sep or not cid.isdigit():
                fail(f"--placement {item!r}: expected COMMUNITY_ID=STATUS")
            ref_actions.set_placement(s, refutation_id, int(cid), state, actor=actor)
        _out(ref_actions.status(s, refutation_id))


def register(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")
    app.add_typer(announce_app, name="announce")
    app.add_typer(refute_app, name="refute")
